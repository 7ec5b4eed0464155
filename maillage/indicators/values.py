"""Reading the registry's kept values, as the funding, the reports and the pages need them.

A value of a year is the one kept for the period "YYYY" (`IndicatorValue`, computed by
`record_values` or entered by hand for what comes from outside Maillage). A breakdown counts as
its total. The funding reads indicators only through this module.
"""

from decimal import Decimal

from django.db.models import F

from maillage.indicators import registry
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period


def as_decimal(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = registry.total(value)
    # Through str: a float's repr is its shortest exact decimal reading (72.4, not 72.4000000000000056…).
    return Decimal(str(value))


def for_year(cpts, year: int) -> dict[str, Decimal | None]:
    """{indicator code: value} of every registered indicator for calendar year `year`; None where
    no value was kept or entered."""
    period = Period.year(year)
    kept = dict(IndicatorValue.objects.filter(cpts=cpts, period=period.code).values_list("code", "value"))
    return {code: as_decimal(kept.get(code)) for code in registry.REGISTRY}


def latest(cpts, code: str) -> tuple[Period, Decimal] | None:
    """The most recent value kept for `code` (the period that ends last; a year before its own
    December, as the fuller figure), or None when there is none. `UnknownIndicator` for a code the
    registry does not know."""
    registry.get(code)
    row = (
        IndicatorValue.objects.filter(cpts=cpts, code=code, value__isnull=False)
        .order_by("-period_end", "period_start", "-id")
        .values_list("period", "value")
        .first()
    )
    if row is None:
        return None
    return Period.parse(row[0]), as_decimal(row[1])


def history(cpts, code: str) -> list[IndicatorValue]:
    """Every value kept for `code`, oldest period first, with the values it replaced
    (`revisions`) and who entered it."""
    registry.get(code)
    return list(
        IndicatorValue.objects.filter(cpts=cpts, code=code)
        .select_related("entered_by")
        .prefetch_related("revisions__entered_by")
        .order_by("period_start", F("period_end").desc())
    )


def latest_entries(cpts) -> dict[str, IndicatorValue]:
    """The most recent kept row of every external indicator of `cpts` (for the indicators page)."""
    codes = [indicator.code for indicator in registry.external()]
    found: dict[str, IndicatorValue] = {}
    rows = IndicatorValue.objects.filter(cpts=cpts, code__in=codes, value__isnull=False).order_by(
        "code", "-period_end", "period_start", "-id"
    )
    for row in rows:
        found.setdefault(row.code, row)
    return found
