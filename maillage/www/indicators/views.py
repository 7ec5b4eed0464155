"""The indicators of a CPTS for a period, as the registry computes them (coordinator only)."""

from django.shortcuts import render
from django.utils import timezone

from maillage.indicators import registry
from maillage.indicators.periods import Period, PeriodError
from maillage.www.scoping import cpts_for


def recent_periods(today=None) -> list[Period]:
    """The choices offered: the last twelve months, the last four quarters, this year and last."""
    today = today or timezone.localdate()
    months = [
        Period.month((today.year * 12 + today.month - 1 - k) // 12, (today.month - 1 - k) % 12 + 1) for k in range(12)
    ]
    quarter = (today.month - 1) // 3 + 1
    quarters = [Period.quarter(today.year - (k >= quarter), (quarter - 1 - k) % 4 + 1) for k in range(4)]
    return [*months, *quarters, Period.year(today.year), Period.year(today.year - 1)]


def period_from(request) -> tuple[Period, str]:
    """The period asked in `?periode=` (default: this month), and the French error if unreadable."""
    asked = request.GET.get("periode", "")
    if not asked:
        return Period.current_month(), ""
    try:
        return Period.parse(asked), ""
    except PeriodError as exc:
        return Period.current_month(), str(exc)


def cpts_indicators(request, slug):
    cpts = cpts_for(request, slug)
    period, error = period_from(request)
    values = registry.compute(cpts, period)
    missions = []
    for code, label in registry.Mission.choices:
        rows = [(indicator, values[indicator.code]) for indicator in registry.of_mission(code)]
        if rows:
            missions.append((label, rows))
    return render(
        request,
        "indicators/cpts.html",
        {"cpts": cpts, "period": period, "periods": recent_periods(), "missions": missions, "error": error},
        status=400 if error else 200,
    )
