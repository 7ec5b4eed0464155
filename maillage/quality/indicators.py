"""Issue 17 — the quality mission's indicators in the registry (maillage/indicators/registry.py) and
its lines of the yearly ACI report (maillage/indicators/activity.py).

Definitions (a period [start, end)):
- sessions held: group sessions held during the period;
- professionals attending: distinct professionals present at one of them at least;
- attendance hours: hours spent by the professionals present, summed over the sessions;
- protocols in use: protocols in use on the period's last day (today while it runs), read from
  their transition log;
- reviewed on time: over the reviews due during the period (a review recorded with its due date in
  the period, or a protocol in use whose review date is in the period and already past without a
  review), those done by their due date, per 100;
- adverse events declared / analysed: by declaration date / analysis date in the period;
- actions done: improvement actions decided after an adverse event and done during the period.
Each is a few queries per CPTS and period (set-based: bench/_missions_quality.py)."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from maillage.indicators.activity import Line, activity
from maillage.indicators.periods import Period
from maillage.indicators.registry import Direction, Kind, Mission, register
from maillage.quality.models import (
    AdverseEvent,
    EventAction,
    GroupSession,
    Protocol,
    ProtocolReview,
    ProtocolTransition,
    SessionAttendance,
)
from maillage.quality.states import ProtocolStatus

SESSIONS = "quality.sessions_held"
ATTENDING = "quality.professionals_attending"
HOURS = "quality.attendance_hours"
IN_USE = "quality.protocols_in_use"
ON_TIME = "quality.protocols_reviewed_on_time"
DECLARED = "quality.events_declared"
ANALYSED = "quality.events_analysed"
ACTIONS_DONE = "quality.actions_done"
CODES = [SESSIONS, ATTENDING, HOURS, IN_USE, ON_TIME, DECLARED, ANALYSED, ACTIONS_DONE]


def _last_day(period):
    return min(period.end - timedelta(days=1), timezone.localdate())


def _present(cpts, period):
    return SessionAttendance.objects.filter(
        session__cpts=cpts, session__held_on__gte=period.start, session__held_on__lt=period.end
    )


def _attendance(cpts, period) -> dict:
    return _present(cpts, period).aggregate(people=Count("professional_id", distinct=True), hours=Sum("hours"))


@register(
    SESSIONS,
    label="Séances de groupes d'analyse de pratiques tenues",
    mission=Mission.QUALITY,
    unit="séances",
    kind=Kind.COUNT,
    description="Séances des groupes d'analyse de pratiques, d'échange de pratiques et de pairs de la CPTS "
    "tenues pendant la période.",
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
)
def sessions_held(cpts, period):
    return GroupSession.objects.filter(cpts=cpts, held_on__gte=period.start, held_on__lt=period.end).count()


def _attending(cpts, period) -> int:
    return _present(cpts, period).aggregate(people=Count("professional_id", distinct=True))["people"]


@register(
    ATTENDING,
    label="Professionnels ayant participé à un groupe de pairs",
    mission=Mission.QUALITY,
    unit="professionnels",
    kind=Kind.COUNT,
    description="Professionnels distincts présents à au moins une séance d'un groupe de la CPTS pendant la période.",
    direction=Direction.HIGHER,
)
def professionals_attending(cpts, period):
    return _attending(cpts, period)


@register(
    HOURS,
    label="Heures de participation aux groupes de pairs",
    mission=Mission.QUALITY,
    unit="heures",
    kind=Kind.COUNT,
    description="Somme des heures passées en séance par les professionnels présents, sur les séances tenues "
    "pendant la période.",
    counts_people=False,
    population=ATTENDING,
    direction=Direction.HIGHER,
)
def attendance_hours(cpts, period):
    hours = _present(cpts, period).aggregate(hours=Sum("hours"))["hours"]
    return float(hours) if hours is not None else 0


@register(
    IN_USE,
    label="Protocoles pluriprofessionnels en usage",
    mission=Mission.QUALITY,
    unit="protocoles",
    kind=Kind.COUNT,
    description="Protocoles pluriprofessionnels validés et en usage le dernier jour de la période.",
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
)
def protocols_in_use(cpts, period):
    return len(in_use_on(cpts, _last_day(period)))


def in_use_on(cpts, day) -> set[int]:
    """Ids of the protocols in use on `day`: the target of each one's last move up to that day."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    states: dict[int, str] = {}
    moves = ProtocolTransition.objects.filter(protocol__cpts=cpts, at__lt=end).order_by("at", "id")
    for protocol_id, target in moves.values_list("protocol_id", "target"):
        states[protocol_id] = target
    return {pk for pk, state in states.items() if state == ProtocolStatus.IN_USE}


def _reviews(cpts, period) -> tuple[int, int]:
    """(done by their due date, due) over the reviews due during the period (see the module)."""
    figures = ProtocolReview.objects.filter(cpts=cpts, due_on__gte=period.start, due_on__lt=period.end).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=Q(reviewed_on__lte=F("due_on")))
    )
    limit = min(period.end, timezone.localdate())
    overdue = Protocol.objects.filter(
        cpts=cpts, status=ProtocolStatus.IN_USE, next_review_on__gte=period.start, next_review_on__lt=limit
    ).count()
    return figures["on_time"], figures["due"] + overdue


def _reviews_due(cpts, period) -> int:
    return _reviews(cpts, period)[1]


@register(
    ON_TIME,
    label="Protocoles revus dans les délais",
    mission=Mission.QUALITY,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="Parmi les révisions de protocoles en usage prévues pendant la période (révisions faites, et "
    "révisions dont la date est passée sans avoir été faites), part de celles faites au plus tard à leur date.",
    counts_people=False,
    population=_reviews_due,
    direction=Direction.HIGHER,
    numerator="révisions faites au plus tard à leur date",
    denominator="révisions prévues pendant la période",
)
def protocols_reviewed_on_time(cpts, period):
    on_time, due = _reviews(cpts, period)
    return round(100 * on_time / due, 1) if due else None


def _events(cpts, period) -> dict:
    return {"declared": events_declared(cpts, period), "analysed": events_analysed(cpts, period)}


@register(
    DECLARED,
    label="Événements indésirables associés aux soins déclarés",
    mission=Mission.QUALITY,
    unit="événements",
    kind=Kind.COUNT,
    description="Événements indésirables associés aux soins déclarés par les professionnels de la CPTS pendant "
    "la période (retours d'expérience à l'échelle du territoire).",
)
def events_declared(cpts, period):
    return AdverseEvent.objects.filter(
        cpts=cpts, declared_at__gte=period.start_at, declared_at__lt=period.end_at
    ).count()


@register(
    ANALYSED,
    label="Événements indésirables analysés en groupe",
    mission=Mission.QUALITY,
    unit="événements",
    kind=Kind.COUNT,
    description="Événements indésirables analysés lors d'une séance de groupe tenue pendant la période.",
    direction=Direction.HIGHER,
)
def events_analysed(cpts, period):
    return AdverseEvent.objects.filter(cpts=cpts, analysed_on__gte=period.start, analysed_on__lt=period.end).count()


@register(
    ACTIONS_DONE,
    label="Actions d'amélioration menées à terme",
    mission=Mission.QUALITY,
    unit="actions",
    kind=Kind.COUNT,
    description="Actions décidées après l'analyse d'un événement indésirable et faites pendant la période.",
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
)
def actions_done(cpts, period):
    return EventAction.objects.filter(cpts=cpts, done_on__gte=period.start, done_on__lt=period.end).count()


@activity(Mission.QUALITY)
def year_activity(cpts, year: int) -> list[Line]:
    """What the quality mission did in `year`: figures only, group and protocol names, no person."""
    period = Period.year(year)
    sessions = GroupSession.objects.filter(cpts=cpts, held_on__year=year)
    groups = sorted(set(sessions.values_list("group__name", flat=True)))
    people = _attendance(cpts, period)
    in_use = Protocol.objects.filter(pk__in=in_use_on(cpts, _last_day(period))).order_by("title")
    validated = Protocol.objects.filter(cpts=cpts, validated_on__year=year).count()
    events = _events(cpts, period)
    on_time, due = _reviews(cpts, period)
    lines = [
        Line("Séances de groupes d'analyse de pratiques", sessions.count(), ", ".join(groups)),
        Line("Professionnels ayant participé", people["people"], counts_people=True),
        Line("Heures de participation", people["hours"] or 0),
        Line("Protocoles pluriprofessionnels en usage", len(in_use), ", ".join(p.title for p in in_use)),
        Line("Protocoles validés dans l'année", validated),
        Line("Révisions de protocoles faites dans les délais", f"{on_time} sur {due}" if due else "aucune prévue"),
        Line("Événements indésirables déclarés", events["declared"]),
        Line("Événements indésirables analysés en groupe", events["analysed"]),
        Line("Actions d'amélioration menées à terme", actions_done(cpts, period)),
    ]
    return lines
