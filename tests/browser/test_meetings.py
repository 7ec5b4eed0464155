"""Issue 15 — RCP: on a phone (390 px), the coordinator programmes an RCP from a patient's
pathway, declares it held with the GP's time, records a decision and a next step that becomes a
task of the pathway, and downloads the minutes as DOCX (opened with python-docx)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from maillage.pathways.actions.enrolment import Enrolment, enrol
from maillage.pathways.models import Meeting, PathwayTemplate
from maillage.pathways.states import CareRole, Decision, Scope
from tests.browser.test_pathways import DISCHARGE, _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory
from tests.pathways.conftest import information, patient

pytestmark = pytest.mark.browser

DECISION = "Maintien à domicile validé, passage infirmier quotidien."


def _go(page, action):
    action()
    page.page.wait_for_load_state("networkidle")


def test_the_coordinator_holds_an_rcp_and_downloads_its_minutes(browser, live_server, idf, tmp_path):
    malakoff = idf["communes"]["92046"]
    gp = ProfessionalFactory(last_name="Martin", first_name="Paul")
    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    for professional in (gp, nurse):
        ActivityFactory(professional=professional, commune=malakoff)
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    today = timezone.localdate()
    pathway = enrol(
        idf["cmv"],
        Enrolment(
            template=PathwayTemplate.objects.get(cpts=None, code=DISCHARGE),
            patient=patient(malakoff, last_name="Lambert (fictive)", first_name="Georgette"),
            start_date=today - timedelta(days=9),
            discharge_date=today - timedelta(days=9),
            information=information(**{Scope.TEAM: Decision.NON_OPPOSITION, Scope.COORDINATION: Decision.CONSENT}),
            team=[(gp, CareRole.GP), (nurse, CareRole.NURSE)],
        ),
        None,
    )

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto(f"/c/cmv/parcours-patients/{pathway.pk}/")
    _go(page, lambda: page.page.get_by_role("link", name="Programmer une RCP").click())
    _clean(page)
    form = page.page
    assert form.get_by_label(f"Lambert (fictive) Georgette — {pathway.reference}", exact=False).is_checked()
    form.locator("#id_title").fill("RCP maintien à domicile")
    form.locator("#id_day").fill((today - timedelta(days=1)).isoformat())
    form.locator("#id_hour").fill("12:30")
    form.locator("#id_place").fill("Maison de santé de Malakoff")
    form.get_by_label("Paul Martin — Médecin").check()
    form.get_by_label("Claire Bernard — Infirmier").check()
    _go(page, lambda: form.get_by_role("button", name="Programmer la RCP").click())
    meeting = Meeting.objects.get()
    assert page.page.url.endswith(f"/c/cmv/rcp/{meeting.pk}/") and "RCP programmée le" in page.text()
    _clean(page)

    _go(page, lambda: page.page.get_by_role("link", name="Déclarer la RCP tenue").click())
    _clean(page)
    page.page.get_by_label("Paul Martin (Médecin)").fill("45")
    page.page.get_by_label("Claire Bernard (Infirmier)").fill("30")
    _go(page, lambda: page.page.get_by_role("button", name="Déclarer la RCP tenue").click())
    assert "RCP déclarée tenue" in page.text()
    meeting.refresh_from_db()
    assert meeting.status == "held"

    name = "Questions, décisions et suites : Lambert (fictive) Georgette"
    _go(page, lambda: page.page.get_by_role("link", name=name).click())
    _clean(page)
    page.page.get_by_label("Questions posées").fill("Le maintien à domicile est-il possible ?")
    page.page.get_by_label("Décisions").fill(DECISION)
    page.page.get_by_label("Suite 1 : à faire").fill("Organiser le passage infirmier")
    page.page.get_by_label("Suite 1 : échéance").fill((today + timedelta(days=2)).isoformat())
    page.page.get_by_label("Suite 1 : confiée à").select_option(label="Claire Bernard (infirmier)")
    _go(page, lambda: page.page.get_by_role("button", name="Enregistrer").click())
    assert "1 suite ajoutée aux tâches du parcours" in page.text() and DECISION in page.text()
    _clean(page)

    page.goto(f"/c/cmv/parcours-patients/{pathway.pk}/")
    assert "Organiser le passage infirmier" in page.text() and "RCP maintien à domicile" in page.text()
    assert pathway.tasks.get(title="Organiser le passage infirmier").assignee.professional == nurse

    page.goto(f"/c/cmv/rcp/{meeting.pk}/")
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Compte rendu (.docx)").click()
    day = timezone.localtime(meeting.starts_at)
    assert download.value.suggested_filename == f"rcp-{day:%Y-%m-%d}.docx"
    saved = tmp_path / "rcp.docx"
    download.value.save_as(saved)
    document = Document(str(saved))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert DECISION in text and "Organiser le passage infirmier" in cells and "45 minutes" in cells
    page.goto(f"/c/cmv/rcp/{meeting.pk}/modifier/")
    _clean(page)
    page.goto("/c/cmv/rcp/")
    assert "RCP maintien à domicile" in page.text() and "Participation des professionnels" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
