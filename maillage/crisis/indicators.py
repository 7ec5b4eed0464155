"""Issue 17 — the mission's indicators in the registry (maillage/indicators/registry.py) and its
lines of the yearly ACI report (maillage/indicators/activity.py).

Plan, activation and RETEX (this part's): a few queries per CPTS and period, whatever the rows.
- plan written: 1 when the plan was adopted by the period's end, else 0;
- exercises held during the period; volunteers listed in the plan (today's list);
- crises declared during the period (by their start), crises recognised by the ARS during it;
- members alerted: emails queued by the alerts sent during the period;
- RETEX held during the period."""

from django.db.models import Count, Q, Sum

from maillage.crisis import indicators_response  # noqa: F401  (centres, supplies, cases: their own module)
from maillage.crisis.models import Crisis, CrisisAlert, CrisisPlan, Exercise, Retex, Volunteer
from maillage.indicators.activity import Line, activity
from maillage.indicators.periods import Period
from maillage.indicators.registry import Kind, Mission, register

PLAN_WRITTEN = "crisis.plan_written"
EXERCISES = "crisis.exercises_held"
VOLUNTEERS = "crisis.volunteers_listed"
DECLARED = "crisis.crises_declared"
RECOGNISED = "crisis.crises_recognised"
ALERTED = "crisis.members_alerted"
RETEX = "crisis.retex_held"
CODES = [PLAN_WRITTEN, EXERCISES, VOLUNTEERS, DECLARED, RECOGNISED, ALERTED, RETEX]


def _in(field: str, period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


@register(
    PLAN_WRITTEN,
    label="Plan de réponse aux crises sanitaires adopté",
    mission=Mission.CRISIS,
    unit="plan",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="1 si le plan de réponse aux crises de la CPTS est adopté à la fin de la période, 0 sinon "
    "(avenant 2 : dans les 6 mois suivant la signature de l'ACI).",
)
def plan_written(cpts, period):
    return int(CrisisPlan.objects.filter(cpts=cpts, written_on__lt=period.end).exists())


@register(
    EXERCISES,
    label="Exercices de crise tenus",
    mission=Mission.CRISIS,
    unit="exercices",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Exercices de gestion de crise tenus pendant la période (date de l'exercice).",
)
def exercises_held(cpts, period):
    return Exercise.objects.filter(_in("held_on", period), plan__cpts=cpts).count()


@register(
    VOLUNTEERS,
    label="Professionnels volontaires du plan de crise",
    mission=Mission.CRISIS,
    unit="professionnels",
    kind=Kind.COUNT,
    description="Professionnels de l'annuaire inscrits comme volontaires dans le plan de crise "
    "(vacciner, dépister, suivre à domicile, tenir un centre).",
)
def volunteers_listed(cpts, period):
    return Volunteer.objects.filter(plan__cpts=cpts).count()


def _crises(cpts, period) -> dict:
    return (
        Crisis.objects.filter(cpts=cpts)
        .exclude(status=Crisis.Status.CANCELLED)
        .aggregate(
            declared=Count("pk", filter=_in("starts_on", period)),
            recognised=Count("pk", filter=_in("recognised_on", period)),
        )
    )


@register(
    DECLARED,
    label="Crises sanitaires déclarées",
    mission=Mission.CRISIS,
    unit="crises",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Crises déclarées sur le territoire (par la CPTS ou l'ARS) ayant commencé pendant la période.",
)
def crises_declared(cpts, period):
    return _crises(cpts, period)["declared"]


@register(
    RECOGNISED,
    label="Crises sanitaires reconnues par l'ARS",
    mission=Mission.CRISIS,
    unit="crises",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Crises reconnues par l'ARS pendant la période (date de la reconnaissance) : elles "
    "ouvrent la part variable de la mission.",
)
def crises_recognised(cpts, period):
    return _crises(cpts, period)["recognised"]


@register(
    ALERTED,
    label="Adhérents alertés",
    mission=Mission.CRISIS,
    unit="courriels",
    kind=Kind.COUNT,
    description="Courriels d'alerte envoyés aux adhérents et à l'équipe lors des crises de la période.",
)
def members_alerted(cpts, period):
    found = CrisisAlert.objects.filter(
        crisis__cpts=cpts, sent_at__date__gte=period.start, sent_at__date__lt=period.end
    ).aggregate(total=Sum("recipients"))
    return found["total"] or 0


@register(
    RETEX,
    label="Retours d'expérience tenus",
    mission=Mission.CRISIS,
    unit="retours d'expérience",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Retours d'expérience tenus après une crise pendant la période.",
)
def retex_held(cpts, period):
    return Retex.objects.filter(_in("held_on", period), crisis__cpts=cpts).count()


@activity(Mission.CRISIS)
def plan_activity(cpts, year: int) -> list[Line]:
    """The plan, the crises, the alerts and the RETEX of the year (counts and titles, no person)."""
    period = Period.year(year)
    lines = []
    plan = CrisisPlan.objects.filter(cpts=cpts).first()
    if plan is not None and plan.written_on is not None and plan.written_on < period.end:
        risks = ", ".join(risk.get_kind_display() for risk in plan.risks.all())
        lines.append(Line("Plan de réponse aux crises sanitaires", f"adopté le {plan.written_on:%d/%m/%Y}", risks))
        exercises = list(plan.exercises.filter(_in("held_on", period)).values_list("scenario", flat=True))
        if exercises:
            lines.append(Line("Exercices de crise tenus", len(exercises), " ; ".join(exercises)))
        lines.append(Line("Professionnels volontaires du plan", plan.volunteers.count(), counts_people=True))
    crises = Crisis.objects.filter(cpts=cpts, starts_on__lt=period.end).exclude(status=Crisis.Status.CANCELLED)
    crises = list(crises.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start)))
    if crises:
        status = {True: "reconnue par l'ARS", False: "non reconnue"}
        detail = " ; ".join(f"{c.title} ({c.get_kind_display()}, {status[bool(c.recognised_on)]})" for c in crises)
        lines.append(Line("Crises sanitaires sur le territoire", len(crises), detail))
    alerted = members_alerted(cpts, period)
    if alerted:
        lines.append(Line("Alertes envoyées aux adhérents (courriels)", alerted, counts_people=True))
    retex = retex_held(cpts, period)
    if retex:
        lines.append(Line("Retours d'expérience tenus", retex))
    return lines
