"""Searching the directory of a CPTS: professionals (RPPS) and structures (FINESS).

Each function takes the cleaned data of a search form (a plain dict: missing keys mean « no
filter ») and the CPTS the search is made for, and returns results that a pager slices — a lazy
queryset, or a `Counted` sequence (`ThroughListing`, `Chained`) — with what its pages show
fetched in a fixed number of queries, however many rows there are.

Distances use commune centroids: a bounding box narrows the communes in SQL (portable to SQLite
and PostgreSQL, no spatial extension), then the haversine distance decides in Python. A commune is
within N km when its centroid is, which is what « dans un rayon de N km » means in practice for a
territory made of communes.
"""

import math
import unicodedata

from django.core.cache import cache
from django.db import connections, router
from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from maillage.core.geo import EARTH_RADIUS_KM, distance_km
from maillage.core.text import normalize
from maillage.directory.models import Activity, DirectoryEntry, ImportRun, Listing, Professional, Skill, Structure
from maillage.directory.models.professionals import starts_with
from maillage.territory.models import Commune, CptsCommune

TERRITORY = "territory"
# Beyond this many results, a search walks the name index rather than sorting (see `_name_order`).
WALK_ABOVE = 5_000
# A search counts its results up to this many (see maillage/www/paging.py).
COUNT_CAP = 10_000
EVERYWHERE = "all"
NAME_COLUMNS = ("search_name", "search_given")
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


def _name_parts(rows, term: str, using: str) -> list[tuple]:
    """The parts of a search by name: the column each is ordered by, and its condition.

    A name matches the start of « nom prénom » or of « prénom nom ». When only one of the two has
    matches among `rows` (two index probes), the results are in that column's order — a search
    by first name lists by first name. When both have some (Martin, Laurence), the results whose
    name starts with the text come first, in the order of names, then those whose first name
    does, in the order of first names: each part is then a range of its own index, read in its
    order (ordering the union by name would walk the index of names from its start, testing the
    first names of most of the country: 170 ms)."""
    if not term:
        return [("search_name", Q())]
    name, given = (starts_with(column, term, using) for column in NAME_COLUMNS)
    columns = [column for column in NAME_COLUMNS if rows.filter(starts_with(column, term, using)).exists()]
    if columns == ["search_name"]:
        return [("search_name", name)]
    if columns == ["search_given"]:
        return [("search_given", given)]
    return [("search_name", name), ("search_given", given & ~name)]


class Counted:
    """Results counted beforehand (up to the cap, `known_count`, which the pager reuses) and read
    a slice at a time by the pager."""

    known_count: int

    def count(self) -> int:
        return self.known_count

    def __len__(self) -> int:
        return self.known_count


class Chained(Counted):
    """The parts of a search shown one after the other, as one list that the pager slices: each
    slice reads the rows it needs from each part (counted beforehand, up to the cap)."""

    def __init__(self, parts: list[tuple]):
        self.parts = parts  # (queryset, count)
        self.known_count = min(sum(count for _, count in parts), COUNT_CAP + 1)

    def __getitem__(self, item: slice) -> list:
        start, stop = item.start or 0, self.known_count if item.stop is None else item.stop
        rows, offset = [], 0
        for queryset, count in self.parts:
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                rows.extend(queryset[low:high])
            offset += count
        return rows

    def querysets(self) -> list:
        return [_queryset(part) for part, _ in self.parts]


class ThroughListing(Counted):
    """The results of a search on a territory: a page's professionals are taken from the listing
    (ids, in its order, from its index), then fetched by id with what the page shows. Joining the
    professionals to the listing and ordering the join fetched every matching professional
    before sorting them when PostgreSQL misjudged the matches (10,000 lookups, 170 ms)."""

    def __init__(self, listed, column: str, count: int, fetched=None):
        self.listed = listed.order_by(column, "national_id")  # the matching Listing rows, in order
        self.column = column
        self.known_count = count
        self.fetched = Professional.objects.all() if fetched is None else fetched  # with its prefetches

    def __getitem__(self, item: slice) -> list:
        ids = list(self.listed.values_list("professional_id", flat=True)[item])
        found = self.fetched.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    @property
    def queryset(self):
        """All of them as one queryset, in the same order (the listing copies the professional's
        columns), for the exports."""
        ids = self.listed.order_by().values("professional_id")
        return self.fetched.filter(pk__in=ids).order_by(self.column, "national_id")

    def prefetch_related(self, *lookups):
        return ThroughListing(self.listed, self.column, self.known_count, self.fetched.prefetch_related(*lookups))


def _queryset(part):
    return part.queryset if isinstance(part, ThroughListing) else part


def parts(results) -> list:
    """The querysets a search's results are made of, in order (one unless `Chained`)."""
    return results.querysets() if isinstance(results, Chained) else [_queryset(results)]


def _entries_of(cpts, **conditions):
    return DirectoryEntry.objects.filter(cpts=cpts, **conditions).values("professional_id")


def _with_enrichment_filters(found, data, cpts, key: str):
    """The filters on the CPTS's enrichment and on the place, for rows whose professional is `key`."""
    codes = _place_codes(data)
    if codes is not None:
        there = Activity.objects.active().filter(commune_id__in=codes)
        found = found.filter(**{f"{key}__in": there.values("professional_id")})
    if data.get("member") == MEMBERS:
        found = found.filter(**{f"{key}__in": _entries_of(cpts, is_member=True)})
    elif data.get("member") == NOT_MEMBERS:
        # NOT EXISTS (an anti-join on the entry's professional index), not NOT IN (subquery): PostgreSQL
        # cannot turn NOT IN into an anti-join and filters every professional against the subquery.
        members = DirectoryEntry.objects.filter(cpts=cpts, is_member=True, professional_id=OuterRef(key))
        found = found.filter(~Exists(members))
    if data.get("new_patients"):
        found = found.filter(**{f"{key}__in": _entries_of(cpts, accepts_new_patients=True)})
    if data.get("skill") is not None:
        found = found.filter(**{f"{key}__in": _entries_of(cpts, skills=data["skill"])})
    return found


def professionals(data, cpts):
    """Active professionals matching the coordinator's search, with their current activities and
    the CPTS's enrichment prefetched (`current_activities`, `cpts_entries`). The count, up to the
    pager's cap, is computed here (`known_count`, which the pager reuses): it decides the plan of
    a national search. One queryset, or `Chained` ones for a name matching both columns."""
    search = _everywhere if data.get("scope", TERRITORY) == EVERYWHERE else _on_territory
    found = [(queryset.prefetch_related(*with_enrichment(cpts)), count) for queryset, count in search(data, cpts)]
    return _as_results(found)


def _as_results(found: list[tuple]):
    if len(found) > 1:
        return Chained(found)
    queryset, count = found[0]
    queryset.known_count = count
    return queryset


def _capped_count(queryset) -> int:
    return queryset.order_by()[: COUNT_CAP + 1].count()


def _listing_condition(data, cpts) -> Q:
    """The search's conditions on the columns of `Listing`, but the name."""
    condition = Q(cpts=cpts)
    if data.get("profession"):
        condition &= Q(profession_code=data["profession"])
    if data.get("specialty"):
        condition &= Q(savoir_faire_code=data["specialty"])
    return condition


def _on_territory(data, cpts) -> list[tuple]:
    """A search on the CPTS's territory reads `Listing` (who works there, with the search columns):
    counted in the CPTS's range of its indexes, and paged in their order, the professionals of the
    page alone fetched (`ThroughListing`)."""
    using = router.db_for_read(Listing)
    term = normalize(data.get("name", ""))
    found = []
    for column, by_name in _name_parts(Listing.objects.filter(cpts=cpts), term, using):
        rows = Listing.objects.filter(_listing_condition(data, cpts) & by_name)
        rows = _with_enrichment_filters(rows, data, cpts, "professional_id")
        count = _capped_count(rows)
        found.append((ThroughListing(rows, column, count), count))
    return found


def _everywhere(data, cpts) -> list[tuple]:
    """A search in the whole register: by name, profession, specialty, place, enrichment."""
    term = normalize(data.get("name", ""))
    using = router.db_for_read(Professional)
    results = []
    for column, by_name in _name_parts(Professional.objects.active(), term, using):
        # Counted once, up to what the pager shows: the count decides the plan.
        count = _capped_count(_national(data, cpts, by_name))
        walk = count > WALK_ABOVE
        found = _national(data, cpts, by_name, unindexed=walk and connections[using].vendor == "sqlite")
        results.append((found.order_by(*_name_order(column, walk)), count))
    return results


def _national(data, cpts, by_name: Q, *, unindexed: bool = False):
    """The professionals of the register matching the search. `unindexed`: the profession and
    the specialty are compared in a form SQLite cannot answer from an index (unary +, its
    documented way): to walk the name index, SQLite otherwise reads every doctor of the country
    through the profession's index and sorts them (0.5 s)."""
    found = Professional.objects.active().filter(by_name)
    for field, key in (("profession_code", "profession"), ("savoir_faire_code", "specialty")):
        if data.get(key):
            compared = Func(F(field), template="+%(expressions)s", output_field=CharField()) if unindexed else F(field)
            found = found.filter(Exact(compared, data[key]))
    return _with_enrichment_filters(found, data, cpts, "pk")


def _name_order(column: str, walk: bool) -> tuple:
    """Alphabetical order, and with it the plan. Walking the name index and testing each
    professional until a page is full costs pages ÷ share of the country that matches; reading
    the matching ones and sorting them costs their number. A small set (a few communes, a rare
    profession, a rare name) must be read and sorted: walking the index would test most of the
    country (0.9 s at 500,000 lines). A large one must be walked: sorting tens of thousands of
    rows for 25 of them is what takes time then. The two cost the same near √(page × country), a
    few thousand: the results are counted first (up to the pager's cap, a count the pager
    reuses). An order on an expression the index cannot serve keeps the read-and-sort plan (the
    name columns are never null: the Coalesce changes nothing but the plan)."""
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
    asked = {"name": data.get("name", ""), "profession": data.get("profession"), "scope": TERRITORY}
    found = _on_territory(asked, cpts)
    on_territory = _in_area(Activity.objects.active(), {"scope": TERRITORY}, cpts)
    published = (
        DirectoryEntry.objects.listed()
        .filter(cpts=cpts)
        .only("id", "professional_id", "languages", "accepts_new_patients")
        .prefetch_related("skills")
    )
    prefetched = [
        Prefetch(
            "activities",
            queryset=on_territory.select_related("commune").order_by("id"),
            to_attr="territory_activities",
        ),
        Prefetch("directory_entries", queryset=published, to_attr="published_entries"),
    ]
    return _as_results([(queryset.prefetch_related(*prefetched), count) for queryset, count in found])


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
