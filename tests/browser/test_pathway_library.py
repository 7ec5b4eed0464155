"""The library of pathway templates in headless Chromium at phone width: the coordinator copies a
template of the shared library, is told in French that a step cannot start before the discharge,
fixes it, saves the draft and publishes it; every page axe-clean, none wider than the phone."""

import pytest

from maillage.pathways.models import PathwayTemplate
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser
LIBRARY = "/c/cmv/parcours-patients/modeles/"


def _fits(page):
    assert page.overflow() <= 0, page.page.url
    assert page.axe() == [], page.page.url


def test_the_coordinator_copies_adapts_and_publishes_a_template_on_a_phone(mobile_page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    page = mobile_page
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.goto(LIBRARY)
    assert "La bibliothèque commune" in page.text() and "Diabète de type 2 déséquilibré" in page.text()
    _fits(page)
    page.page.get_by_role("button", name="Copier pour ma CPTS : Diabète de type 2 déséquilibré").click()
    page.page.get_by_text("copié pour la CPTS, en brouillon").wait_for()
    copy = PathwayTemplate.objects.get(cpts=idf["cmv"], code="diabete-type-2-desequilibre")
    assert copy.is_draft
    _fits(page)
    page.page.locator("#id_etapes-0-offset_days").fill("-2")
    page.page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.page.wait_for_load_state("networkidle")
    assert "Étape 1 : le délai ne peut pas être négatif" in page.text()
    copy.refresh_from_db()
    assert copy.steps.first().offset_days == 0 and copy.version == 0
    _fits(page)
    page.page.locator("#id_etapes-0-offset_days").fill("2")
    page.page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.page.get_by_text("Brouillon du modèle « Diabète de type 2 déséquilibré » enregistré.").wait_for()
    assert copy.steps.first().offset_days == 2
    assert "J+2 après l'inscription" in page.text()
    _fits(page)
    page.page.get_by_role("button", name="Publier").click()
    page.page.get_by_text("publié (version 1)").wait_for()
    copy.refresh_from_db()
    assert copy.status == "published"
    _fits(page)
    # The refused form answered 400, which Chromium logs; nothing else may show there.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert page.failed == []
