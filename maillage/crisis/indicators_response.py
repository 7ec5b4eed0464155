"""Issue 17 — the crisis response's indicators (centres, shifts, volunteer hours, supplies, cases)
and its lines of the yearly ACI report. Each is a few set-based queries per CPTS and period.

Definitions:
- centres opened: centres of the CPTS's crises whose opening date falls in the period;
- places offered / filled: the places of the shifts starting in the period, and those taken by a
  volunteer (a person on two shifts counts twice: these are places, not people);
- volunteer hours: the duration of the shifts starting in the period, times their volunteers;
- supplies distributed: units given out during the period (all items together);
- cases reported: the case counts of the weeks starting in the period (cases, not people one could
  name, but counts of patients: hidden under 5 for regional readers like any count of people)."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from maillage.core.french import plural
from maillage.crisis.models import CaseCount, Centre, Shift, ShiftSignup, SupplyMovement
from maillage.crisis.models.response import MovementKind
from maillage.indicators.activity import Line, activity
from maillage.indicators.periods import Period
from maillage.indicators.registry import Direction, Kind, Mission, register

CENTRES = "crisis.centres_opened"
PLACES_OFFERED = "crisis.shift_places_offered"
PLACES_FILLED = "crisis.shift_places_filled"
HOURS = "crisis.volunteer_hours"
DISTRIBUTED = "crisis.supplies_distributed"
CASES = "crisis.cases_reported"
CODES = [CENTRES, PLACES_OFFERED, PLACES_FILLED, HOURS, DISTRIBUTED, CASES]


def _shifts(cpts, period):
    return Shift.objects.filter(centre__crisis__cpts=cpts, starts_at__gte=period.start_at, starts_at__lt=period.end_at)


def _signups(cpts, period):
    return ShiftSignup.objects.filter(
        shift__centre__crisis__cpts=cpts, shift__starts_at__gte=period.start_at, shift__starts_at__lt=period.end_at
    )


def _volunteers(cpts, period) -> int:
    return _signups(cpts, period).values("volunteer_id").distinct().count()


@register(
    CENTRES,
    label="Centres de crise ouverts",
    mission=Mission.CRISIS,
    unit="centres",
    kind=Kind.COUNT,
    description="Centres de vaccination ou de dépistage des crises de la CPTS ouverts pendant la période.",
    counts_people=False,
    population=None,
)
def centres_opened(cpts, period):
    return Centre.objects.filter(crisis__cpts=cpts, opened_on__gte=period.start, opened_on__lt=period.end).count()


@register(
    PLACES_OFFERED,
    label="Places de bénévoles proposées dans les centres",
    mission=Mission.CRISIS,
    unit="places",
    kind=Kind.COUNT,
    description="Places des créneaux des centres de crise commençant pendant la période.",
    counts_people=False,
    population=None,
)
def places_offered(cpts, period):
    return _shifts(cpts, period).aggregate(n=Coalesce(Sum("capacity"), 0))["n"]


@register(
    PLACES_FILLED,
    label="Places de bénévoles pourvues dans les centres",
    mission=Mission.CRISIS,
    unit="places",
    kind=Kind.COUNT,
    description="Inscriptions de bénévoles aux créneaux commençant pendant la période (une personne sur deux "
    "créneaux compte deux fois).",
    counts_people=False,
    population=_volunteers,
    direction=Direction.HIGHER,
)
def places_filled(cpts, period):
    return _signups(cpts, period).count()


@register(
    HOURS,
    label="Heures de bénévolat dans les centres de crise",
    mission=Mission.CRISIS,
    unit="heures",
    kind=Kind.COUNT,
    description="Durée des créneaux commençant pendant la période, multipliée par leurs bénévoles inscrits.",
    counts_people=False,
    population=_volunteers,
)
def volunteer_hours(cpts, period):
    total = _signups(cpts, period).aggregate(d=Sum(F("shift__ends_at") - F("shift__starts_at")))["d"]
    return round(total.total_seconds() / 3600, 1) if total else 0


@register(
    DISTRIBUTED,
    label="Équipements de protection et tests distribués",
    mission=Mission.CRISIS,
    unit="unités",
    kind=Kind.COUNT,
    description="Unités sorties du stock de crise par distribution pendant la période (tous articles).",
    counts_people=False,
    population=None,
)
def supplies_distributed(cpts, period):
    moved = SupplyMovement.objects.filter(
        item__crisis__cpts=cpts, kind=MovementKind.DISTRIBUTED, on__gte=period.start, on__lt=period.end
    ).aggregate(n=Coalesce(Sum("delta"), 0))["n"]
    return -moved


@register(
    CASES,
    label="Cas signalés sur le territoire",
    mission=Mission.CRISIS,
    unit="cas",
    kind=Kind.COUNT,
    description="Somme des cas par commune et par semaine saisis ou importés (hôpital, ARS) pour les semaines "
    "commençant pendant la période.",
)
def cases_reported(cpts, period):
    return CaseCount.objects.filter(crisis__cpts=cpts, week__gte=period.start, week__lt=period.end).aggregate(
        n=Coalesce(Sum("count"), 0)
    )["n"]


@activity(Mission.CRISIS)
def response_lines(cpts, year: int) -> list[Line]:
    """Centres, shifts, volunteer hours, supplies and cases of the year (no person named)."""
    period = Period.year(year)
    centres = list(Centre.objects.filter(crisis__cpts=cpts, opened_on__year=year).values_list("name", flat=True))
    places = _shifts(cpts, period).aggregate(offered=Coalesce(Sum("capacity"), 0), shifts=Count("pk"))
    filled = places_filled(cpts, period)
    lines = []
    if centres:
        lines.append(Line("Centres de vaccination ou de dépistage ouverts", len(centres), ", ".join(centres)))
    if places["shifts"]:
        lines.append(
            Line("Places de bénévoles pourvues / proposées", f"{filled} / {places['offered']}",
                 f"{plural(places['shifts'], 'créneau', 'créneaux')}, {plural(_volunteers(cpts, period), 'bénévole')}")
        )  # fmt: skip
        lines.append(Line("Heures de bénévolat dans les centres", volunteer_hours(cpts, period)))
    distributed = supplies_distributed(cpts, period)
    if distributed:
        lines.append(Line("Équipements de protection et tests distribués (unités)", distributed))
    reported = CaseCount.objects.filter(crisis__cpts=cpts, week__year=year).aggregate(
        n=Coalesce(Sum("count"), 0), communes=Count("commune", distinct=True, filter=Q(count__gt=0))
    )
    if reported["n"]:
        lines.append(
            Line(
                "Cas suivis sur la carte du territoire",
                reported["n"],
                plural(reported["communes"], "commune"),
                counts_people=True,
            )
        )
    return lines
