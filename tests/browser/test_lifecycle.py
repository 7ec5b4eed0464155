"""The lifecycle in headless Chromium: the coordinator dates a mission's start and its late flag
goes away (htmx); the ARS's viewer reads the région's funnel."""

from datetime import date

import pytest

from maillage.lifecycle import actions
from tests.factories import PASSWORD, RoleFactory
from tests.lifecycle.conftest import CHAIN_DATES, TODAY, date_all

pytestmark = pytest.mark.browser


def _signed_cmv(idf):
    date_all(idf["cmv"], [*CHAIN_DATES, ("start_access", date(2023, 6, 1))])
    for target in ("conception", "contractualisation", "fonctionnement"):
        actions.move_phase(idf["cmv"], target, actor=None, today=TODAY)


def test_the_coordinator_dates_a_milestone_and_the_late_flag_goes(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    _signed_cmv(idf)
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.page.get_by_role("link", name="Étapes de la CPTS", exact=True).click()
    page.page.wait_for_load_state("networkidle")
    assert "Phase actuelle : fonctionnement" in page.text()
    row = page.page.locator('tr[data-kind="start_pathways"]')
    assert row.get_by_test_id("late").is_visible()
    assert "7 échéances de mission en retard" in page.text()
    assert page.axe() == []
    row.get_by_label("Date : Démarrage : parcours pluriprofessionnels", exact=True).fill("2024-01-10")
    row.get_by_role("button", name="Enregistrer la date : Démarrage : parcours pluriprofessionnels").click()
    page.page.get_by_text("daté du 10/01/2024").wait_for()
    row = page.page.locator('tr[data-kind="start_pathways"]')
    assert row.get_by_test_id("late").count() == 0
    assert "respectée" in row.inner_text()
    assert "6 échéances de mission en retard" in page.text()
    # A date before the signature is explained next to its milestone; nothing changes.
    row = page.page.locator('tr[data-kind="start_crisis"]')
    row.get_by_label("Date : Démarrage : crises sanitaires", exact=True).fill("2023-01-02")
    row.get_by_role("button", name="Enregistrer la date : Démarrage : crises sanitaires").click()
    page.page.get_by_text("avant « Signature de l'ACI » (15/03/2023)").wait_for()
    assert page.page.locator('tr[data-kind="start_crisis"]').get_by_test_id("late").is_visible()
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []


def test_the_ars_viewer_sees_the_funnel(page, idf):
    _signed_cmv(idf)
    viewer = RoleFactory(regional=True, region=idf["region"]).user
    page.login(viewer.email, PASSWORD)
    page.goto("/couverture/region/11/")
    page.page.get_by_role("link", name="Les CPTS de la région et leurs étapes (phases, échéances)").click()
    page.page.wait_for_load_state("networkidle")
    funnel = page.page.get_by_test_id("funnel")
    assert funnel.locator('[data-phase="fonctionnement"]').inner_text() == "1"
    assert funnel.locator('[data-phase="ideation"]').inner_text() == "2"
    table = page.page.get_by_test_id("cpts-phases")
    assert "CPTS Châtillon-Malakoff-Vanves" in table.inner_text() and "T3" in table.inner_text()
    assert page.axe() == []
    table.get_by_role("link", name="CPTS Châtillon-Malakoff-Vanves").click()
    page.page.wait_for_load_state("networkidle")
    assert "(consultation)" in page.text() and "15/03/2023" in page.text()
    assert page.page.locator("#parcours form").count() == 0
    # From the région's list, the CPTS's aggregates: its indicators, read-only.
    page.page.go_back()
    links = page.page.get_by_role("list", name="Pages de la CPTS Châtillon-Malakoff-Vanves")
    links.get_by_role("link", name="Indicateurs").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.get_by_role("heading", level=1).inner_text().startswith("Indicateurs")
    assert page.page.locator("form.entry-form").count() == 0
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []
