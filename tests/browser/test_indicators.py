"""Indicators in headless Chromium: the coordinator enters the CPAM's breast-screening rate and
sees it in the chart and the history of the indicator."""

import re
from datetime import date

import pytest

from maillage.indicators.actions import enter_value
from maillage.indicators.models import IndicatorValue
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def test_the_coordinator_enters_a_screening_rate_and_sees_it_in_the_chart(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    enter_value(
        idf["cmv"], "cpam.depistage_sein", "2025", value="70.1", source="CPAM des Hauts-de-Seine, tableau de bord ACI",
        source_date=date(2026, 3, 16), actor=coordinator,
    )  # fmt: skip
    page.login(coordinator.email, PASSWORD)
    page.page.get_by_role("link", name="Indicateurs").click()
    page.page.wait_for_load_state("networkidle")
    assert page.axe() == []

    form = page.page.locator("section.panel", has=page.page.get_by_role("heading", name="Saisir une valeur"))
    form.get_by_label("Indicateur").select_option(label="Taux de dépistage organisé du cancer du sein")
    form.get_by_label("Période").fill("2026")
    form.get_by_label(re.compile(r"^Valeur\s*:?$")).fill("140")
    form.get_by_label(re.compile(r"^Source\s*:?$")).fill("CPAM des Hauts-de-Seine, cumul à fin septembre")
    form.get_by_label("Date de la source").fill("2026-10-20")
    form.get_by_role("button", name="Enregistrer la valeur").click()
    page.page.get_by_text("Un pourcentage est compris entre 0 et 100 (140 saisi).").wait_for()
    assert not IndicatorValue.objects.filter(period="2026").exists()
    # The refused form answers 400, which Chromium reports on the console: expected, and only that.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()

    form = page.page.locator("section.panel", has=page.page.get_by_role("heading", name="Saisir une valeur"))
    form.get_by_label(re.compile(r"^Valeur\s*:?$")).fill("72,9")
    form.get_by_role("button", name="Enregistrer la valeur").click()
    page.page.get_by_role("heading", name="Taux de dépistage organisé du cancer du sein").wait_for()
    assert "Valeur enregistrée" in page.text()

    chart = page.page.get_by_role("img", name="Taux de dépistage organisé du cancer du sein, par année (%)")
    assert chart.locator("circle").count() == 2
    assert chart.locator("desc").text_content() == "2025 : 70,1 ; 2026 : 72,9"
    history = page.page.get_by_role("table", name="Historique des valeurs")
    row = history.get_by_role("row", name="année 2026")
    assert "72,9" in row.inner_text() and "cumul à fin septembre" in row.inner_text()
    assert "20/10/2026" in row.inner_text()
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []
