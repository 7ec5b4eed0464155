"""Issue 15 on the demo as `make run` serves it, on a phone (390 px): the coordinator enrols a
patient discharged from the demo hospital and the tasks appear for the team; the demo nurse accepts
the care request broadcast to her; a task left overdue raises an alert once the scheduled job has
run; the held RCP's minutes download as DOCX."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document

from maillage.accounts.models import User
from maillage.directory.models import Structure
from maillage.pathways.demo import HOSPITAL_CATEGORY
from maillage.pathways.demo_requests import DEMO_NURSE, WAITING
from maillage.pathways.models import CareRequest, Meeting, Pathway, PathwayTemplate, RuptureAlert
from maillage.territory.demo import DEMO_PASSWORD
from tests.browser.test_pathways import _clean, _phone
from tests.browser.test_pathways import _with_totp as with_totp

pytestmark = pytest.mark.browser

SLUG = "chatillon-malakoff-vanves"
COORDINATOR = "coordination.cmv@demo.maillage.fr"


def _log_in(browser, live_server, email):
    """A phone logged in as the demo account `email` (once per test: a second login within the same
    30 s would offer the same code, which is refused)."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    _user, secret = with_totp(User.objects.get(email=email))
    context, page = _phone(browser, live_server)
    page.login(email, DEMO_PASSWORD)
    page.page.locator("input[name=code]").fill(format(hotp_value(secret, int(time.time()) // 30), "06d"))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    return context, page


def test_the_mission_can_be_tried_on_the_demo(browser, live_server, installed, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    hospital = Structure.objects.filter(category_code=HOSPITAL_CATEGORY, commune__cpts_links__cpts__slug=SLUG).first()
    assert hospital is not None  # the demo's hospital, in the FINESS extract
    yesterday = timezone.localdate() - timedelta(days=1)

    # The coordinator enrols a patient back home from the demo hospital with the discharge template.
    context, page = _log_in(browser, live_server, COORDINATOR)
    page.goto(f"/c/{SLUG}/parcours-patients/nouveau/")
    form = page.page
    template = PathwayTemplate.objects.get(cpts=None, code="sortie-hospitalisation-personne-agee")
    form.get_by_label("Modèle de parcours").select_option(str(template.pk))
    form.get_by_label("Date de sortie d'hospitalisation").fill(yesterday.isoformat())
    form.locator("#id_last_name").fill("Garnier")
    form.locator("#id_first_name").fill("Lucienne")
    form.get_by_label("Date de naissance").fill("1935-02-11")
    form.get_by_label("Sexe").select_option("F")
    form.get_by_label("Commune de résidence").select_option("92046")
    form.get_by_label("établissement ou service hospitalier").check()
    form.get_by_label("FINESS de l'établissement qui oriente").fill(hospital.finess_et)
    form.locator("#id_referrer_service").fill("Gériatrie")
    form.get_by_label("Version du texte d'information remis").fill("2026-12-v1")
    form.locator("#id_team").check()
    form.get_by_role("button", name="Inscrire le patient").click()
    page.page.wait_for_load_state("networkidle")
    pathway = Pathway.objects.get(last_name="Garnier")
    assert pathway.referrer_structure == hospital
    text = page.text()
    assert "Lucienne Garnier est inscrite dans le parcours" in text
    assert "Visite infirmière à domicile" in text and "Consultation du médecin traitant" in text
    assert pathway.tasks.count() >= 3
    _clean(page)
    coordinator = context, page  # kept for the alerts and the minutes below

    # The demo nurse was offered the demo's waiting request: no identity until she accepts it.
    waiting = CareRequest.objects.get(cpts__slug=SLUG, need=WAITING)
    context, page = _log_in(browser, live_server, DEMO_NURSE)
    page.goto(f"/c/{SLUG}/demandes-de-prise-en-charge/")
    page.page.get_by_role("link", name=WAITING).click()
    page.page.wait_for_load_state("networkidle")
    assert waiting.patient_name not in page.text()
    _clean(page)
    page.page.get_by_role("button", name="Accepter la prise en charge").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Vous avez accepté la demande" in text and waiting.patient_name in text
    waiting.refresh_from_db()
    assert waiting.status == "accepted" and waiting.accepted_user.email == DEMO_NURSE
    _clean(page)
    context.close()

    # A task of the new pathway left undone past its tolerance: the hourly job raises the alert.
    task = pathway.tasks.order_by("due_on", "pk").first()
    pathway.tasks.filter(pk=task.pk).update(due_on=yesterday - timedelta(days=10), alert_on=yesterday)
    call_command("run_periodic", "--job", "pathways.ruptures", "--force", stdout=io.StringIO())
    assert RuptureAlert.objects.filter(task=task, resolved_at=None).exists()
    context, page = coordinator
    page.goto(f"/c/{SLUG}/parcours-patients/alertes/")
    assert f"{pathway.reference} — Garnier Lucienne" in page.text() and task.title in page.text()
    _clean(page)

    # The RCP held three days ago: its minutes, as DOCX.
    meeting = Meeting.objects.get(cpts__slug=SLUG, status="held")
    page.goto(f"/c/{SLUG}/rcp/{meeting.pk}/")
    _clean(page)
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Compte rendu (.docx)").click()
    saved = tmp_path / "rcp.docx"
    download.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "Maintien à domicile validé." in text
    assert page.console_errors == [] and page.failed == []
    context.close()
