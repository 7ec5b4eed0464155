"""Calendar arithmetic of the lifecycle: months counted the way the law and the ACI count them."""

import calendar
from datetime import date

# Article L1434-12 CSP: the projet de santé is deemed approved when the ARS has not objected
# within two months of its submission.
ARS_SILENCE_MONTHS = 2


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months; a day the target month lacks is clamped to its last
    day (31 December + 2 months = 28 or 29 February), which is how a deadline "in two months" falls."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def deemed_validation(submitted_on: date) -> date:
    """The day the projet de santé counts as validated by the ARS's silence."""
    return add_months(submitted_on, ARS_SILENCE_MONTHS)
