"""Reading the registry's values of a year, as the funding and the reports need them.

A value of a year is the one kept for the period "YYYY" (`IndicatorValue`, computed by
`record_values` or entered by hand for what comes from outside Maillage). A breakdown counts as
its total. The funding reads indicators only through this module.
"""

from decimal import Decimal

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
