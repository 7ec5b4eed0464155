"""Issue 15, item 8: a nurse on the care team writes in the patient's liaison log; the GP on the
team finds it unread in « Mes alertes », opens it and it is marked read — on a phone, 390 px wide,
every page axe-clean. The nurse also sees the pathway's state buttons."""

import pytest
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.pathways.actions.enrolment import Enrolment, Patient, enrol
from maillage.pathways.models import LiaisonEntry, LiaisonRead, PathwayTemplate
from maillage.pathways.states import CareRole
from tests.browser.test_pathways import DISCHARGE, _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory
from tests.pathways.conftest import information

pytestmark = pytest.mark.browser


def _linked(idf, professional):
    user, secret = _with_totp(RoleFactory(cpts=idf["cmv"]).user)
    ProfessionalAccount.objects.create(user=user, professional=professional)
    ActivityFactory(professional=professional, commune=idf["communes"]["92046"])
    return user, secret


def test_a_nurse_posts_in_the_liaison_log_and_the_gp_reads_it_from_my_alerts(browser, live_server, idf):
    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne")
    nurse_user, nurse_secret = _linked(idf, nurse)
    gp_user, gp_secret = _linked(idf, gp)
    today = timezone.localdate()
    patient = Patient(last_name="Moreau", first_name="Jeanne", birth_date=today.replace(year=1938), sex="F",
                      commune=idf["communes"]["92046"], phone="0601020304")  # fmt: skip
    pathway = enrol(
        idf["cmv"],
        Enrolment(template=PathwayTemplate.objects.get(cpts=None, code=DISCHARGE), patient=patient, start_date=today,
                  discharge_date=today, information=information(), team=[(gp, CareRole.GP), (nurse, CareRole.NURSE)]),
        None,
    )  # fmt: skip

    context, page = _phone(browser, live_server)
    _log_in(page, nurse_user, nurse_secret)
    page.goto(f"/c/cmv/parcours-patients/{pathway.pk}/")
    text = page.text()
    assert "Journal de liaison" in text and "État du parcours" in text
    _clean(page)
    page.page.get_by_role("link", name="Ouvrir le journal de liaison").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    page.page.locator("#id_kind").select_option("visit")
    page.page.locator("#id_text").fill("Pansement refait, cicatrisation correcte.")
    page.page.get_by_role("button", name="Ajouter au journal").click()
    page.page.wait_for_load_state("networkidle")
    assert "Message ajouté au journal de liaison" in page.text()
    assert "Pansement refait" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
    assert LiaisonEntry.objects.get().author == nurse_user

    context, page = _phone(browser, live_server)
    _log_in(page, gp_user, gp_secret)
    page.goto("/c/cmv/parcours-patients/")
    alerts = page.page.get_by_test_id("my-alerts")
    assert "1" in alerts.inner_text()
    _clean(page)
    alerts.click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.get_by_test_id("unread-entry").count() == 1
    assert "Visite" in page.text() and "Pansement" not in page.text()  # the text is read in the log
    _clean(page)
    page.page.get_by_role("link", name=pathway.reference).click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith(f"/c/cmv/parcours-patients/{pathway.pk}/liaison/")
    assert "Pansement refait, cicatrisation correcte." in page.text()
    assert page.page.get_by_test_id("unread").count() == 1  # shown unread this once…
    _clean(page)
    assert LiaisonRead.objects.filter(user=gp_user, pathway=pathway).exists()  # …and now marked read
    page.goto("/c/cmv/parcours-patients/alertes/")
    assert page.page.get_by_test_id("unread-entry").count() == 0 and "Aucun message non lu" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()


def test_the_receiving_coordinator_accepts_a_share_and_reads_it_on_a_phone(browser, live_server, idf):
    from maillage.pathways.actions.handover import request_handover
    from maillage.pathways.actions.ruptures import declare_rehospitalisation
    from maillage.pathways.states import Decision, Scope

    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92046"])
    today = timezone.localdate()
    patient = Patient(last_name="Moreau", first_name="Jeanne", birth_date=today.replace(year=1938), sex="F",
                      commune=idf["communes"]["92046"])  # fmt: skip
    consent = information(**{Scope.TEAM: Decision.NON_OPPOSITION, Scope.OUTSIDE: Decision.CONSENT})
    pathway = enrol(
        idf["cmv"],
        Enrolment(template=PathwayTemplate.objects.get(cpts=None, code=DISCHARGE), patient=patient, start_date=today,
                  discharge_date=today, information=consent, team=[(nurse, CareRole.NURSE)]),
        None,
    )  # fmt: skip
    declare_rehospitalisation(pathway, None, on=today)
    request_handover(pathway, None, to_cpts=idf["paris13"], kind="share", reason="Suivi partagé avec Paris 13.")

    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/parcours-patients/alertes/")
    assert page.page.get_by_test_id("alert").count() == 1 and "Réhospitalisation" in page.text()
    _clean(page)
    page.goto(f"/c/cmv/parcours-patients/{pathway.pk}/")
    assert "Partage en lecture vers la CPTS Paris 13" in page.text()
    _clean(page)
    context.close()

    receiving, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["paris13"]).user)
    context, page = _phone(browser, live_server)
    _log_in(page, receiving, secret)
    page.goto("/c/paris-13/parcours-patients/alertes/")
    assert page.page.get_by_test_id("pending-handover").count() == 1 and "Moreau" not in page.text()
    _clean(page)
    page.page.get_by_role("link", name="répondre").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    page.page.get_by_role("button", name=f"Accepter : {pathway.reference}").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith(f"/c/paris-13/parcours-patients/partages/{pathway.pk}/")
    assert "Moreau Jeanne" in page.text() and "lecture seule" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
