"""The indicators' periodic jobs (maillage/core/periodic.py): the values of every computed
indicator kept for each CPTS, so that dashboards and the funding read a value for the month, the
quarter and the year without anyone pressing a button (the funding read no year value before, and
paid 0 € for an indicator Maillage computes)."""

from datetime import date, timedelta

from django.utils import timezone

from maillage.core.french import plural
from maillage.core.periodic import register
from maillage.indicators.actions import record_values
from maillage.indicators.periods import Period
from maillage.territory.models import Cpts

# A closed quarter is recomputed during the first month of the next one (late entries); a closed
# year until the end of April, when the ACI balance of that year is settled with the CPAM.
QUARTER_GRACE_DAYS = 31
YEAR_GRACE_UNTIL_MONTH = 4


def quarter_of(day: date) -> Period:
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


def current_periods(today: date) -> list[Period]:
    return [Period.month(today.year, today.month), quarter_of(today), Period.year(today.year)]


def closed_periods(today: date) -> list[Period]:
    """The previous month always; the previous quarter and year in the first days of the next."""
    last_month = today.replace(day=1) - timedelta(days=1)
    periods = [Period.month(last_month.year, last_month.month)]
    quarter = quarter_of(today)
    if (today - quarter.start).days < QUARTER_GRACE_DAYS:
        periods.append(quarter_of(quarter.start - timedelta(days=1)))
    if today.month <= YEAR_GRACE_UNTIL_MONTH:
        periods.append(Period.year(today.year - 1))
    return periods


def refresh(periods: list[Period]) -> str:
    """Records the values of every CPTS for `periods`. One CPTS's failure does not stop the others;
    the job fails at the end, naming them."""
    failed = []
    count = 0
    for cpts in Cpts.objects.order_by("pk"):
        for period in periods:
            try:
                record_values(cpts, period, audited=False)
            except Exception:  # reported below, with the run's traceback
                failed.append(f"{cpts.slug} {period.code}")
            else:
                count += 1
    if failed:
        raise RuntimeError(f"Échec du calcul pour {', '.join(failed[:20])}")
    return f"{plural(count, 'calcul')} ({', '.join(p.code for p in periods)})"


@register(
    "indicators.current_periods",
    label="Indicateurs calculés : mois, trimestre et année en cours",
    every_minutes=60,
)
def refresh_current(at):
    return refresh(current_periods(timezone.localtime(at).date()))


@register(
    "indicators.closed_periods",
    label="Indicateurs calculés : mois précédent (trimestre et année précédents en début de période)",
    daily_at="01:30",
)
def refresh_closed(at):
    return refresh(closed_periods(timezone.localtime(at).date()))
