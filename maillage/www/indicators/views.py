"""The indicators of a CPTS: all of them for a period as the registry computes them, the external
ones' last entered values and the form to enter one, and a page per indicator with its history
and chart. Who reads and who enters values is the access policy's `indicators` area; a regional
viewer reads them with every statistic over fewer than 5 people hidden (`registry.for_region`)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from maillage.accounts import policy
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
        kept = enter_value(cpts, **form.action_arguments(), actor=request.user)
    except entry.EntryError as exc:  # the day turned between the form's check and the action's
        form.add_error(None, str(exc))
        return None
    indicator = registry.get(kept.code)
    messages.success(request, f"Valeur enregistrée : {indicator.label}, {Period.parse(kept.period).label}.")
    return redirect("www:indicator_detail", slug=cpts.slug, code=kept.code)


def _cpts(request, slug):
    """The CPTS, whether the user may enter values, and whether they read it as a regional viewer."""
    cpts = cpts_for(request, slug, Area.INDICATORS, WRITE if request.method == "POST" else READ)
    regional = policy.reads_as_region(request.user, Area.INDICATORS, cpts)
    return cpts, may(request, Area.INDICATORS, WRITE, cpts), regional


def cpts_indicators(request, slug):
    cpts, can_enter, regional = _cpts(request, slug)
    form = ValueForm(request.POST) if request.method == "POST" else ValueForm()
    if request.method == "POST" and (done := _save(request, cpts, form)):
        return done
    period, error = period_from(request)
    computed = registry.compute(cpts, period)
    missions = []
    for code, label in registry.Mission.choices:
        rows = [
            (indicator, registry.for_region(indicator, computed) if regional else computed[indicator.code])
            for indicator in registry.of_mission(code)
        ]
        if rows:
            missions.append((label, rows))
    latest = values.latest_entries(cpts)
    external = [(indicator, latest.get(indicator.code)) for indicator in registry.external()]
    if regional:
        external = [(i, k and _RegionalRow(k, _regional_rows(cpts, i, [k])[0])) for i, k in external]
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
        status=400 if error or form.errors else 200,
    )


def _granularity(period_code: str) -> str:
    if len(period_code) == 4:
        return "année"
    return "trimestre" if "-T" in period_code else "mois"


def _charts(indicator, kept):
    """One chart per granularity that has values (a year and its months do not share an axis)."""
    charts = []
    for name in ("année", "trimestre", "mois"):
        series = [
            (Period.parse(row.period), values.as_decimal(row.value))
            for row in kept
            if _granularity(row.period) == name and row.value is not None
        ]
        if chart := line_chart(series):
            charts.append({"name": name, "chart": chart, "id": f"graphique-{name}".replace("é", "e")})
    return charts


@dataclass(frozen=True)
class _RegionalRow:
    """A kept value as a regional viewer sees it: no numerator, denominator or author."""

    kept: object
    value: object

    def __getattr__(self, name):
        if name in ("numerator", "denominator", "entered_by"):
            return None
        return getattr(self.kept, name)


def _regional_rows(cpts, indicator, kept):
    """What a regional viewer may see of each kept value: the value, or what hides it when it
    speaks of fewer than 5 people (the count it summarises is read for the same period)."""
    summarised = {}
    if indicator.summarises:
        counts = values.history(cpts, indicator.summarises)
        summarised = {(row.period_start, row.period_end): row.value for row in counts}
    shown = []
    for row in kept:
        around = {indicator.code: row.value}
        if indicator.summarises:
            around[indicator.summarises] = summarised.get((row.period_start, row.period_end)) or 0
        shown.append(registry.for_region(indicator, around))
    return shown


def indicator_detail(request, slug, code):
    cpts, can_enter, regional = _cpts(request, slug)
    indicator = registry.REGISTRY.get(code)
    if indicator is None:
        raise Http404("Indicateur inconnu.")
    if request.method == "POST" and not indicator.external:
        raise Http404("Cet indicateur ne se saisit pas.")
    form = ValueForm(request.POST, indicator=indicator) if request.method == "POST" else None
    if form is not None and (done := _save(request, cpts, form)):
        return done
    if form is None and indicator.external:
        form = ValueForm(indicator=indicator)
    kept = values.history(cpts, code)
    rows = [(row, Period.parse(row.period)) for row in kept]
    hidden = False
    if regional:
        # Regional viewers see neither who entered a value nor a statistic over fewer than 5 people;
        # a chart would draw the hidden values, so it is left out when any is hidden.
        shown = _regional_rows(cpts, indicator, kept)
        hidden = any(value != row.value for value, row in zip(shown, kept, strict=True))
        rows = [(_RegionalRow(row, value), period) for (row, period), value in zip(rows, shown, strict=True)]
    return render(
        request,
        "indicators/detail.html",
        {
            "cpts": cpts,
            "indicator": indicator,
            "mission": registry.Mission(indicator.mission).label,
            "kind": registry.Kind(indicator.kind).label,
            "direction": registry.Direction(indicator.direction).label if indicator.direction else "",
            "rows": rows,
            "charts": [] if regional and hidden else _charts(indicator, kept),
            "form": form if can_enter else None,
            "regional": regional,
        },
        status=400 if form is not None and form.errors else 200,
    )
