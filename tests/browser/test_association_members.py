"""Issue 16: a nurse of the territory asks to join the association from the CPTS's public page; the
coordinator validates the request; the representative of a member commune opens the members'
space — on a phone, 390 px wide."""

import pytest

from maillage.association import statutes
from maillage.association.actions.members import create_member
from maillage.association.models import Member
from maillage.directory.models import DirectoryEntry
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


def test_a_professional_asks_to_join_and_the_coordinator_validates(browser, live_server, idf, settings):
    settings.DOCTOR_ACCESS_MIN_FILL_SECONDS = 0
    nurse = ProfessionalFactory(adeli=False, last_name="Bernard", first_name="Claire")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92046"])
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    statutes.of(idf["cmv"])

    context, page = _phone(browser, live_server)
    page.goto("/cpts/cmv/")
    page.page.get_by_role("link", name="Adhérer à l'association de la CPTS").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_label("Collège").select_option(label="Professionnels de santé libéraux")
    form.get_by_label("Numéro RPPS (professionnel de santé)").fill(nurse.identifier)
    form.locator("#id_email").fill("claire.bernard@exemple.fr")
    form.get_by_label("Message à la coordination (facultatif)").fill("Infirmière libérale à Malakoff.")
    form.get_by_label("J'accepte que la CPTS enregistre ces informations").check()
    form.get_by_role("button", name="Envoyer ma demande").click()
    page.page.get_by_role("heading", name="Votre demande d'adhésion est envoyée").wait_for()
    _clean(page)
    applicant = Member.objects.get(professional=nurse)
    assert applicant.status == Member.Status.PENDING and applicant.last_name == "Bernard"
    context.close()

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/association/")
    _clean(page)
    page.page.get_by_role("link", name="1 demande d'adhésion à valider").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_role("link", name=applicant.reference).click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    assert "Infirmière libérale à Malakoff." in page.text()
    page.page.get_by_role("button", name="Valider l'adhésion").click()
    page.page.get_by_text("La demande d'adhésion est validée.").wait_for()
    assert page.page.inner_text("[data-testid=member-status]").strip() == "à jour"
    assert "en attente → à jour" in page.page.inner_text("[data-testid=member-history]")
    _clean(page)
    # The directory's « adhérent » follows the membership.
    assert DirectoryEntry.objects.get(cpts=idf["cmv"], professional=nurse).is_member
    context.close()


def test_a_member_communes_representative_opens_the_members_space(browser, live_server, idf):
    mayor = RoleFactory(cpts=idf["cmv"], kind="adherent").user
    college = statutes.colleges(idf["cmv"]).get(code="collectivites")
    create_member(idf["cmv"], {
        "college": college, "kind": "legal", "legal_kind": "commune", "name": "Commune de Malakoff",
        "representative_name": "Adjointe à la santé", "representative_email": mayor.email,
    }, actor=None)  # fmt: skip

    context, page = _phone(browser, live_server)
    page.login(mayor.email, PASSWORD)
    page.goto("/c/cmv/adherent/")
    _clean(page)
    assert "Commune de Malakoff — membre de l'association" in page.text()
    assert page.page.inner_text("[data-testid=my-status]").strip() == "à jour"
    assert page.goto("/c/cmv/association/").status == 404  # the coordination's pages are not theirs
    context.close()
