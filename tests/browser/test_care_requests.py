"""Issue 15 — care requests: a member sends a request from a patient's pathway; a nurse in reach,
logged in with her second factor on a phone (390 px), sees it without the patient's identity,
accepts it, then sees who the patient is; the coordinator finds an unanswered request first and
its « élargir » form. Every page axe clean, nothing wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.pathways.actions.enrolment import Enrolment, Referrer, enrol
from maillage.pathways.actions.requests import advance
from maillage.pathways.models import CareRequest, CareRequestRecipient, PathwayTemplate
from maillage.pathways.states import CareRole
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory
from tests.pathways.conftest import information, patient

pytestmark = pytest.mark.browser


def test_a_member_sends_a_request_and_a_nurse_in_reach_accepts_it_on_her_phone(browser, live_server, idf):
    malakoff, vanves = idf["communes"]["92046"], idf["communes"]["92075"]
    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne")
    ActivityFactory(professional=gp, commune=malakoff)
    gp_user, gp_secret = _with_totp(RoleFactory(cpts=idf["cmv"]).user)
    ProfessionalAccount.objects.create(user=gp_user, professional=gp)
    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    ActivityFactory(professional=nurse, commune=vanves)
    nurse_user, nurse_secret = _with_totp(RoleFactory(cpts=idf["cmv"]).user)
    ProfessionalAccount.objects.create(user=nurse_user, professional=nurse)
    coordinator, coordinator_secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    today = timezone.localdate()
    pathway = enrol(
        idf["cmv"],
        Enrolment(
            template=PathwayTemplate.objects.get(cpts=None, code="sortie-hospitalisation-personne-agee"),
            patient=patient(malakoff), start_date=today, discharge_date=today - timedelta(days=1),
            information=information(), referrer=Referrer(kind="professional", professional=gp),
            team=[(gp, CareRole.GP)],
        ),
        None,
    )  # fmt: skip

    # The GP, on the patient's team, asks for a nurse from the pathway's page.
    context, page = _phone(browser, live_server)
    _log_in(page, gp_user, gp_secret)
    page.goto(f"/c/cmv/parcours-patients/{pathway.pk}/")
    page.page.get_by_role("link", name="Trouver un professionnel pour ce patient").click()
    page.page.wait_for_load_state("networkidle")
    assert "Pour Jeanne Moreau" in page.text()
    _clean(page)
    form = page.page
    form.get_by_label("Profession recherchée").select_option("60")
    form.get_by_label("Besoin").fill("Pansement complexe à domicile, 3 fois par semaine")
    form.get_by_label("À partir du").fill((today + timedelta(days=2)).isoformat())
    form.get_by_label("Rayon de recherche (km)").fill("5")
    form.get_by_label("Adresse du patient").fill("12 rue Pierre Larousse")
    form.get_by_role("button", name="Envoyer la demande").click()
    page.page.wait_for_load_state("networkidle")
    request = CareRequest.objects.get()
    assert "Demande envoyée à 1 professionnel" in page.text()
    assert request.pathway == pathway and request.status == "broadcast"
    _clean(page)
    assert page.console_errors == []
    context.close()

    # The nurse in reach: the need, the commune and the distance — not who the patient is.
    context, page = _phone(browser, live_server)
    _log_in(page, nurse_user, nurse_secret)
    page.goto("/c/cmv/demandes-de-prise-en-charge/")
    text = page.text()
    assert "Pansement complexe à domicile" in text and "Malakoff" in text
    assert "Moreau" not in text and "0601020304" not in text
    _clean(page)
    page.page.get_by_role("link", name="Pansement complexe à domicile, 3 fois par semaine").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Moreau" not in text and "Pierre Larousse" not in text and "km de votre lieu d'exercice" in text
    _clean(page)
    page.page.get_by_role("button", name="Accepter la prise en charge").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Vous avez accepté la demande" in text
    assert "Jeanne Moreau" in text and "0601020304" in text and "12 rue Pierre Larousse" in text
    assert pathway.team.filter(professional=nurse, left_at=None).exists()  # she joined the care team
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()

    # Another request nobody took: the coordinator sees it first, with the « élargir » form.
    other = CareRequest.objects.create(
        cpts=idf["cmv"], profession_code="70", need="Rééducation à la marche", start_on=today + timedelta(days=3),
        commune=malakoff, radius_km=5, patient_name="Paul Martin", respond_by=timezone.now(), status="broadcast",
    )  # fmt: skip
    assert not CareRequestRecipient.objects.filter(request=other).exists()
    advance(timezone.now() + timedelta(minutes=1))
    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, coordinator_secret)
    page.goto("/c/cmv/demandes-de-prise-en-charge/")
    assert "Sans réponse : à relancer" in page.text()
    _clean(page)
    page.page.get_by_label("Nouveau rayon (km)").fill("20")
    page.page.get_by_role("button", name="Élargir et relancer").click()
    page.page.wait_for_load_state("networkidle")
    assert "relancée" in page.text()
    other.refresh_from_db()
    assert (other.status, other.radius_km) == ("broadcast", 20)
    _clean(page)
    # The request's page for the coordinator: who was asked, the « élargir » form, the cancel button.
    page.goto(f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/")
    assert "Claire Bernard" in page.text() and "Professionnels sollicités" in page.text()
    _clean(page)
    page.goto(f"/c/cmv/demandes-de-prise-en-charge/{other.pk}/")
    assert "Élargir la demande" in page.text() and "Paul Martin" in page.text()
    _clean(page)
    page.page.get_by_role("button", name="Annuler la demande").click()
    page.page.wait_for_load_state("networkidle")
    assert "La demande est annulée." in page.text()
    _clean(page)
    assert page.console_errors == []
    context.close()


def test_discharge_staff_send_a_request_on_their_own_from_a_phone(browser, live_server, idf):
    from maillage.accounts.models import RoleKind
    from tests.factories import StructureFactory

    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92075"])
    ProfessionalAccount.objects.create(user=RoleFactory(cpts=idf["cmv"]).user, professional=nurse)
    staff, secret = _with_totp(RoleFactory(kind=RoleKind.STRUCTURE, cpts=idf["cmv"], structure=StructureFactory()).user)
    context, page = _phone(browser, live_server)
    _log_in(page, staff, secret)
    page.goto("/c/cmv/demandes-de-prise-en-charge/")
    page.page.get_by_role("link", name="Nouvelle demande").first.click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_role("button", name="Envoyer la demande").click()  # empty: refused, in French
    page.page.wait_for_load_state("networkidle")
    assert "La demande n'est pas envoyée" in page.text()
    _clean(page)
    form.get_by_label("Profession recherchée").select_option("60")
    form.get_by_label("Besoin").fill("Soins de sortie : pansement, 1 fois par jour")
    form.get_by_label("À partir du").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    form.get_by_label("Commune du patient").select_option("92046")
    form.get_by_label("Nom et prénom du patient").fill("Paul Martin")
    form.get_by_role("button", name="Envoyer la demande").click()
    page.page.wait_for_load_state("networkidle")
    assert "Demande envoyée à 1 professionnel" in page.text() and "Paul Martin" in page.text()
    _clean(page)
    page.goto("/c/cmv/demandes-de-prise-en-charge/")
    assert CareRequest.objects.get().reference in page.text()
    _clean(page)
    # The only console line: the refused empty form's 400, which is its answer.
    assert all("status of 400" in line for line in page.console_errors)
    context.close()
