"""The attractiveness of a CPTS's territory for a professional who wants to install: each commune's
GP zoning, the professionals of the directory who work there by profession (counts and densities per
10,000 inhabitants) and the aids that apply (maillage/support/aids.py).

Public data only: the directory's counts by commune and profession (the RPPS is open data), the COG
populations, the imported zoning. Three queries whatever the size of the directory; the densities
follow the diagnostic's rule (maillage/projet/diagnostic.py `density`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from maillage.directory.models import Activity
from maillage.projet.diagnostic import GENERAL_PRACTICE, PHYSICIAN, density
from maillage.projet.models.zoning import Zone
from maillage.support import aids

# The professions shown, by the diagnostic's keys (RPPS codes; "10-MG": general practitioners).
SHOWN = [
    ("10-MG", "Médecins généralistes"),
    ("60", "Infirmiers"),
    ("70", "Masseurs-kinésithérapeutes"),
    ("40", "Chirurgiens-dentistes"),
    ("50", "Sages-femmes"),
    ("21", "Pharmaciens"),
]
NOT_LOADED = "inconnu"


@dataclass
class Cell:
    count: int
    density: Decimal | None


@dataclass
class CommuneRow:
    code: str
    name: str
    population: int
    zone: str  # a Zone value, or "" when the zoning of the commune is not loaded
    zone_label: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def state(self) -> str:
        """The map's colour key (static/maillage/js/app.js)."""
        return self.zone.lower() if self.zone else NOT_LOADED


@dataclass
class Attractiveness:
    professions: list[tuple[str, str]]
    communes: list[CommuneRow]
    total: CommuneRow
    zones: list[tuple[str, str, list]]  # aids.for_zones
    zoning_files: list[str]
    everywhere: list = field(default_factory=lambda: list(aids.EVERYWHERE))
    other_professions: str = aids.OTHER_PROFESSIONS

    @property
    def zoning_loaded(self) -> bool:
        return any(row.zone for row in self.communes)

    @property
    def demo_zoning(self) -> bool:
        from maillage.projet.diagnostic import DEMO_ZONING

        return DEMO_ZONING in self.zoning_files


def _key(profession: str, speciality: str) -> str:
    if profession == PHYSICIAN:
        return "10-MG" if speciality == GENERAL_PRACTICE else "10"
    return profession


def _counts(codes: list[str]) -> dict[tuple[str, str], int]:
    """{(commune, profession key): professionals with an active site there} — one professional with
    sites in two communes counts in each, once in the territory's total (`_totals`)."""
    rows = (
        Activity.objects.active()
        .filter(commune_id__in=codes, professional__active=True)
        .values("commune_id", "professional__profession_code", "professional__savoir_faire_code")
        .annotate(n=Count("professional_id", distinct=True))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["commune_id"], _key(row["professional__profession_code"], row["professional__savoir_faire_code"]))
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _totals(codes: list[str]) -> dict[str, int]:
    rows = (
        Activity.objects.active()
        .filter(commune_id__in=codes, professional__active=True)
        .values("professional__profession_code", "professional__savoir_faire_code")
        .annotate(n=Count("professional_id", distinct=True))
        .order_by()
    )
    totals: dict[str, int] = {}
    for row in rows:
        key = _key(row["professional__profession_code"], row["professional__savoir_faire_code"])
        totals[key] = totals.get(key, 0) + row["n"]
    return totals


def compute(cpts) -> Attractiveness:
    communes = list(cpts.communes().select_related("gp_zoning").order_by("name", "code"))
    codes = [c.code for c in communes]
    counts, totals = _counts(codes), _totals(codes)
    rows, files = [], set()
    for commune in communes:
        zoning = getattr(commune, "gp_zoning", None)  # the reverse one-to-one raises when absent
        if zoning is not None and zoning.file_name:
            files.add(zoning.file_name)
        cells = [
            Cell(counts.get((commune.code, key), 0), density(counts.get((commune.code, key), 0), commune.population))
            for key, _ in SHOWN
        ]
        rows.append(
            CommuneRow(
                commune.code,
                commune.name,
                commune.population,
                zoning.zone if zoning else "",
                zoning.get_zone_display() if zoning else "zonage non chargé",
                cells,
            )
        )
    population = sum(c.population for c in communes)
    total = CommuneRow(
        "",
        "Territoire de la CPTS",
        population,
        "",
        "",
        [Cell(totals.get(key, 0), density(totals.get(key, 0), population)) for key, _ in SHOWN],
    )
    zones = aids.for_zones(row.zone for row in rows if row.zone in Zone.values)
    return Attractiveness(SHOWN, rows, total, zones, sorted(files))
