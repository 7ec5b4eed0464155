"""The pathways mission's indicators (issue 15, item 9), declared in the registry
(maillage/indicators/registry.py). Regional readers see them per CPTS through `for_region`: counts
under 5 hidden, a rate or a median hidden when computed over fewer than 5 patients, never a name.

Definitions:
- enrolled: patients enrolled during the period (the enrolment's date, `created_at`), per template
  (its name; the versions of one template are counted together);
- tasks on time: among the tasks due during the period (and already due: the future does not
  count), not cancelled, the share done on or before their due date;
- ruptures: alerts raised during the period; alerts resolved during the period (whenever raised);
- first home visit after discharge: for each pathway with a discharge date, its first task done on
  or after the discharge whose step is a home visit — a step that feeds this indicator
  (`indicator_codes`, as the library's nurse visit does) or, in a template whose steps do not say,
  a step expecting a nurse (profession 60 or the nurse's role). The days from the discharge to that
  task's `done_on`; the median over the pathways whose first visit happened during the period.
"""

from statistics import median

from django.db.models import Count
from django.utils import timezone

from maillage.indicators.registry import Direction, Kind, Mission, register
from maillage.pathways.models import Pathway, RuptureAlert, Task, TemplateStep
from maillage.pathways.states import CareRole, Profession, TaskStatus

ENROLLED = "pathways.enrolled_by_template"
TASKS_ON_TIME = "pathways.tasks_on_time"
FIRST_VISIT = "pathways.discharge_to_home_visit_days"


def _enrolled(cpts, period):
    return Pathway.objects.filter(cpts=cpts, created_at__gte=period.start_at, created_at__lt=period.end_at)


@register(
    ENROLLED,
    label="Patients inscrits dans un parcours, par modèle",
    mission=Mission.PATHWAYS,
    unit="patients",
    kind=Kind.DISTRIBUTION,
    description="Patients inscrits pendant la période (date de l'inscription), par modèle de parcours.",
)
def enrolled_by_template(cpts, period):
    rows = _enrolled(cpts, period).values("template__name").annotate(n=Count("id")).order_by("template__name")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["template__name"]] = counts.get(row["template__name"], 0) + row["n"]
    return counts


def _tasks_due(cpts, period):
    today = timezone.localdate()
    last = min(period.end, today)  # exclusive: a task due today may still be done today
    return Task.objects.filter(pathway__cpts=cpts, due_on__gte=period.start, due_on__lt=last).exclude(
        status=TaskStatus.CANCELLED
    )


def _patients_with_tasks_due(cpts, period) -> int:
    return _tasks_due(cpts, period).values("pathway").distinct().count()


@register(
    TASKS_ON_TIME,
    label="Part des tâches des parcours faites à temps",
    mission=Mission.PATHWAYS,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="Parmi les tâches dont l'échéance tombe dans la période (et est passée), hors tâches annulées : "
    "celles faites au plus tard le jour de leur échéance.",
    counts_people=False,
    population=_patients_with_tasks_due,
    direction=Direction.HIGHER,
)
def tasks_on_time(cpts, period):
    due = _tasks_due(cpts, period)
    total = due.count()
    if not total:
        return None
    on_time = sum(
        1 for status, done_on, due_on in due.values_list("status", "done_on", "due_on")
        if status == TaskStatus.DONE and done_on is not None and done_on <= due_on
    )  # fmt: skip
    return round(100 * on_time / total, 1)


@register(
    "pathways.ruptures_detected",
    label="Ruptures de parcours détectées",
    mission=Mission.PATHWAYS,
    unit="alertes",
    kind=Kind.COUNT,
    description="Alertes de rupture levées pendant la période : tâche en retard, étape sans professionnel, "
    "pas de contact avec le patient, réhospitalisation.",
    direction=Direction.LOWER,
)
def ruptures_detected(cpts, period):
    return RuptureAlert.objects.filter(
        pathway__cpts=cpts, raised_at__gte=period.start_at, raised_at__lt=period.end_at
    ).count()


@register(
    "pathways.ruptures_resolved",
    label="Ruptures de parcours résolues",
    mission=Mission.PATHWAYS,
    unit="alertes",
    kind=Kind.COUNT,
    description="Alertes de rupture résolues pendant la période, quelle que soit la date où elles ont été levées.",
)
def ruptures_resolved(cpts, period):
    return RuptureAlert.objects.filter(
        pathway__cpts=cpts, resolved_at__gte=period.start_at, resolved_at__lt=period.end_at
    ).count()


def _home_visit_steps() -> set[int]:
    """The steps counted as the home visit after a discharge (see the module's docstring)."""
    steps = TemplateStep.objects.values_list("id", "template_id", "indicator_codes", "profession_code", "role")
    feeding, by_template = set(), {}
    for pk, template, codes, profession, role in steps:
        by_template.setdefault(template, []).append((pk, FIRST_VISIT in (codes or []), profession, role))
    for rows in by_template.values():
        if any(feeds for _, feeds, _, _ in rows):
            feeding.update(pk for pk, feeds, _, _ in rows if feeds)
        else:
            feeding.update(pk for pk, _, profession, role in rows
                           if profession == Profession.NURSE or role == CareRole.NURSE)  # fmt: skip
    return feeding


def _first_visit_delays(cpts, period) -> list[int]:
    steps = _home_visit_steps()
    tasks = (
        Task.objects.filter(pathway__cpts=cpts, pathway__discharge_date__isnull=False, status=TaskStatus.DONE)
        .filter(step_id__in=steps, done_on__isnull=False)
        .values_list("pathway_id", "pathway__discharge_date", "done_on")
        .order_by("pathway_id", "done_on")
    )
    first: dict[int, tuple] = {}
    for pathway, discharge, done_on in tasks:
        if done_on >= discharge and pathway not in first:
            first[pathway] = (discharge, done_on)
    return [(done - discharge).days for discharge, done in first.values() if period.start <= done < period.end]


@register(
    FIRST_VISIT,
    label="Délai médian entre la sortie d'hospitalisation et la première visite à domicile",
    mission=Mission.PATHWAYS,
    unit="jours",
    kind=Kind.COUNT,
    description="Pour chaque patient inscrit après une hospitalisation, les jours entre la sortie et la première "
    "visite à domicile faite (l'étape du modèle qui alimente cet indicateur, sinon une étape confiée à "
    "l'infirmier) ; médiane des premières visites faites pendant la période.",
    counts_people=False,
    population=lambda cpts, period: len(_first_visit_delays(cpts, period)),
    direction=Direction.LOWER,
)
def discharge_to_home_visit_days(cpts, period):
    delays = _first_visit_delays(cpts, period)
    return median(delays) if delays else None


# Issue 15 — RCP (réunions de concertation pluriprofessionnelle): the meetings held during the
# period (their date), and the distinct professionals who took part in them (directory
# professionals and partners; the coordination's staff are not counted).
RCP_HELD = "pathways.rcp_held"
RCP_PARTICIPANTS = "pathways.rcp_participants"


def _held(cpts, period):
    from maillage.pathways.models import Meeting, MeetingStatus

    return Meeting.objects.filter(
        cpts=cpts, status=MeetingStatus.HELD, starts_at__gte=period.start_at, starts_at__lt=period.end_at
    )


@register(
    RCP_HELD,
    label="Réunions de concertation pluriprofessionnelle tenues",
    mission=Mission.PATHWAYS,
    unit="réunions",
    kind=Kind.COUNT,
    description="RCP déclarées tenues dont la date tombe dans la période, quel que soit leur nombre de patients.",
    direction=Direction.HIGHER,
)
def rcp_held(cpts, period):
    return _held(cpts, period).count()


@register(
    RCP_PARTICIPANTS,
    label="Professionnels ayant participé à une RCP",
    mission=Mission.PATHWAYS,
    unit="professionnels",
    kind=Kind.COUNT,
    description="Professionnels de santé et partenaires distincts ayant participé à au moins une RCP tenue "
    "pendant la période (la coordination de la CPTS n'est pas comptée).",
    direction=Direction.HIGHER,
)
def rcp_participants(cpts, period):
    from maillage.pathways.models import MeetingParticipant

    seats = MeetingParticipant.objects.filter(meeting__in=_held(cpts, period).values("pk"), user__isnull=True)
    professionals = seats.filter(professional__isnull=False).values("professional").distinct().count()
    partners = seats.filter(partner__isnull=False).values("partner").distinct().count()
    return professionals + partners


# Issue 15 — care requests (demandes de prise en charge). Counted per request, not per patient
# (a patient may need two); regional readers see them per CPTS with the counts under 5 hidden.
def _care_requests(cpts):
    from maillage.pathways.models import CareRequest

    return CareRequest.objects.filter(cpts=cpts)


@register(
    "pathways.care_requests_broadcast",
    label="Demandes de prise en charge diffusées",
    mission=Mission.PATHWAYS,
    unit="demandes",
    kind=Kind.COUNT,
    description="Demandes de prise en charge envoyées pendant la période (au professionnel habituel du patient, "
    "puis aux professionnels de la profession dans le rayon choisi).",
)
def care_requests_broadcast(cpts, period):
    return _care_requests(cpts).filter(created_at__gte=period.start_at, created_at__lt=period.end_at).count()


def _accepted(cpts, period):
    return _care_requests(cpts).filter(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)


@register(
    "pathways.care_requests_accepted",
    label="Demandes de prise en charge acceptées",
    mission=Mission.PATHWAYS,
    unit="demandes",
    kind=Kind.COUNT,
    description="Demandes de prise en charge acceptées par un professionnel pendant la période.",
    direction=Direction.HIGHER,
)
def care_requests_accepted(cpts, period):
    return _accepted(cpts, period).count()


@register(
    "pathways.care_requests_unanswered",
    label="Demandes de prise en charge restées sans réponse",
    mission=Mission.PATHWAYS,
    unit="demandes",
    kind=Kind.COUNT,
    description="Demandes qu'aucun professionnel n'a acceptées dans le délai de réponse, signalées à la "
    "coordination pendant la période (une demande relancée puis de nouveau sans réponse compte une fois).",
    direction=Direction.LOWER,
)
def care_requests_unanswered(cpts, period):
    from maillage.pathways.models import CareRequestTransition, RequestStatus

    return (
        CareRequestTransition.objects.filter(
            request__cpts=cpts, target=RequestStatus.UNANSWERED, at__gte=period.start_at, at__lt=period.end_at
        )
        .values("request")
        .distinct()
        .count()
    )


def _hours_to_acceptance(cpts, period) -> list[float]:
    rows = _accepted(cpts, period).values_list("created_at", "accepted_at")
    return [(accepted - created).total_seconds() / 3600 for created, accepted in rows]


@register(
    "pathways.care_request_hours_to_acceptance",
    label="Délai médian d'acceptation d'une demande de prise en charge",
    mission=Mission.PATHWAYS,
    unit="heures",
    kind=Kind.COUNT,
    description="Pour les demandes acceptées pendant la période, les heures entre l'envoi de la demande et son "
    "acceptation ; médiane.",
    counts_people=False,
    population=lambda cpts, period: len(_hours_to_acceptance(cpts, period)),
    direction=Direction.LOWER,
)
def care_request_hours_to_acceptance(cpts, period):
    hours = _hours_to_acceptance(cpts, period)
    return round(median(hours), 1) if hours else None
