from datetime import date
from decimal import Decimal

import pytest

from maillage.indicators.models import IndicatorValue
from maillage.indicators.values import for_year
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
