"""The desk's search of free slots for a request: the next 24 hours first, then later ones.

Ranking: slots that fit (the profession asked; a home visit or a teleconsultation when the patient
cannot travel, home first) come before the others; then by start time in half-hour steps, so that
two slots a few minutes apart are ordered by distance from the patient's commune; then distance.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from maillage.core.geo import distance_km
from maillage.unscheduled.enums import Kind, SlotStatus, SlotType
from maillage.unscheduled.models import CareRequest, Slot

DESK_TYPES = (SlotType.PUBLIC, SlotType.SNP, SlotType.CPTS)  # PRO slots are for professionals
STEP = timedelta(minutes=30)


@dataclass
class Found:
    slot: Slot
    distance_km: float | None
    fits: bool
    within_24h: bool


def _bookable(slot: Slot) -> bool:
    return any(t in DESK_TYPES for t in slot.types)


def candidates(cpts, *, start: datetime, end: datetime):
    return (
        Slot.objects.filter(cpts=cpts, status=SlotStatus.FREE, start__gte=start, start__lt=end)
        .select_related("professional", "commune")
        .order_by("start", "id")
    )


def search(
    request: CareRequest, *, now: datetime | None = None, horizon_hours: int = 24, limit: int = 30
) -> list[Found]:
    now = now or timezone.now()
    origin = request.commune
    found = []
    for slot in candidates(request.cpts, start=now, end=now + timedelta(hours=horizon_hours)):
        if not _bookable(slot):
            continue
        if request.cannot_travel and slot.kind == Kind.PRACTICE:
            continue
        distance = None
        if None not in (origin.latitude, origin.longitude, slot.commune.latitude, slot.commune.longitude):
            distance = distance_km(origin.latitude, origin.longitude, slot.commune.latitude, slot.commune.longitude)
        fits = slot.profession_code == request.profession_code
        found.append(Found(slot, distance, fits, slot.start < now + timedelta(hours=24)))
    found.sort(
        key=lambda f: (
            not f.fits,
            request.cannot_travel and f.slot.kind != Kind.HOME,
            (f.slot.start - now) // STEP,
            f.distance_km if f.distance_km is not None else float("inf"),
            f.slot.pk,
        )
    )
    return found[:limit]
