"""Unscheduled care's indicators, declared in the registry (maillage/indicators/registry.py)."""

from datetime import timedelta

from django.db.models import Count, F

from maillage.indicators.registry import Kind, Mission, register
from maillage.unscheduled.enums import ACTIVE_BOOKING, BookingStatus, UnmetReason
from maillage.unscheduled.models import Booking, CareRequest, Slot


def _requests(cpts, period):
    return CareRequest.objects.filter(cpts=cpts, received_at__gte=period.start_at, received_at__lt=period.end_at)


@register(
    "unscheduled.requests",
    label="Demandes de soins non programmés reçues",
    mission=Mission.UNSCHEDULED,
    unit="demandes",
    kind=Kind.COUNT,
)
def requests(cpts, period):
    return _requests(cpts, period).count()


@register(
    "unscheduled.served_within_24h",
    label="Part des demandes prises en charge en moins de 24 heures",
    mission=Mission.UNSCHEDULED,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="De la réception de la demande au début du rendez-vous, parmi les demandes reçues dans la période.",
    counts_people=False,
    population="unscheduled.requests",
)
def served_within_24h(cpts, period):
    received = _requests(cpts, period)
    total = received.count()
    if not total:
        return None
    served = (
        Booking.objects.filter(request__in=received, status__in=[s.value for s in ACTIVE_BOOKING])
        .filter(slot__start__lte=F("request__received_at") + timedelta(hours=24))
        .values("request")
        .distinct()
        .count()
    )
    return round(100 * served / total, 1)


@register(
    "unscheduled.slots_per_week",
    label="Créneaux ouverts par semaine, par profession",
    mission=Mission.UNSCHEDULED,
    unit="créneaux par semaine",
    kind=Kind.DISTRIBUTION,
    counts_people=False,
    population=None,  # slots, not people
)
def slots_per_week(cpts, period):
    weeks = max((period.end - period.start).days / 7, 1)
    rows = (
        Slot.objects.filter(cpts=cpts, start__gte=period.start_at, start__lt=period.end_at)
        .values("profession_label")
        .annotate(n=Count("id"))
        .order_by("profession_label")
    )
    return {row["profession_label"] or "autre": round(row["n"] / weeks, 1) for row in rows}


def _outcome_known(cpts, period):
    return Booking.objects.filter(
        request__cpts=cpts,
        slot__start__gte=period.start_at,
        slot__start__lt=period.end_at,
        status__in=[BookingStatus.HONOURED, BookingStatus.NO_SHOW],
    )


@register(
    "unscheduled.honoured_rate",
    label="Rendez-vous honorés",
    mission=Mission.UNSCHEDULED,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="Parmi les rendez-vous de la période dont le professionnel a indiqué l'issue.",
    counts_people=False,
    population=lambda cpts, period: _outcome_known(cpts, period).count(),
)
def honoured_rate(cpts, period):
    done = _outcome_known(cpts, period)
    total = done.count()
    return round(100 * done.filter(status=BookingStatus.HONOURED).count() / total, 1) if total else None


@register(
    "unscheduled.unmet_by_reason",
    label="Demandes sans solution, par motif",
    mission=Mission.UNSCHEDULED,
    unit="demandes",
    kind=Kind.DISTRIBUTION,
)
def unmet_by_reason(cpts, period):
    rows = _requests(cpts, period).filter(status="unmet").values("unmet_reason").annotate(n=Count("id"))
    return {UnmetReason(row["unmet_reason"]).label: row["n"] for row in rows.order_by("unmet_reason")}
