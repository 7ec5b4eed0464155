"""The territorial diagnostic of a CPTS, computed from what the platform holds.

Plain dataclasses, no presentation: the page, the XLSX export and the DOCX of the projet de santé
all read the same `Diagnostic`. The territory's figures come from the directory loaded in the
database (RPPS and ADELI), the COG populations, the imported GP zoning, and the mission indicators
read through the registry; the département, région and France densities they are compared to are
reference figures of a named source and year (`ReferenceDensity`, docs/adr/0027), never the loaded
directory, which may be a demo's or a région's. A handful of queries whatever the size of the
directory.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Exists, Max, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from maillage.directory.models import Activity, ImportRun, Professional
from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.projet.densities import DEPARTEMENT, FRANCE, LABELS, REGION
from maillage.projet.models.reference import ReferenceDensity
from maillage.projet.models.zoning import Zone
from maillage.territory.models import Commune, Departement
from maillage.territory.tiers import Tier, tier_for

PER = 10_000
PHYSICIAN = "10"
GENERAL_PRACTICE = "SM54"
# Activities in the liberal mode (RPPS « Code mode exercice »: L libéral, S salarié, B bénévole). A
# professional with one liberal site among salaried ones counts as libéral, as in the Cnam's figures.
LIBERAL_MODES = ("L",)
NO_REFERENCE = "pas de référence chargée"
DEMO_ZONING = "démonstration"
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
    """A reference density: published figures of a source and year, for the professionals of its
    scope (« libéraux »), per 10,000 inhabitants."""

    label: str  # the area the figure is of: « Hauts-de-Seine (92) », « Île-de-France (région) », « France »
    density: Decimal | None  # None: no reference loaded for this area and profession
    year: int | None = None
    source: str = ""
    scope: str = ""
    count: int | None = None
    fallback: bool = False  # the région's figure, for want of the département's

    @property
    def citation(self) -> str:
        """« Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux) »."""
        return f"{self.source}, {self.year} ({self.scope})" if self.density is not None else ""

    @property
    def note(self) -> str:
        """What a cell says beside the figure: its year, the région standing in, or its absence."""
        if self.density is None:
            return NO_REFERENCE
        return f"{self.label}, {self.year}" if self.fallback else str(self.year)


@dataclass(frozen=True)
class ProfessionRow:
    key: str
    label: str
    count: int  # professionals with an active site on the territory, each counted once
    density: Decimal | None  # per 10,000 inhabitants of the territory
    departements: list[AreaDensity]  # one per département of the territory, its reference
    national: AreaDensity  # France's reference
    liberal_count: int = 0  # of whom with a liberal site on the territory: the references' scope
    liberal_density: Decimal | None = None


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
    zoning_files: list[str] = field(default_factory=list)  # where the zoning shown comes from

    @property
    def zoning_demo(self) -> bool:
        return DEMO_ZONING in self.zoning_files

    @property
    def sources(self) -> list[str]:
        """« Source : … » of the reference figures shown, one per source and year."""
        citations = {a.citation for row in self.professions for a in [*row.departements, row.national]}
        return [f"Source : {c}" for c in sorted(citations) if c]

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


def _territory_counts(codes: list[str]) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """Professionals with an active site on the territory and, among them, those with a liberal one."""
    on_territory = Activity.objects.active().filter(commune_id__in=codes)
    liberal_here = on_territory.filter(professional_id=OuterRef("pk"), mode_code__in=LIBERAL_MODES)
    rows = (
        Professional.objects.active()
        .filter(pk__in=on_territory.values("professional_id"))
        .annotate(gp=_gp(), liberal=Exists(liberal_here))
        .values("profession_code", "gp", "liberal")
        .annotate(n=Count("id"), label=Max("profession_label"))
        .order_by()
    )
    counts, liberal, labels = {}, {}, {}
    for row in rows:
        key = _key(row["profession_code"], row["gp"])
        counts[key] = counts.get(key, 0) + row["n"]
        liberal[key] = liberal.get(key, 0) + (row["n"] if row["liberal"] else 0)
        labels[key] = _label(row["profession_code"], row["gp"], row["label"])
    return counts, liberal, labels


def _last_rpps_run():
    return (
        ImportRun.objects.filter(source=ImportRun.Source.RPPS, applied=True, status=ImportRun.Status.COMPLETED)
        .values_list("pk", "finished_at")
        .first()
    )


def _references(departements: list[str], regions: list[str]) -> dict[tuple[str, str, str], ReferenceDensity]:
    """{(area kind, area code, profession): the latest figure} for France and the territory's
    départements and régions, in one query."""
    wanted = (
        Q(area_kind=FRANCE)
        | Q(area_kind=REGION, area_code__in=regions)
        | Q(area_kind=DEPARTEMENT, area_code__in=departements)
    )
    found = {}
    for ref in ReferenceDensity.objects.filter(wanted).order_by("-year"):
        found.setdefault((ref.area_kind, ref.area_code, ref.profession), ref)
    return found


def _area(label: str, ref: ReferenceDensity | None, *, fallback: bool = False) -> AreaDensity:
    if ref is None:
        return AreaDensity(label, None)
    return AreaDensity(label, ref.density, ref.year, ref.source, ref.scope, ref.count, fallback)


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


def _communes(cpts) -> tuple[list[CommuneRow], list[str]]:
    rows, files = [], set()
    for commune in cpts.communes().select_related("gp_zoning").order_by("name", "code"):
        zoning = getattr(commune, "gp_zoning", None)  # the reverse one-to-one raises AttributeError when absent
        if zoning is not None and zoning.file_name:
            files.add(zoning.file_name)
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
    return rows, sorted(files)


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
    communes, zoning_files = _communes(cpts)
    population = cpts.population()
    codes = [c.code for c in communes]
    dep_codes = sorted({c.departement for c in communes})
    dep_population, national_population = _populations(dep_codes)
    deps = {
        code: (name, region, region_name)
        for code, name, region, region_name in Departement.objects.filter(code__in=dep_codes).values_list(
            "code", "name", "region_id", "region__name"
        )
    }
    run = _last_rpps_run()
    counts, liberal, labels = _territory_counts(codes)
    references = _references(dep_codes, sorted({region for _, region, _ in deps.values()}))
    # A compared profession absent from the territory is a finding: it gets its row, at 0.
    for _, _, key in references:
        if key in LABELS:
            labels.setdefault(key, LABELS[key])
            counts.setdefault(key, 0)

    def departement_reference(code: str, key: str) -> AreaDensity:
        name, region, region_name = deps.get(code, (code, None, ""))
        own = references.get((DEPARTEMENT, code, key))
        if own is not None or (REGION, region, key) not in references:
            return _area(f"{name} ({code})", own)
        return _area(f"{region_name} (région)", references[(REGION, region, key)], fallback=True)

    professions = []
    for key in sorted(counts, key=lambda k: (-counts[k], labels[k])):
        professions.append(
            ProfessionRow(
                key=key,
                label=labels[key],
                count=counts[key],
                density=density(counts[key], population),
                departements=[departement_reference(code, key) for code in dep_codes],
                national=_area("France", references.get((FRANCE, "", key))),
                liberal_count=liberal.get(key, 0),
                liberal_density=density(liberal.get(key, 0), population),
            )
        )
    return Diagnostic(
        cpts_name=cpts.name,
        population=population,
        tier=tier_for(population),
        communes=communes,
        departements=[(code, deps.get(code, (code,))[0], dep_population.get(code, 0)) for code in dep_codes],
        national_population=national_population,
        professions=professions,
        zoning=_zoning(communes, population),
        year=year,
        missions=mission_figures(cpts, year, regional=regional),
        directory_date=run[1] if run else None,
        zoning_files=zoning_files,
    )
