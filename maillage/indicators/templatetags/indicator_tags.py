"""How the templates write an indicator's value: French numbers, at most two decimals shown (the
kept value keeps its own precision), and breakdowns told apart from single numbers."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from maillage.indicators.chart import number_text

register = template.Library()
SHOWN = Decimal("0.01")


@register.filter
def is_breakdown(value) -> bool:
    return isinstance(value, dict)


@register.filter
def number(value):
    """72.9 → "72,9", 874.6479 → "874,65", 96 → "96"; anything else (a hidden count "< 5") as is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return number_text(Decimal(str(value)).quantize(SHOWN, rounding=ROUND_HALF_UP))
