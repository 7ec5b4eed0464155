from django.db import transaction

from maillage.core import audit
from maillage.indicators import registry
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period


def record_values(cpts, period: Period, *, actor=None) -> dict:
    """Computes every registered indicator of `cpts` for `period` and keeps the values."""
    values = registry.compute(cpts, period)
    with transaction.atomic():
        for code, value in values.items():
            IndicatorValue.objects.update_or_create(
                cpts=cpts,
                code=code,
                period=period.code,
                defaults={"period_start": period.start, "period_end": period.end, "value": value},
            )
        audit.record(
            "indicators.values.recorded",
            actor=actor,
            cpts=cpts,
            details={"période": period.code, "nombre": len(values)},
        )
    return values
