"""The indicators of a CPTS: all of them for a period as the registry computes them, the external
ones' last entered values and the form to enter one, and a page per indicator with its history
and chart. Who reads and who enters values is the access policy's `indicators` area; a regional
viewer reads them with every statistic over fewer than 5 people hidden (`registry.for_region`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from maillage.accounts import policy
from maillage.core.versioning import StaleEdit
from maillage.indicators import entry, registry, values
from maillage.indicators.actions import enter_value
from maillage.indicators.chart import line_chart
from maillage.indicators.periods import Period, PeriodError
from maillage.www.indicators.forms import ValueForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


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


def _save(request, cpts, form):
    """Enters the form's value; the redirect to the indicator's page, or None when refused."""
    if not form.is_valid():
        return None
    try:
        kept = enter_value(cpts, **form.action_arguments(), actor=request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        form.refuse(exc)
        return None
    except entry.EntryError as exc:  # the day turned between the form's check and the action's
        form.add_error(None, str(exc))
        return None
    indicator = registry.get(kept.code)
    messages.success(request, f"Valeur enregistrée : {indicator.label}, {Period.parse(kept.period).label}.")
    return redirect("www:indicator_detail", slug=cpts.slug, code=kept.code)


def _status(form, error="") -> int:
    if form is not None and form.stale:
        return 409
    return 400 if error or (form is not None and form.errors) else 200


def mission_rows(cpts, period: Period, *, regional: bool = False) -> list[tuple[str, list]]:
    """(mission label, [(indicator, value as shown)]) of every indicator for `period`; a regional
    reader's values go through `registry.for_region` (small numbers of people hidden)."""
    computed = registry.compute(cpts, period)
    shown = {
        indicator.code: registry.for_region(indicator, computed, cpts=cpts, period=period)
        if regional
        else computed[indicator.code]
        for indicator in registry.REGISTRY.values()
    }
    missions = []
    for code, label in registry.SECTIONS:
        rows = [(indicator, shown[indicator.code]) for indicator in registry.of_mission(code)]
        if rows:
            missions.append((label, rows))
    return missions


def external_rows(cpts, *, regional: bool = False) -> list[tuple]:
    """(indicator, latest kept row or None, its value as shown) of every external indicator."""
    latest = values.latest_entries(cpts)
    rows = []
    for indicator in registry.external():
        kept = latest.get(indicator.code)
        shown = kept.value if kept else None
        if kept and regional:
            period = Period.parse(kept.period)
            shown = registry.for_region(indicator, {indicator.code: kept.value}, cpts=cpts, period=period)
        rows.append((indicator, kept, shown))
    return rows


def history_rows(cpts, indicator, kept, *, regional: bool = False) -> list[tuple]:
    """(kept row, its period, its value as shown) of an indicator's history."""
    rows = []
    for row in kept:
        period = Period.parse(row.period)
        shown = row.value
        if regional:
            shown = registry.for_region(indicator, {indicator.code: row.value}, cpts=cpts, period=period)
        rows.append((row, period, shown))
    return rows


def _cpts(request, slug):
    """The CPTS, whether the user may enter values, and whether they read it as a regional viewer."""
    cpts = cpts_for(request, slug, Area.INDICATORS, WRITE if request.method == "POST" else READ)
    regional = policy.reads_as_region(request.user, Area.INDICATORS, cpts)
    return cpts, may(request, Area.INDICATORS, WRITE, cpts), regional


def cpts_indicators(request, slug):
    cpts, can_enter, regional = _cpts(request, slug)
    form = ValueForm(request.POST if request.method == "POST" else None, cpts=cpts)
    if request.method == "POST" and (done := _save(request, cpts, form)):
        return done
    period, error = period_from(request)
    missions = mission_rows(cpts, period, regional=regional)
    external = external_rows(cpts, regional=regional)
    return render(
        request,
        "indicators/cpts.html",
        {
            "cpts": cpts,
            "period": period,
            "periods": recent_periods(),
            "missions": missions,
            "external": external,
            "form": form if can_enter else None,
            "error": error,
        },
        status=_status(form, error),
    )


def _granularity(period_code: str) -> str:
    if len(period_code) == 4:
        return "année"
    return "trimestre" if "-T" in period_code else "mois"


def _charts(rows):
    """One chart per granularity that has values (a year and its months do not share an axis);
    a value hidden from a regional reader is no point of it."""
    charts = []
    for name in ("année", "trimestre", "mois"):
        series = [
            (period, values.as_decimal(shown))
            for row, period, shown in rows
            if _granularity(row.period) == name and shown is not None and not isinstance(shown, str)
        ]
        if chart := line_chart(series):
            charts.append({"name": name, "chart": chart, "id": f"graphique-{name}".replace("é", "e")})
    return charts


def indicator_detail(request, slug, code):
    cpts, can_enter, regional = _cpts(request, slug)
    indicator = registry.REGISTRY.get(code)
    if indicator is None:
        raise Http404("Indicateur inconnu.")
    if request.method == "POST" and not indicator.external:
        raise Http404("Cet indicateur ne se saisit pas.")
    form = ValueForm(request.POST, cpts=cpts, indicator=indicator) if request.method == "POST" else None
    if form is not None and (done := _save(request, cpts, form)):
        return done
    if form is None and indicator.external:
        form = ValueForm(cpts=cpts, indicator=indicator)
    rows = history_rows(cpts, indicator, values.history(cpts, code), regional=regional)
    return render(
        request,
        "indicators/detail.html",
        {
            "cpts": cpts,
            "indicator": indicator,
            "mission": registry.section_label(indicator.mission),
            "kind": registry.Kind(indicator.kind).label,
            "direction": registry.Direction(indicator.direction).label if indicator.direction else "",
            "rows": rows,
            "regional": regional,
            "charts": _charts(rows),
            "form": form if can_enter else None,
        },
        status=_status(form),
    )
