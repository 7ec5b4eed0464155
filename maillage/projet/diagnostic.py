"""The territorial diagnostic of a CPTS, computed from what the platform holds.

Plain dataclasses, no presentation: the page, the XLSX export and the DOCX of the projet de santé
all read the same `Diagnostic`. Figures come from the directory loaded in the database (RPPS and
ADELI), the COG populations, the imported GP zoning, and the mission indicators read through the
registry. A handful of GROUP BY queries whatever the size of the national directory; the
département and national densities, which read millions of rows, are cached until the next RPPS
import (the same key as the directory's choice lists, see directory/search.py).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Exists, Max, OuterRef, Sum, Value, When
from django.utils import timezone

from maillage.directory.models import Activity, ImportRun, Professional
from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.projet.models.zoning import Zone
from maillage.territory.models import Commune, Departement
from maillage.territory.tiers import Tier, tier_for

PER = 10_000
CACHE_SECONDS = 24 * 3600
PHYSICIAN = "10"
GENERAL_PRACTICE = "SM54"
# Figures of the missions shown when they have data: (registry code, label in the diagnostic).
MISSION_FIGURES = [
    ("doctor_access.waiting_by_priority", "Patients en attente d'un médecin traitant (fin de période)"),
    ("doctor_access.vulnerable_without_doctor", "dont patients vulnérables sans médecin traitant"),
    ("doctor_access.median_wait_days", "Attente médiane des patients en liste"),
    ("doctor_access.found_doctor", "Patients ayant trouvé un médecin traitant"),
    ("unscheduled.requests", "Demandes de soins non programmés reçues"),
    ("unscheduled.served_within_24h", "Part des demandes prises en charge en moins de 24 heures"),
    ("unscheduled.unmet_by_reason", "Demandes de soins non programmés sans solution"),
]


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    departement: str
    population: int
    zone: str  # "" when the zoning of the commune is not loaded
    zone_label: str


@dataclass(frozen=True)
class AreaDensity:
    label: str  # « Hauts-de-Seine (92) »
    count: int
    density: Decimal | None


@dataclass(frozen=True)
class ProfessionRow:
    key: str
    label: str
    count: int  # professionals with an active site on the territory, each counted once
    density: Decimal | None  # per 10,000 inhabitants of the territory
    departements: list[AreaDensity]
    national: AreaDensity


@dataclass(frozen=True)
class MissionFigure:
    code: str
    label: str
    value: int | float | str | None  # a breakdown counts as its total; str: hidden from a regional reader
    unit: str
    detail: str = ""  # the breakdown, « ALD : 12, 70 ans ou plus : 8 »


@dataclass(frozen=True)
class ZoneShare:
    zone: str
    label: str
    communes: int
    population: int
    share: Decimal | None  # % of the territory's population


@dataclass
class Diagnostic:
    cpts_name: str
    population: int
    tier: Tier
    communes: list[CommuneRow]
    departements: list[tuple[str, str, int]]  # (code, label, population)
    national_population: int
    professions: list[ProfessionRow]
    zoning: list[ZoneShare]
    year: int
    missions: list[MissionFigure] = field(default_factory=list)
    directory_date: object = None  # when the last RPPS import was applied, if any

    @property
    def zoning_loaded(self) -> bool:
        return bool(self.zoning)

    @property
    def professionals(self) -> int:
        return sum(row.count for row in self.professions)


def density(count: int, population: int) -> Decimal | None:
    """Per 10,000 inhabitants, to one decimal, rounded half up at the end only."""
    if not population:
        return None
    return (Decimal(count) * PER / Decimal(population)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _gp(prefix: str = ""):
    """True for general practitioners: the diagnostic shows them apart from the other physicians."""
    when = When(**{f"{prefix}savoir_faire_code": GENERAL_PRACTICE}, then=Value(True))
    return Case(when, default=Value(False), output_field=BooleanField())


def _key(profession: str, gp: bool) -> str:
    return f"{profession}-MG" if profession == PHYSICIAN and gp else profession


def _label(profession: str, gp: bool, label: str) -> str:
    if profession != PHYSICIAN:
        return label or f"profession {profession}"
    return "Médecin généraliste" if gp else "Médecin (autres spécialités)"


def _territory_counts(codes: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    on_territory = Activity.objects.active().filter(commune_id__in=codes).values("professional_id")
    rows = (
        Professional.objects.active()
        .filter(pk__in=on_territory)
        .annotate(gp=_gp())
        .values("profession_code", "gp")
        .annotate(n=Count("id"), label=Max("profession_label"))
        .order_by()
    )
    counts, labels = {}, {}
    for row in rows:
        key = _key(row["profession_code"], row["gp"])
        counts[key] = counts.get(key, 0) + row["n"]
        labels[key] = _label(row["profession_code"], row["gp"], row["label"])
    return counts, labels


def _last_rpps_run():
    return (
        ImportRun.objects.filter(source=ImportRun.Source.RPPS, applied=True, status=ImportRun.Status.COMPLETED)
        .values_list("pk", "finished_at")
        .first()
    )


def _cached(key: str, run, compute):
    # Without a completed import the directory was written by hand (tests, fixtures): no cache key
    # would tell when it changes, so it is read each time.
    if run is None:
        return compute()
    return cache.get_or_set(f"projet:{key}:{run[0]}", compute, CACHE_SECONDS)


def _departement_counts(code: str) -> tuple[dict[str, int], dict[str, str]]:
    rows = (
        Activity.objects.active()
        .filter(commune__departement_id=code, professional__active=True)
        .annotate(gp=_gp("professional__"))
        .values("professional__profession_code", "gp")
        .annotate(n=Count("professional_id", distinct=True), label=Max("professional__profession_label"))
        .order_by()
    )
    counts, labels = {}, {}
    for row in rows:
        key = _key(row["professional__profession_code"], row["gp"])
        counts[key] = counts.get(key, 0) + row["n"]
        labels[key] = _label(row["professional__profession_code"], row["gp"], row["label"])
    return counts, labels


def _national_counts() -> dict[str, int]:
    somewhere = Activity.objects.active().filter(professional_id=OuterRef("pk"), commune__isnull=False)
    rows = (
        Professional.objects.active()
        .filter(Exists(somewhere))
        .annotate(gp=_gp())
        .values("profession_code", "gp")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for row in rows:
        key = _key(row["profession_code"], row["gp"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _populations(departements: list[str]) -> tuple[dict[str, int], int]:
    rows = (
        Commune.objects.units()
        .filter(departement_id__in=departements)
        .values("departement_id")
        .annotate(p=Sum("population"))
        .order_by()
    )
    by_departement = {row["departement_id"]: row["p"] or 0 for row in rows}
    national = cache.get_or_set(
        "projet:population:france", lambda: Commune.objects.units().aggregate(p=Sum("population", default=0))["p"], 3600
    )
    return by_departement, national


def _communes(cpts) -> list[CommuneRow]:
    rows = []
    for commune in cpts.communes().select_related("gp_zoning").order_by("name", "code"):
        zoning = getattr(commune, "gp_zoning", None)  # the reverse one-to-one raises AttributeError when absent
        rows.append(
            CommuneRow(
                code=commune.code,
                name=commune.name,
                departement=commune.departement_id,
                population=commune.population,
                zone=zoning.zone if zoning else "",
                zone_label=zoning.get_zone_display() if zoning else "",
            )
        )
    return rows


def _zoning(communes: list[CommuneRow], population: int) -> list[ZoneShare]:
    shares = []
    for zone in Zone:
        inside = [c for c in communes if c.zone == zone.value]
        if inside:
            people = sum(c.population for c in inside)
            shares.append(ZoneShare(zone.value, zone.label, len(inside), people, _share(people, population)))
    return shares


def _breakdown(value) -> str:
    if not isinstance(value, dict):
        return ""
    return ", ".join(f"{label} : {count}" for label, count in value.items())


def mission_figures(cpts, year: int, *, regional: bool = False) -> list[MissionFigure]:
    """The access and unscheduled-care figures of `year`, read through the registry; only those
    with data (a mission the CPTS does not run through Maillage shows nothing rather than zeros).
    For a regional reader, a count of 1 to 4 people reads "< 5" (its breakdown too) and a rate
    or median over fewer than 5 people is withheld (`registry.for_region`)."""
    period = Period.year(year)
    codes = [code for code, _ in MISSION_FIGURES if code in registry.REGISTRY]
    values = registry.compute(cpts, period, codes)
    figures = []
    for code, label in MISSION_FIGURES:
        if code not in values:
            continue
        value = values[code]
        number = registry.total(value) if isinstance(value, dict) else value
        if not number:
            continue
        indicator = registry.REGISTRY[code]
        if regional:
            # The total as a count first (its breakdown's lines may each be under 5, not it).
            totals = {**values, code: number}
            number = registry.for_region(indicator, totals, cpts=cpts, period=period)
            value = registry.hide_small(value) if indicator.counts_people else value
        figures.append(MissionFigure(code, label, number, indicator.unit, _breakdown(value)))
    return figures


def compute(cpts, *, year: int | None = None, regional: bool = False) -> Diagnostic:
    """`regional`: as a regional reader may see it (small numbers of people hidden)."""
    year = year or timezone.localdate().year
    communes = _communes(cpts)
    population = cpts.population()
    codes = [c.code for c in communes]
    dep_codes = sorted({c.departement for c in communes})
    dep_population, national_population = _populations(dep_codes)
    dep_names = dict(Departement.objects.filter(code__in=dep_codes).values_list("code", "name"))
    run = _last_rpps_run()
    counts, labels = _territory_counts(codes)
    dep_counts = {}
    for code in dep_codes:
        dep_counts[code], dep_labels = _cached(f"departement:{code}", run, partial(_departement_counts, code))
        # A profession present around but absent from the territory is a finding: it gets its row, at 0.
        for key, label in dep_labels.items():
            labels.setdefault(key, label)
            counts.setdefault(key, 0)
    national_counts = _cached("france", run, _national_counts)
    professions = []
    for key in sorted(counts, key=lambda k: (-counts[k], labels[k])):
        professions.append(
            ProfessionRow(
                key=key,
                label=labels[key],
                count=counts[key],
                density=density(counts[key], population),
                departements=[
                    AreaDensity(
                        f"{dep_names.get(code, code)} ({code})",
                        dep_counts[code].get(key, 0),
                        density(dep_counts[code].get(key, 0), dep_population.get(code, 0)),
                    )
                    for code in dep_codes
                ],
                national=AreaDensity(
                    "France", national_counts.get(key, 0), density(national_counts.get(key, 0), national_population)
                ),
            )
        )
    return Diagnostic(
        cpts_name=cpts.name,
        population=population,
        tier=tier_for(population),
        communes=communes,
        departements=[(code, dep_names.get(code, code), dep_population.get(code, 0)) for code in dep_codes],
        national_population=national_population,
        professions=professions,
        zoning=_zoning(communes, population),
        year=year,
        missions=mission_figures(cpts, year, regional=regional),
        directory_date=run[1] if run else None,
    )
