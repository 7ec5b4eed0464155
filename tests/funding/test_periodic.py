"""After `run_periodic`, the funding reads the year's value of an indicator Maillage computes
instead of « valeur manquante » (which paid 0 € for it)."""

import io
import re
from datetime import date, datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.core import periodic
from maillage.core.models import AuditEntry
from maillage.indicators.models import MAILLAGE, IndicatorValue
from maillage.indicators.periodic import closed_periods, current_periods
from tests.doctor_access.conftest import logged_request

FOUND_LABEL = "Patients ayant trouvé un médecin traitant"


def local(*args):
    return timezone.make_aware(datetime(*args))


def found_cell(page: str) -> str:
    row = re.search(rf"<th scope=\"row\">{FOUND_LABEL}</th><td>[^<]*</td><td class=\"num\">(.*?)</td>", page)
    return row[1]


@pytest.fixture
def accepted_in_2025(idf, cmv_contract):
    cmv, malakoff = idf["cmv"], idf["communes"]["92046"]
    for day in (3, 17):
        logged_request(cmv, malakoff, local(2025, 5, day), (local(2025, 5, day + 1), "qualified"),
                       (local(2025, 6, day), "proposed"), (local(2025, 6, day + 2), "accepted"))  # fmt: skip
    return cmv_contract


def test_after_a_periodic_run_the_funding_shows_the_computed_value(coordinator_client, accepted_in_2025, monkeypatch):
    before = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert "calcul en attente" in found_cell(before)
    # In January 2026 the previous year is still recomputed: its funding is settled in April.
    monkeypatch.setattr(periodic, "now", lambda: local(2026, 1, 12, 5, 0))
    call_command("run_periodic", stdout=StringIO())
    page = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert found_cell(page) == "2"
    assert not re.search(rf"Calcul en attente pour 2025[^/]*{FOUND_LABEL}", page)
    report = coordinator_client.get("/c/cmv/financement/rapport.xlsx?annee=2025")
    rows = openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)
    assert {row[0]: row[1:] for row in rows if row and row[0]}[FOUND_LABEL][:2] == ("accès aux soins", "2")
    kept = IndicatorValue.objects.get(cpts__slug="cmv", code="doctor_access.found_doctor", period="2025")
    assert kept.value == 2 and kept.source == MAILLAGE


@pytest.mark.parametrize(
    ("today", "current", "closed"),
    [
        (date(2026, 6, 10), ["2026-06", "2026-T2", "2026"], ["2026-05"]),
        (date(2026, 4, 20), ["2026-04", "2026-T2", "2026"], ["2026-03", "2026-T1", "2025"]),
        (date(2026, 5, 1), ["2026-05", "2026-T2", "2026"], ["2026-04", "2026-T1"]),  # T2's 31st day
        (date(2026, 5, 2), ["2026-05", "2026-T2", "2026"], ["2026-04"]),
        (date(2027, 1, 2), ["2027-01", "2027-T1", "2027"], ["2026-12", "2026-T4", "2026"]),
    ],
)
def test_which_periods_are_computed(today, current, closed):
    assert [p.code for p in current_periods(today)] == current
    assert [p.code for p in closed_periods(today)] == closed


def test_the_coordinator_recomputes_the_year_now(coordinator_client, accepted_in_2025, idf):
    before = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert "calcul en attente" in found_cell(before) and "Recalculer 2025 maintenant" in before
    assert "à saisir" not in before
    version = accepted_in_2025.version
    page = coordinator_client.post(
        "/c/cmv/financement/recalculer/", {"annee": "2025", "version": version}, follow=True
    ).content.decode()
    assert found_cell(page) == "2" and "Indicateurs calculés pour 2025" in page
    assert "Calcul en attente" not in page and "calcul en attente" not in page
    assert "Aucune donnée en 2025 pour Part des demandes prises en charge en moins de 24 heures" in page
    entry = AuditEntry.objects.get(action="indicators.values.recorded")
    assert entry.actor is not None and entry.details["période"] == "2025"


def test_a_recompute_on_a_changed_contract_or_a_future_year_is_explained(coordinator_client, accepted_in_2025):
    stale = coordinator_client.post(
        "/c/cmv/financement/recalculer/", {"annee": "2025", "version": accepted_in_2025.version + 7}, follow=True
    ).content.decode()
    assert "Le contrat a été modifié pendant votre lecture" in stale
    future = timezone.localdate().year + 1
    later = coordinator_client.post(
        "/c/cmv/financement/recalculer/", {"annee": str(future), "version": ""}, follow=True
    ).content.decode()
    assert f"L&#x27;année {future} n&#x27;a pas commencé" in later or "ne couvre pas" in later
    assert not AuditEntry.objects.filter(action="indicators.values.recorded").exists()


def test_a_regional_reader_sees_the_pending_value_without_the_button(login, idf, accepted_in_2025):
    from tests.factories import RoleFactory

    viewer = login(RoleFactory(regional=True, region=idf["region"]).user)
    page = viewer.get("/c/cmv/financement/?annee=2025").content.decode()
    assert "Calcul en attente pour 2025" in page and "Recalculer" not in page
    assert viewer.post("/c/cmv/financement/recalculer/", {"annee": "2025"}).status_code == 404
