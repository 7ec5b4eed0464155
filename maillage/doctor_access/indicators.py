"""The access mission's indicators, declared in the registry (maillage/indicators/registry.py).

"On the list at the end of the period" is read from the transition log, not from today's state,
so that a past month keeps its figures when requests move on.
"""

from statistics import median

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from maillage.doctor_access.models import DoctorOffer, DoctorRequest, Proposal, RequestTransition
from maillage.doctor_access.priority import age_on
from maillage.doctor_access.states import Status
from maillage.indicators.registry import Kind, Mission, register

ON_LIST = (Status.RECEIVED, Status.QUALIFIED, Status.PROPOSED)


def on_list_at_end(cpts, period):
    """The requests of `cpts` still waiting for a doctor at the end of `period`."""
    last_state = (
        RequestTransition.objects.filter(request=OuterRef("pk"), at__lt=period.end_at)
        .order_by("-at", "-id")
        .values("target")[:1]
    )
    return (
        DoctorRequest.objects.filter(cpts=cpts, received_at__lt=period.end_at)
        .annotate(state_at_end=Subquery(last_state))
        .filter(state_at_end__in=ON_LIST)
    )


def priority_class(score: int) -> str:
    return "non prioritaire" if score == 0 else f"priorité {score}"


@register(
    "doctor_access.waiting_by_priority",
    label="Patients en attente d'un médecin traitant, par classe de priorité",
    mission=Mission.DOCTOR_ACCESS,
    unit="patients",
    kind=Kind.DISTRIBUTION,
    description="Demandes reçues, qualifiées ou proposées à la fin de la période.",
)
def waiting_by_priority(cpts, period):
    counts: dict[str, int] = {}
    for score in on_list_at_end(cpts, period).order_by("-priority").values_list("priority", flat=True):
        counts[priority_class(score)] = counts.get(priority_class(score), 0) + 1
    return counts


@register(
    "doctor_access.found_doctor",
    label="Patients ayant trouvé un médecin traitant",
    mission=Mission.DOCTOR_ACCESS,
    unit="patients",
    kind=Kind.COUNT,
    description="Patients acceptés par un médecin volontaire pendant la période.",
)
def found_doctor(cpts, period):
    return (
        RequestTransition.objects.filter(
            request__cpts=cpts, target=Status.ACCEPTED, at__gte=period.start_at, at__lt=period.end_at
        )
        .values("request")
        .distinct()
        .count()
    )


@register(
    "doctor_access.declared_doctor",
    label="Patients ayant déclaré leur nouveau médecin traitant",
    mission=Mission.DOCTOR_ACCESS,
    unit="patients",
    kind=Kind.COUNT,
    description="Patients acceptés par un médecin volontaire dont la déclaration de médecin traitant "
    "a été faite pendant la période (date de la déclaration).",
)
def declared_doctor(cpts, period):
    return DoctorRequest.objects.filter(
        cpts=cpts, status=Status.DECLARED, declared_on__gte=period.start, declared_on__lt=period.end
    ).count()


@register(
    "doctor_access.vulnerable_without_doctor",
    label="Patients en ALD, de 70 ans ou plus, ou en C2S/AME sans médecin traitant",
    mission=Mission.DOCTOR_ACCESS,
    unit="patients",
    kind=Kind.DISTRIBUTION,
    description="Parmi les patients en attente à la fin de la période (un patient peut compter dans plusieurs lignes).",
)
def vulnerable_without_doctor(cpts, period):
    counts = {"ALD": 0, "70 ans ou plus": 0, "C2S ou AME": 0}
    last_day = timezone.localtime(period.end_at).date()
    for ald, c2s, birth in on_list_at_end(cpts, period).values_list("ald", "c2s_ame", "birth_date"):
        counts["ALD"] += ald
        counts["C2S ou AME"] += c2s
        age = age_on(birth, last_day)
        counts["70 ans ou plus"] += age is not None and age >= 70
    return counts


@register(
    "doctor_access.median_wait_days",
    label="Attente médiane des patients en liste",
    mission=Mission.DOCTOR_ACCESS,
    unit="jours",
    kind=Kind.COUNT,
    counts_people=False,
    population="doctor_access.waiting_by_priority",
)
def median_wait_days(cpts, period):
    waits = [
        (period.end_at - received).days
        for received in on_list_at_end(cpts, period).values_list("received_at", flat=True)
    ]
    return median(waits) if waits else None


def _volunteers(cpts, period) -> int:
    return DoctorOffer.objects.filter(cpts=cpts, capacity__gt=0, paused=False, created_at__lt=period.end_at).count()


@register(
    "doctor_access.volunteer_doctors",
    label="Médecins volontaires",
    mission=Mission.DOCTOR_ACCESS,
    unit="médecins",
    kind=Kind.COUNT,
    description="Médecins généralistes ayant déclaré accepter de nouveaux patients (hors pause).",
    counts_people=False,  # professionals, not patients: no small-count masking needed
    population=None,
)
def volunteer_doctors(cpts, period):
    return _volunteers(cpts, period)


@register(
    "doctor_access.new_patients_per_doctor",
    label="Nouveaux patients par médecin volontaire",
    mission=Mission.DOCTOR_ACCESS,
    unit="patients par médecin",
    kind=Kind.RATIO,
    numerator="patients acceptés par un médecin volontaire",
    denominator="médecins volontaires",
    counts_people=False,
    population=lambda cpts, period: _accepted(cpts, period),  # 3 patients for 1 doctor would read 3.0
)
def new_patients_per_doctor(cpts, period):
    doctors = _volunteers(cpts, period)
    if not doctors:
        return None
    return round(_accepted(cpts, period) / doctors, 2)


def _accepted(cpts, period) -> int:
    return Proposal.objects.filter(
        offer__cpts=cpts, status=Proposal.Status.ACCEPTED, decided_at__gte=period.start_at, decided_at__lt=period.end_at
    ).count()
