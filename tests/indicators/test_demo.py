"""The indicators' demo, on a CPTS with the demo's address (without the national reference)."""

from decimal import Decimal

import pytest

from maillage.core.models import AuditEntry
from maillage.indicators import demo
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period
from maillage.indicators.values import for_year, latest
from tests.factories import CptsFactory

pytestmark = pytest.mark.django_db


def test_the_demo_gives_cmv_two_years_of_figures_and_runs_again_without_writing(idf):
    cmv = CptsFactory(slug=demo.SLUG, name="CPTS Châtillon-Malakoff-Vanves (démo)")
    lines = []
    demo.load([cmv, idf["paris13"]], log=lines.append)

    assert for_year(cmv, 2025)["cpam.ald_sans_mt"] == Decimal("128")
    assert for_year(cmv, 2026)["cpam.ald_sans_mt"] == Decimal("96")
    assert for_year(cmv, 2025)["cpam.depistage_sein"] == Decimal("70.1")
    assert latest(cmv, "cpam.depistage_sein") == (Period.year(2026), Decimal("72.9"))
    assert for_year(cmv, 2025)["doctor_access.found_doctor"] is not None  # recorded, not left empty
    months = IndicatorValue.objects.filter(cpts=cmv, code="unscheduled.requests").exclude(period__in=["2025"])
    assert sorted(months.values_list("period", flat=True)) == [f"2025-{m:02d}" for m in range(1, 13)] + [
        f"2026-{m:02d}" for m in range(1, 11)
    ]
    entered = IndicatorValue.objects.filter(cpts=cmv, source_date__isnull=False)
    assert all(row.source.startswith("CPAM des Hauts-de-Seine") for row in entered)
    assert not IndicatorValue.objects.filter(cpts=idf["paris13"]).exists()
    assert lines and "valeurs saisies" in lines[0]

    rows, entries = IndicatorValue.objects.count(), AuditEntry.objects.count()
    demo.load([cmv], log=lines.append)
    assert (IndicatorValue.objects.count(), AuditEntry.objects.count()) == (rows, entries)
