"""Searching the directory of a CPTS: professionals (RPPS) and structures (FINESS).

Each function takes the cleaned data of a search form (a plain dict: missing keys mean « no
filter ») and the CPTS the search is made for, and returns a lazy queryset with what its pages
show already fetched in a fixed number of queries, however many rows there are.

Distances use commune centroids: a bounding box narrows the communes in SQL (portable to SQLite
and PostgreSQL, no spatial extension), then the haversine distance decides in Python. A commune is
within N km when its centroid is, which is what « dans un rayon de N km » means in practice for a
territory made of communes.
"""

import math
import unicodedata

from django.core.cache import cache
from django.db import router
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce

from maillage.core.geo import EARTH_RADIUS_KM, distance_km
from maillage.core.text import normalize
from maillage.directory.models import Activity, DirectoryEntry, ImportRun, Professional, Skill, Structure
from maillage.directory.models.professionals import name_prefix, starts_with
from maillage.territory.models import Commune, CptsCommune

TERRITORY = "territory"
# Beyond this many results, a search walks the name index rather than sorting (see `_name_order`).
WALK_ABOVE = 5_000
# A search counts its results up to this many (see maillage/www/paging.py).
COUNT_CAP = 10_000
EVERYWHERE = "all"
MEMBERS = "yes"
NOT_MEMBERS = "no"
KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360
# Choice lists are read from tables of millions of rows: kept until the next import changes them.
CHOICES_TIMEOUT = 24 * 3600


def communes_within(center: Commune, km: float) -> list[str]:
    """INSEE codes of the communes whose centroid lies within `km` of `center`'s (itself included)."""
    if center.latitude is None or center.longitude is None:
        return [center.code]
    lat, lon = center.latitude, center.longitude
    # A box a little larger than the circle: the exact test below removes its corners.
    dlat = km / KM_PER_DEGREE * 1.01
    # Longitude degrees shrink with latitude: the box takes the width at its edge nearer the pole.
    dlon = km / (KM_PER_DEGREE * max(math.cos(math.radians(lat + math.copysign(dlat, lat))), 0.01)) * 1.01
    box = Commune.objects.filter(
        latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon)
    ).values_list("code", "latitude", "longitude")
    codes = {code for code, la, lo in box if distance_km(lat, lon, la, lo) <= km}
    return sorted(codes | {center.code})


def _place_codes(data) -> list[str] | None:
    commune = data.get("commune")
    if commune is None:
        return None
    radius = data.get("radius")
    return communes_within(commune, radius) if radius else [commune.code]


def _in_area(queryset, data, cpts, field="commune_id"):
    """Rows whose commune is in the CPTS territory (unless the scope is everywhere) and in the place asked."""
    if data.get("scope", TERRITORY) != EVERYWHERE:
        queryset = queryset.filter(**{f"{field}__in": CptsCommune.objects.filter(cpts=cpts).values("commune_id")})
    codes = _place_codes(data)
    if codes is not None:
        queryset = queryset.filter(**{f"{field}__in": codes})
    return queryset


def name_filter(text: str) -> Q | None:
    """« nom prénom » or « prénom nom » starts with the text: the name, the first name, or both."""
    term = normalize(text)
    if not term:
        return None
    return name_prefix(term, router.db_for_read(Professional))


def _by_name(found, text: str) -> tuple:
    """The name filter and the column the results are ordered by.

    A name matches the start of « nom prénom » or of « prénom nom ». When only one of the two has
    matches in the whole register (two index probes), the filter is on that column alone and the
    results follow its order, so that the first page is read from the index at the prefix (a
    search by first name lists by first name). When both have matches (Martin, Laurence), the
    matching rows are read and sorted."""
    term = normalize(text)
    using = router.db_for_read(Professional)
    columns = [
        column
        for column in ("search_name", "search_given")
        if Professional.objects.filter(starts_with(column, term, using)).exists()
    ]
    if len(columns) == 1:
        return found.filter(starts_with(columns[0], term, using)), columns[0], False
    return found.filter(name_prefix(term, using)), "search_name", True


def _entries_of(cpts, **conditions):
    return DirectoryEntry.objects.filter(cpts=cpts, **conditions).values("professional_id")


def professionals(data, cpts):
    """Active professionals matching the coordinator's search, with their current activities and
    the CPTS's enrichment prefetched (`current_activities`, `cpts_entries`)."""
    found, column, must_sort = Professional.objects.active(), "search_name", False
    if normalize(data.get("name", "")):
        found, column, must_sort = _by_name(found, data["name"])
    if data.get("profession"):
        found = found.filter(profession_code=data["profession"])
    if data.get("specialty"):
        found = found.filter(savoir_faire_code=data["specialty"])
    in_area = data.get("scope", TERRITORY) != EVERYWHERE or data.get("commune") is not None
    if in_area:
        activities = _in_area(Activity.objects.active(), data, cpts)
        found = found.filter(pk__in=activities.values("professional_id"))
    if data.get("member") == MEMBERS:
        found = found.filter(pk__in=_entries_of(cpts, is_member=True))
    elif data.get("member") == NOT_MEMBERS:
        # NOT EXISTS (an anti-join on the entry's professional index), not NOT IN (subquery): PostgreSQL
        # cannot turn NOT IN into an anti-join and filters every professional against the subquery.
        members = DirectoryEntry.objects.filter(cpts=cpts, is_member=True, professional_id=OuterRef("pk"))
        found = found.filter(~Exists(members))
    if data.get("new_patients"):
        found = found.filter(pk__in=_entries_of(cpts, accepts_new_patients=True))
    if data.get("skill") is not None:
        found = found.filter(pk__in=_entries_of(cpts, skills=data["skill"]))
    # Counted once, up to what the pager shows: the count decides the plan, and the pager reuses it.
    count = found.order_by()[: COUNT_CAP + 1].count()
    walk = not must_sort and count > WALK_ABOVE
    results = found.order_by(*_name_order(column, walk)).prefetch_related(*with_enrichment(cpts))
    results.known_count = count
    return results


def _name_order(column: str, walk: bool) -> tuple:
    """Alphabetical order, and with it the plan. Walking the name index and testing each
    professional until a page is full costs pages ÷ share of the country that matches; reading
    the matching ones and sorting them costs their number. A small area (a few communes, a rare
    profession in a territory, a rare name) must be read and sorted: walking the index would test
    most of the country (0.9 s at 500,000 lines). A large one must be walked: sorting tens of
    thousands of rows for 25 of them is what takes time then. The two cost the same near
    √(page × country), a few thousand: the results are counted first (up to the pager's cap, a
    count the pager reuses). An order on an expression the index cannot serve keeps the
    read-and-sort plan (the name columns are never null: the Coalesce changes nothing but the
    plan). A search by a name found in both columns is always read and sorted (see `_by_name`)."""
    if walk:
        return (column, "national_id")
    return (Coalesce(column, Value("")), "national_id")


def with_enrichment(cpts) -> list[Prefetch]:
    return [
        Prefetch(
            "activities",
            queryset=Activity.objects.active().select_related("commune").order_by("id"),
            to_attr="current_activities",
        ),
        Prefetch(
            "directory_entries",
            queryset=DirectoryEntry.objects.filter(cpts=cpts).prefetch_related("skills"),
            to_attr="cpts_entries",
        ),
    ]


def _plain(text: str) -> str:
    """Accents off, case kept: FINESS names are mostly upper case without accents."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def structures(data, cpts):
    """Active FINESS establishments matching the search, their commune fetched."""
    found = _in_area(Structure.objects.active(), data, cpts)
    name = _plain(data.get("name", ""))
    if name:
        found = found.filter(Q(short_name__icontains=name) | Q(long_name__icontains=name))
    if data.get("category"):
        found = found.filter(category_code=data["category"])
    return found.select_related("commune").order_by("short_name", "finess_et")


def public_professionals(data, cpts):
    """What the public directory lists: professionals with an active activity on the territory.

    Only the activities on the territory are fetched, and of the enrichment only the entries the
    professional chose to publish, restricted to the published fields: the MSSanté address and
    the membership never reach the template.
    """
    found = Professional.objects.active()
    by_name = name_filter(data.get("name", ""))
    if by_name is not None:
        found = found.filter(by_name)
    if data.get("profession"):
        found = found.filter(profession_code=data["profession"])
    on_territory = _in_area(Activity.objects.active(), {"scope": TERRITORY}, cpts)
    published = (
        DirectoryEntry.objects.listed()
        .filter(cpts=cpts)
        .only("id", "professional_id", "languages", "accepts_new_patients")
        .prefetch_related("skills")
    )
    return (
        found.filter(pk__in=on_territory.values("professional_id"))
        .order_by("search_name", "national_id")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=on_territory.select_related("commune").order_by("id"),
                to_attr="territory_activities",
            ),
            Prefetch("directory_entries", queryset=published, to_attr="published_entries"),
        )
    )


def _last_run(source) -> int:
    run = (
        ImportRun.objects.filter(source=source, applied=True, status=ImportRun.Status.COMPLETED)
        .values_list("pk", flat=True)
        .first()
    )
    return run or 0


def _distinct_pairs(queryset, code: str, label: str) -> list[tuple[str, str]]:
    pairs = queryset.exclude(**{code: ""}).order_by().values_list(code, label).distinct()
    labels: dict[str, str] = {}
    for value, text in pairs:
        labels.setdefault(value, text or value)
    return sorted(labels.items(), key=lambda item: normalize(item[1]))


def profession_choices() -> list[tuple[str, str]]:
    key = f"directory:professions:{_last_run(ImportRun.Source.RPPS)}"
    return cache.get_or_set(
        key,
        lambda: _distinct_pairs(Professional.objects.active(), "profession_code", "profession_label"),
        CHOICES_TIMEOUT,
    )


def specialty_choices() -> list[tuple[str, str]]:
    key = f"directory:specialties:{_last_run(ImportRun.Source.RPPS)}"
    return cache.get_or_set(
        key,
        lambda: _distinct_pairs(Professional.objects.active(), "savoir_faire_code", "savoir_faire_label"),
        CHOICES_TIMEOUT,
    )


def category_choices() -> list[tuple[str, str]]:
    key = f"directory:categories:{_last_run(ImportRun.Source.FINESS)}"
    return cache.get_or_set(
        key, lambda: _distinct_pairs(Structure.objects.active(), "category_code", "category_label"), CHOICES_TIMEOUT
    )


def skills():
    return Skill.objects.order_by("label")


def describe(data) -> dict:
    """The filters of a search as plain JSON values, for the audit log of an export."""
    described = {}
    for key, value in data.items():
        if value in (None, "", False, []):
            continue
        if isinstance(value, Commune | Skill):
            value = value.code
        described[key] = value
    return described
