"""The coordinator opens the funding of a demo-like CPTS, reads the year's total and schedule and
downloads the XLSX report."""

import io
from pathlib import Path

import openpyxl
import pytest

from maillage.funding.actions import save_contract
from maillage.funding.models import RuleSet
from tests.factories import PASSWORD, RoleFactory
from tests.funding.conftest import FOUND, SERVED, cmv_draft, keep

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_the_coordinator_reads_the_funding_and_downloads_the_report(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)
    keep(idf["cmv"], FOUND, 2025, 35)
    keep(idf["cmv"], SERVED, 2025, 72.5)
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.page.get_by_role("link", name="Financement").click()
    page.page.get_by_role("heading", name="Financement ACI de la CPTS Châtillon-Malakoff-Vanves").wait_for()
    page.page.get_by_label("Année du contrat").select_option("2025")
    page.page.get_by_role("button", name="Afficher").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Total 2025 303 250,00 €" in text
    assert "Avance (75 % de la part fixe) 15/03/2025 218 437,50 €" in text
    assert "Solde (reste de la part fixe et part variable) 30/04/2026 84 812,50 €" in text
    assert page.axe() == []
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Télécharger le rapport (XLSX)").click()
    assert download.value.suggested_filename == "financement-aci-cmv-2025.xlsx"
    # The saved file has no extension, which openpyxl refuses: read its bytes instead.
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    totals = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Total")
    assert totals[:4] == ("Total", 291_250, 12_000, 303_250)
    # Chromium reports a navigation that turns into a download as an aborted request: that one only.
    assert page.console_errors == [] and [url for url in page.failed if "rapport.xlsx" not in url] == []


def test_the_coordinator_recomputes_a_pending_indicator_on_a_phone(page, idf, settings):
    """An indicator Maillage computes is « calcul en attente », never to enter; « Recalculer » fills it."""
    from datetime import datetime

    from django.utils import timezone

    from tests.doctor_access.conftest import logged_request

    settings.DEMO_RELAX_MFA = True
    save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)

    def local(*args):
        return timezone.make_aware(datetime(*args))

    for day in (3, 17):
        logged_request(idf["cmv"], idf["communes"]["92046"], local(2025, 5, day), (local(2025, 5, day + 1), "qualified"),
                       (local(2025, 6, day), "proposed"), (local(2025, 6, day + 2), "accepted"))  # fmt: skip
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.page.set_viewport_size(PHONE)
    page.login(coordinator.email, PASSWORD)
    page.goto("/c/cmv/financement/?annee=2025")
    text = page.text()
    assert "Calcul en attente pour 2025 : Patients ayant trouvé un médecin traitant" in text
    assert "à saisir" not in text and "valeur manquante" not in text
    assert page.axe() == [] and page.overflow() <= 0
    button = page.page.get_by_role("button", name="Recalculer 2025 maintenant")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    button.click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Indicateurs calculés pour 2025" in text and "Calcul en attente" not in text
    assert "Aucune donnée en 2025 pour Part des demandes prises en charge en moins de 24 heures" in text
    assert page.axe() == [] and page.overflow() <= 0
    assert page.console_errors == [] and page.failed == []
