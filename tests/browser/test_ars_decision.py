"""The ARS in the lifecycle, in headless Chromium: a regional viewer, on a 390 px phone, finds the
projet awaiting its answer with the tacit-validation date, reads it and records an objection; the
coordinator sees the answer on the CPTS's timeline, without the tacit date beside it."""

import pytest
from django.utils import timezone

from maillage.lifecycle.dates import deemed_validation
from maillage.projet import actions as projet_actions
from tests.browser.conftest import Page
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser

REASONS = "La fiche prévention ne dit pas qui pilote le dépistage."


def test_the_ars_records_an_objection_and_the_coordinator_sees_it(browser, live_server, page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    cpts = idf["cmv"]
    coordinator = RoleFactory(coordinator=True, cpts=cpts).user
    projet_actions.save_texts(cpts, {"presentation": "Une CPTS de trois communes au sud de Paris."}, coordinator)
    projet_actions.save_fiche(
        cpts, {"mission": "prevention", "title": "Dépistage du cancer du sein", "objective": "Participer."}, [],
        coordinator,
    )  # fmt: skip
    projet_actions.move(cpts, "depose", coordinator)
    deemed = deemed_validation(timezone.localdate())
    viewer = RoleFactory(regional=True, region=idf["region"]).user

    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = Page(context.new_page(), live_server.url)
        phone.login(viewer.email, PASSWORD)
        phone.goto("/couverture/region/11/cpts/")
        awaiting = phone.page.get_by_test_id("awaiting-ars")
        assert f"réputé validé le {deemed:%d/%m/%Y}" in " ".join(awaiting.inner_text().split())
        assert phone.axe("[data-testid=awaiting-ars]") == [] and phone.overflow() <= 0
        awaiting.get_by_role(
            "link", name="CPTS Châtillon-Malakoff-Vanves : lire le projet (version 1) et répondre"
        ).click()
        phone.page.wait_for_load_state("networkidle")
        assert phone.page.get_by_test_id("ars-deemed").inner_text() == f"{deemed:%d/%m/%Y}"
        assert "Une CPTS de trois communes au sud de Paris." in phone.page.get_by_test_id("ars-projet").inner_text()
        assert phone.axe() == [] and phone.overflow() <= 0
        form = phone.page.get_by_test_id("ars-form")
        form.get_by_role("radio", name="Objection").check()
        form.get_by_label("Date de la décision").fill(timezone.localdate().isoformat())
        form.get_by_label("Motifs de l'objection").fill(REASONS)
        assert form.get_by_role("button", name="Enregistrer la décision").is_visible()
        form.get_by_role("button", name="Enregistrer la décision").click()
        phone.page.get_by_text("Décision enregistrée : objection").wait_for()
        assert REASONS in phone.page.get_by_test_id("ars-decisions").inner_text()
        assert phone.page.get_by_test_id("ars-form").count() == 0  # the projet is back with the CPTS
        assert phone.axe() == [] and phone.overflow() <= 0
        assert phone.console_errors == [] and phone.failed == []
    finally:
        context.close()

    page.login(coordinator.email, PASSWORD)
    page.goto("/c/cmv/parcours/")
    row = page.page.locator('tr[data-kind="ars_response"]')
    assert row.get_by_test_id("ars-answer").inner_text() == "objection : projet à réviser"
    assert REASONS in row.inner_text() and "réputée acquise" not in row.inner_text()
    assert row.locator("form").count() == 0  # the coordinator no longer records the ARS's answer
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []
