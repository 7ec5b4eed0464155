"""Issue 17 — the prevention mission's indicators in the registry (maillage/indicators/registry.py)
and its lines of the yearly ACI report (maillage/indicators/activity.py).

Definitions (a CPTS and a period):
- campaigns: the campaigns whose period meets the period;
- actions held: the actions dated in the period, up to today;
- people reached, tests distributed, vaccinations done: the counts recorded for those actions;
- professional hours: the time recorded by the professionals who took part in them.
Each is one aggregate query, whatever the number of actions; a campaign's page reads the same
`figures` for its own actions."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from maillage.core.french import plural
from maillage.indicators.activity import Line, activity
from maillage.indicators.periods import Period
from maillage.indicators.registry import Direction, Kind, Mission, register
from maillage.prevention.models import Campaign, Event, Participation

CAMPAIGNS = "prevention.campaigns"
EVENTS = "prevention.events_held"
PEOPLE = "prevention.people_reached"
TESTS = "prevention.tests_distributed"
VACCINATIONS = "prevention.vaccinations"
HOURS = "prevention.professional_hours"
CODES = [CAMPAIGNS, EVENTS, PEOPLE, TESTS, VACCINATIONS, HOURS]


def held(events, period: Period | None = None, today=None):
    """The actions of `events` held: dated up to today (and within `period` when given)."""
    today = today or timezone.localdate()
    events = events.filter(day__lte=today)
    if period is not None:
        events = events.filter(day__gte=period.start, day__lt=period.end)
    return events


def figures(events) -> dict:
    """{events, people, tests, vaccinations, hours} of the actions `events` (one query each)."""
    counts = events.aggregate(
        events=Count("pk"),
        people=Sum("people_reached", default=0),
        tests=Sum("tests_distributed", default=0),
        vaccinations=Sum("vaccinations", default=0),
    )
    hours = Participation.objects.filter(event__in=events.values("pk")).aggregate(h=Sum("hours", default=0))["h"]
    return {**counts, "hours": Decimal(hours or 0)}


def _held(cpts, period):
    return held(Event.objects.filter(cpts=cpts), period)


def _sum(cpts, period, column) -> int:
    return _held(cpts, period).aggregate(n=Sum(column, default=0))["n"]


def _campaigns(cpts, period):
    return Campaign.objects.filter(cpts=cpts, starts_on__lt=period.end, ends_on__gte=period.start)


@register(
    CAMPAIGNS,
    label="Campagnes de prévention menées",
    mission=Mission.PREVENTION,
    unit="campagnes",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
    description="Campagnes de prévention de la CPTS dont la période rencontre la période.",
)
def campaigns(cpts, period):
    return _campaigns(cpts, period).count()


@register(
    EVENTS,
    label="Actions de prévention réalisées",
    mission=Mission.PREVENTION,
    unit="actions",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
    description="Actions des campagnes (stands, conférences, ateliers, porte-à-porte, dépistages sur place) "
    "datées dans la période, jusqu'à aujourd'hui.",
)
def events_held(cpts, period):
    return _held(cpts, period).count()


@register(
    PEOPLE,
    label="Personnes touchées par les actions de prévention",
    mission=Mission.PREVENTION,
    unit="personnes",
    kind=Kind.COUNT,
    direction=Direction.HIGHER,
    description="Personnes touchées lors des actions de la période, selon les résultats saisis après chaque action.",
)
def people_reached(cpts, period):
    return _sum(cpts, period, "people_reached")


@register(
    TESTS,
    label="Tests de dépistage remis",
    mission=Mission.PREVENTION,
    unit="tests",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
    description="Kits ou tests de dépistage remis lors des actions de la période.",
)
def tests_distributed(cpts, period):
    return _sum(cpts, period, "tests_distributed")


@register(
    VACCINATIONS,
    label="Vaccinations faites lors des actions de prévention",
    mission=Mission.PREVENTION,
    unit="vaccinations",
    kind=Kind.COUNT,
    direction=Direction.HIGHER,
    description="Vaccinations faites sur place lors des actions de la période (nombres seulement).",
)
def vaccinations(cpts, period):
    return _sum(cpts, period, "vaccinations")


@register(
    HOURS,
    label="Heures des professionnels aux actions de prévention",
    mission=Mission.PREVENTION,
    unit="heures",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Temps passé par les professionnels de santé aux actions de la période (temps rémunérable).",
)
def professional_hours(cpts, period):
    hours = Participation.objects.filter(
        event__cpts=cpts,
        event__day__gte=period.start,
        event__day__lt=period.end,
        event__day__lte=timezone.localdate(),
    ).aggregate(h=Sum("hours", default=0))["h"]
    return float(hours or 0)


@activity(Mission.PREVENTION)
def year_lines(cpts, year: int) -> list[Line]:
    """What the prevention mission did in `year`, for the yearly ACI report."""
    period = Period.year(year)
    titles = list(_campaigns(cpts, period).order_by("starts_on", "pk").values_list("title", flat=True))
    if not titles:
        return []
    done = figures(_held(cpts, period))
    themes = set(_campaigns(cpts, period).values_list("theme", flat=True))
    return [
        Line("Campagnes de prévention menées", len(titles), ", ".join(titles)),
        Line("Actions de prévention réalisées", done["events"], plural(len(themes), "thème") + " de prévention"),
        Line("Personnes touchées", done["people"], counts_people=True),
        Line("Tests de dépistage remis", done["tests"], counts_people=True),
        Line("Vaccinations faites", done["vaccinations"], counts_people=True),
        Line("Heures des professionnels", done["hours"], "temps rémunérable des professionnels de santé"),
    ]
