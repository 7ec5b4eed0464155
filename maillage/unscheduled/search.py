"""The desk's search of free slots for a request: the next 24 hours first, then later ones.

Ranking: slots that fit (the profession asked; a home visit or a teleconsultation when the patient
cannot travel, home first) come before the others; then by start time in half-hour steps, so that
two slots a few minutes apart are ordered by distance from the patient's commune; then distance.

Speed: a CPTS may have hundreds of free slots in a day. What can be filtered is filtered in SQL
(free, bookable by the desk, in the window, no practice slot for a patient who cannot travel); the
ranking reads plain values; only the slots kept are loaded as objects.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from maillage.core.geo import distance_km
from maillage.unscheduled.enums import Kind, SlotStatus
from maillage.unscheduled.models import CareRequest, Slot

STEP = timedelta(minutes=30)


@dataclass
class Found:
    slot: Slot
    distance_km: float | None
    fits: bool
    within_24h: bool


def candidates(cpts, *, start: datetime, end: datetime, cannot_travel: bool = False):
    found = Slot.objects.filter(cpts=cpts, status=SlotStatus.FREE, desk_bookable=True, start__gte=start, start__lt=end)
    return found.exclude(kind=Kind.PRACTICE) if cannot_travel else found


def search(
    request: CareRequest, *, now: datetime | None = None, horizon_hours: int = 24, limit: int = 30
) -> list[Found]:
    now = now or timezone.now()
    origin = request.commune
    rows = candidates(
        request.cpts, start=now, end=now + timedelta(hours=horizon_hours), cannot_travel=request.cannot_travel
    ).values_list("pk", "start", "kind", "profession_code", "commune__latitude", "commune__longitude")
    ranked = []
    for pk, start, kind, profession, lat, lon in rows:
        distance = None
        if None not in (origin.latitude, origin.longitude, lat, lon):
            distance = distance_km(origin.latitude, origin.longitude, lat, lon)
        fits = profession == request.profession_code
        key = (
            not fits,
            request.cannot_travel and kind != Kind.HOME,
            (start - now) // STEP,
            distance if distance is not None else float("inf"),
            pk,
        )
        ranked.append((key, pk, distance, fits, start))
    ranked.sort()
    kept = ranked[:limit]
    slots = (
        Slot.objects.select_related("professional", "commune", "activity")
        .defer("commune__shape")
        .in_bulk([pk for _, pk, _, _, _ in kept])
    )
    return [
        Found(slots[pk], distance, fits, start < now + timedelta(hours=24)) for _, pk, distance, fits, start in kept
    ]
