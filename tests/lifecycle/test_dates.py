"""Months counted the way deadlines fall: end of month clamped, leap years."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.lifecycle.dates import add_months, deemed_validation


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # 31 December + 2 months: end of February
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # … a leap year's 29 February
        (date(2099, 12, 31), 2, date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2023, 3, 15), 6, date(2023, 9, 15)),
        (date(2023, 3, 15), 18, date(2024, 9, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),  # across the new year
        (date(2026, 6, 10), 0, date(2026, 6, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_projet_deemed_validated_two_months_after_submission():
    assert deemed_validation(date(2026, 6, 10)) == date(2026, 8, 10)
    assert deemed_validation(date(2025, 12, 31)) == date(2026, 2, 28)
    assert deemed_validation(date(2027, 12, 31)) == date(2028, 2, 29)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)), st.integers(min_value=0, max_value=120))
def test_add_months_lands_in_the_right_month_on_the_same_day_or_its_last_day(start, months):
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    last_day = (end.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert end.day == min(start.day, last_day.day)
