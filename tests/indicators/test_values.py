from datetime import date
from decimal import Decimal

import pytest

from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period
from maillage.indicators.registry import UnknownIndicator
from maillage.indicators.values import for_year, latest
from tests.factories import CptsFactory

pytestmark = pytest.mark.django_db


def keep(cpts, code, period, value):
    year = int(period[:4])
    IndicatorValue.objects.create(
        cpts=cpts, code=code, period=period, period_start=date(year, 1, 1), period_end=date(year + 1, 1, 1), value=value
    )


def test_a_year_reads_the_values_kept_for_that_year_only():
    cpts, other = CptsFactory(), CptsFactory()
    keep(cpts, "doctor_access.found_doctor", "2025", 12)
    keep(cpts, "doctor_access.found_doctor", "2024", 3)
    keep(cpts, "doctor_access.waiting_by_priority", "2025", {"priorité 1": 4, "non prioritaire": 2.5})
    keep(other, "doctor_access.found_doctor", "2025", 99)

    values = for_year(cpts, 2025)

    assert values["doctor_access.found_doctor"] == Decimal("12")
    assert values["doctor_access.waiting_by_priority"] == Decimal("6.5")
    assert values["unscheduled.requests"] is None  # nothing kept for it


def test_a_year_reads_the_external_values_entered_for_it(enter):
    cpts = enter("cpam.depistage_sein", "2025", "70.1").cpts
    enter("cpam.depistage_sein", "2025-T4", "70.4")  # a quarter is not the year
    enter("cpam.ald_sans_mt", "2025", 128)

    values = for_year(cpts, 2025)

    assert values["cpam.depistage_sein"] == Decimal("70.1")
    assert values["cpam.ald_sans_mt"] == Decimal("128")
    assert values["cpam.vaccination_grippe_65"] is None
    assert for_year(cpts, 2026)["cpam.depistage_sein"] is None


def test_latest_is_the_value_of_the_period_that_ends_last(enter):
    cmv = enter("cpam.ald_sans_mt", "2025", 128).cpts
    assert latest(cmv, "cpam.depistage_sein") is None
    enter("cpam.ald_sans_mt", "2026-T1", 117)
    enter("cpam.ald_sans_mt", "2026-T3", 96, source_date=date(2026, 10, 20))
    enter("cpam.ald_sans_mt", "2026-02", 110)

    assert latest(cmv, "cpam.ald_sans_mt") == (Period.quarter(2026, 3), Decimal("96"))
    enter("cpam.ald_sans_mt", "2026", 97, source_date=date(2026, 10, 21))
    assert latest(cmv, "cpam.ald_sans_mt") == (Period.year(2026), Decimal("97"))


def test_latest_skips_values_that_could_not_be_computed_and_refuses_unknown_codes(cmv):
    keep(cmv, "doctor_access.median_wait_days", "2025", 12)
    keep(cmv, "doctor_access.median_wait_days", "2026", None)
    assert latest(cmv, "doctor_access.median_wait_days") == (Period.year(2025), Decimal("12"))
    with pytest.raises(UnknownIndicator):
        latest(cmv, "cpam.inconnu")
