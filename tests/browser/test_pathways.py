"""Issue 15: the coordinator enrols a patient back home from hospital with a nurse on the team; the
nurse, with her linked account, finds the pathway and marks a task done — on a phone, 390 px wide."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.pathways.models import Pathway, PathwayTemplate
from tests.browser.conftest import Page
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser

DISCHARGE = "sortie-hospitalisation-personne-agee"


def _with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def _log_in(page, user, secret):
    page.login(user.email, PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.page.url
    page.page.locator("input[name=code]").fill(format(hotp_value(secret, int(time.time()) // 30), "06d"))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")


def _phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    return context, Page(context.new_page(), live_server.url)


def _clean(page):
    assert page.axe() == []
    wide = page.page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + "
        "Math.round(e.getBoundingClientRect().right)).slice(0, 15)"
    )
    assert page.overflow() <= 0, wide


def test_the_coordinator_enrols_a_discharged_patient_and_the_nurse_marks_a_task_done(browser, live_server, idf):
    nurse = ProfessionalFactory(adeli=True, last_name="Bernard", first_name="Claire")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92046"])
    nurse_user, nurse_secret = _with_totp(RoleFactory(cpts=idf["cmv"]).user)
    ProfessionalAccount.objects.create(user=nurse_user, professional=nurse)
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    template = PathwayTemplate.objects.get(cpts=None, code=DISCHARGE)
    yesterday = timezone.localdate() - timedelta(days=1)

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/parcours-patients/")
    page.page.get_by_role("link", name="Inscrire un patient").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_label("Modèle de parcours").select_option(str(template.pk))
    form.get_by_label("Date de sortie d'hospitalisation").fill(yesterday.isoformat())
    form.locator("#id_last_name").fill("Moreau")
    form.locator("#id_first_name").fill("Jeanne")
    form.get_by_label("Date de naissance").fill("1938-05-02")
    form.get_by_label("Sexe").select_option("F")
    form.get_by_label("Commune de résidence").select_option("92046")
    form.get_by_label("Téléphone").fill("06 01 02 03 04")
    form.get_by_label("le patient lui-même").check()
    form.get_by_label("Version du texte d'information remis").fill("2026-12-v1")
    form.locator("#id_team").check()
    form.locator("#id_member_1").select_option(f"p{nurse.pk}")
    form.locator("#id_role_1").select_option("nurse")
    form.get_by_role("button", name="Inscrire le patient").click()
    page.page.wait_for_load_state("networkidle")
    pathway = Pathway.objects.get()
    assert page.page.url.endswith(f"/c/cmv/parcours-patients/{pathway.pk}/")
    text = page.text()
    assert "Jeanne Moreau est inscrite dans le parcours" in text
    assert "Visite infirmière à domicile" in text and "Consultation du médecin traitant" in text
    assert "Claire Bernard" in text
    _clean(page)
    assert page.console_errors == []
    context.close()

    context, page = _phone(browser, live_server)
    _log_in(page, nurse_user, nurse_secret)
    page.goto("/c/cmv/parcours-patients/")
    page.page.get_by_role("link", name=pathway.reference).click()
    page.page.wait_for_load_state("networkidle")
    assert "Visite infirmière à domicile" in page.text()
    page.page.get_by_label("Note sur « Visite infirmière à domicile »").fill("Constantes prises, ordonnance lue.")
    page.page.get_by_role("button", name="Marquer comme faite : Visite infirmière à domicile").click()
    page.page.wait_for_load_state("networkidle")
    assert "Tâche « Visite infirmière à domicile » : fait." in page.text()
    task = pathway.tasks.get(title="Visite infirmière à domicile")
    assert task.status == "done" and task.note == "Constantes prises, ordonnance lue."
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
