"""Who a care request reaches: the professionals of the profession asked (and of the skill, when
one is asked) whose practice site is within the radius of the patient's commune.

Public entry point (used by the actions and by bench/pathways.py): `reach(request_or_params)`.

How: the communes within the radius come from a bounding box in SQL on the communes' centroids
then the haversine distance in Python (`directory.search` does the same for the directory's
searches; no spatial extension needed, SQLite and PostgreSQL alike); the professionals from the
active sites (`Activity`, indexed by commune, active, professional) in those communes, of the
profession asked; the skill from the CPTS's enrichment (`DirectoryEntry.skills`). A professional's
distance is that of their nearest site. Only professionals whose account is linked
(`ProfessionalAccount`, an active user holding a member role in some CPTS: they log in with a
second factor) can be offered the request: `reach` returns only them unless `with_account=False`.
Four queries whatever the radius.
"""

import math
from dataclasses import dataclass, field

from maillage.accounts.models import RoleKind
from maillage.core.geo import EARTH_RADIUS_KM, distance_km
from maillage.directory.models import Activity, DirectoryEntry, ProfessionalAccount
from maillage.territory.models import Commune

KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360
MAX_RADIUS_KM = 100


@dataclass(frozen=True)
class ReachParams:
    """What a broadcast is computed from (a `CareRequest` carries the same attributes)."""

    cpts: object
    commune: Commune
    radius_km: float
    profession_code: str
    skill: object = None


@dataclass
class Reached:
    professional_id: int
    distance_km: float
    user_ids: list[int] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def communes_within(center: Commune, km: float) -> dict[str, float]:
    """INSEE code → distance in km of the communes whose centroid is within `km` of `center`'s
    (the centre itself at 0, even without coordinates)."""
    if center.latitude is None or center.longitude is None:
        return {center.code: 0.0}
    lat, lon = center.latitude, center.longitude
    dlat = km / KM_PER_DEGREE * 1.01
    dlon = km / (KM_PER_DEGREE * max(math.cos(math.radians(lat + math.copysign(dlat, lat))), 0.01)) * 1.01
    box = Commune.objects.filter(
        latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon), active=True
    ).values_list("code", "latitude", "longitude")
    found = {}
    for code, la, lo in box:
        distance = distance_km(lat, lon, la, lo)
        if distance <= km:
            found[code] = round(distance, 1)
    found[center.code] = 0.0
    return found


def reach(request_or_params, *, with_account: bool = True, exclude=()) -> list[Reached]:
    """The professionals a request reaches, nearest first (ties by id). `request_or_params`: a
    `CareRequest` or a `ReachParams`. `exclude`: professional ids left out (already offered)."""
    params = request_or_params
    distances = communes_within(params.commune, float(params.radius_km))
    sites = Activity.objects.filter(
        commune_id__in=list(distances),
        active=True,
        professional__active=True,
        professional__profession_code=params.profession_code,
    )
    # A CareRequest carries `skill_id`; ReachParams the skill itself.
    skill_id = getattr(params, "skill_id", None) or (getattr(params, "skill", None) and params.skill.pk)
    if skill_id:
        entries = DirectoryEntry.objects.filter(cpts_id=params.cpts.pk, skills__id=skill_id)
        sites = sites.filter(professional_id__in=entries.values("professional_id"))
    nearest: dict[int, float] = {}
    for professional_id, commune_id in sites.order_by().values_list("professional_id", "commune_id"):
        distance = distances[commune_id]
        if professional_id not in nearest or distance < nearest[professional_id]:
            nearest[professional_id] = distance
    for professional_id in exclude:
        nearest.pop(professional_id, None)
    reached = {pk: Reached(pk, distance) for pk, distance in nearest.items()}
    if with_account and reached:
        for professional_id, accounts in accounts_of(reached).items():
            reached[professional_id].user_ids = [user_id for user_id, _ in accounts]
            reached[professional_id].emails = [email for _, email in accounts]
        reached = {pk: person for pk, person in reached.items() if person.user_ids}
    return sorted(reached.values(), key=lambda person: (person.distance_km, person.professional_id))


def accounts_of(professional_ids) -> dict[int, list[tuple[int, str]]]:
    """professional id → [(user id, email)] of the linked accounts that may answer (one query)."""
    found: dict[int, list[tuple[int, str]]] = {}
    rows = (
        ProfessionalAccount.objects.filter(
            professional_id__in=list(professional_ids), user__is_active=True, user__roles__kind=RoleKind.MEMBER
        )
        .order_by()
        .values_list("professional_id", "user_id", "user__email")
        .distinct()
    )
    for professional_id, user_id, email in rows:
        found.setdefault(professional_id, []).append((user_id, email))
    return found
