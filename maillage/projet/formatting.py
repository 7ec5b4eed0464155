"""Numbers as a French reader expects them in the exports: « 12 345 », « 12,5 »."""

import datetime
from decimal import Decimal

from django.utils import timezone

from maillage.core.french import grouped


def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):  # already text: a figure hidden from a regional reader (« < 5 »)
        return value
    # 42.00 → 42, 12.50 → 12,5: a stored value's trailing zeros say nothing to the reader.
    if isinstance(value, Decimal | float) and value == int(value):
        value = int(value)
    if isinstance(value, int):
        return grouped(value)
    whole, _, fraction = f"{value:f}".partition(".")
    whole = grouped(int(whole)) if whole.lstrip("-").isdigit() else whole
    fraction = fraction.rstrip("0")
    return f"{whole},{fraction}" if fraction else whole


def local_day(moment):
    """A date as is; an aware datetime (an import's end, kept in UTC) on the Paris calendar."""
    return timezone.localtime(moment) if isinstance(moment, datetime.datetime) else moment
