"""Reference densities of health professionals: the figures the diagnostic compares a territory to.

Two sources, one model (`ReferenceDensity`, docs/adr/0027):
- the few figures shipped with the product (reference/densites.csv, our own file, each line
  checkable in the source it names), loaded by a migration so that every installation has them;
- the Data ameli open-data file « Professionnels de santé libéraux : effectif et densité par tranche
  d'âge, sexe et territoire », loaded by an operator with `import_densites` for every département
  and région. Same discipline as the other imports (DESIGN.md §5): a dry run by default with a
  readable report, `apply=True` to write in one transaction, every rejected line with its number and
  its reason, a second run of the same file changes nothing.

Data ameli publishes densities per 100,000 inhabitants; the diagnostic speaks per 10,000: figures
are divided by 10 on the way in, and kept to two decimals.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db.models import Sum
from django.utils import timezone

from maillage.directory.sources import SourceError, SourceFile, split_csv_line

SHIPPED = Path(__file__).resolve().parent / "reference" / "densites.csv"
AMELI_SOURCE = "Cnam, Data ameli professionnels de santé libéraux"
AMELI_URL = "https://data.ameli.fr/"
LIBERAL = "libéraux"
PUBLISHED_PER = Decimal(100_000)
PER = Decimal(10_000)
TWO_PLACES = Decimal("0.01")
FRANCE, REGION, DEPARTEMENT = "france", "region", "departement"

# The professions the diagnostic compares, by its keys (RPPS profession codes; "10-MG" is the
# general practitioners among the physicians), and how the diagnostic names them.
LABELS = {
    "10-MG": "Médecin généraliste",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
    "40": "Chirurgien-Dentiste",
    "91": "Orthophoniste",
}

YEAR_COLUMNS = ("annee", "year", "an")
PROFESSION_COLUMNS = ("profession_sante", "profession_de_sante", "libelle_profession_sante", "libelle_profession",
                      "profession")  # fmt: skip
# Codes only (« 92 » or « 92 - Hauts-de-Seine »): the label columns beside them are not read.
REGION_COLUMNS = ("region", "code_region", "reg")
DEPARTEMENT_COLUMNS = ("departement", "code_departement", "dep")
AGE_COLUMNS = ("classe_age", "libelle_classe_age", "tranche_age", "classe_d_age", "tranche_d_age", "age")
SEX_COLUMNS = ("libelle_sexe", "sexe", "sex")
COUNT_COLUMNS = ("effectif", "effectifs", "nombre")
DENSITY_PREFIX = "densite"
DEPARTEMENT_CODE = re.compile(r"(97\d|2[AB]|\d{2})(?!\d)")
REGION_CODE = re.compile(r"(\d{2})(?!\d)")
TOTAL_WORDS = ("tout", "tous", "ensemble", "total", "france")


class DensityFileError(Exception):
    """The file cannot be read at all; nothing was written."""


def _plain(text: str) -> str:
    """« Densité (pour 100 000 hab.) » → "densite_pour_100_000_hab": headers and labels compared
    without accents, case or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def profession_key(label: str) -> str | None:
    """The diagnostic's key of a Data ameli profession label, None for a profession not compared."""
    plain = _plain(label)
    if "generaliste" in plain:
        return "10-MG"
    if "infirmier" in plain:
        return "60"
    if "kinesitherap" in plain:
        return "70"
    if "dentiste" in plain and ("hors_odf" in plain or "odf" not in plain) and "specialiste" not in plain:
        return "40"
    if "orthophoniste" in plain:
        return "91"
    return None


def _per_10000(published: Decimal) -> Decimal:
    return (published * PER / PUBLISHED_PER).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _decimal(text: str) -> Decimal | None:
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


# --- The shipped figures ---------------------------------------------------------------------------


def shipped_rows(path=SHIPPED) -> list[dict]:
    """The rows of our own file, ready for `ReferenceDensity(**row)`. It is ours and tested: a
    malformed line is a bug, not an input to report."""
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for record in csv.DictReader(lines, delimiter=";"):
        rows.append(
            {
                "area_kind": record["niveau"],
                "area_code": record["code"],
                "profession": record["profession"],
                "density": _per_10000(_decimal(record["densite_pour_100000"])),
                "scope": record["champ"],
                "source": record["source"],
                "year": int(record["annee"]),
                "url": record["url"],
                "file_name": Path(path).name,
            }
        )
    return rows


def install_shipped(model, path=SHIPPED) -> int:
    """Writes the shipped figures (`model`: the migration's historical model or the real one); a
    figure an operator imported for the same area, profession and year is replaced."""
    rows = shipped_rows(path)
    for row in rows:
        key = {name: row.pop(name) for name in ("area_kind", "area_code", "profession", "year")}
        model.objects.update_or_create(**key, defaults=row)
    return len(rows)


# --- The Data ameli file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    excerpt: str


@dataclass(frozen=True)
class Figure:
    area_kind: str
    area_code: str
    profession: str
    year: int
    density: Decimal
    count: int | None

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.area_kind, self.area_code, self.profession, self.year)


@dataclass
class Outcome:
    file_name: str
    lines: int = 0
    new: list[Figure] = field(default_factory=list)
    changed: list[tuple[Figure, Decimal]] = field(default_factory=list)  # (figure, density before)
    unchanged: int = 0
    ignored: int = 0  # professions not compared, lines by age or sex
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False


@dataclass
class _Columns:
    year: int
    profession: int
    regions: list[int]
    departements: list[int]
    breakdowns: list[int]  # age and sex: a line is kept only when each says « all »
    count: int | None
    density: int | None
    width: int


def _find(header: list[str], names: tuple[str, ...]) -> list[int]:
    return [header.index(name) for name in names if name in header]


def _columns(header_text: str, delimiter: str) -> _Columns:
    header = [_plain(name.strip().strip('"')) for name in split_csv_line(header_text, delimiter)]
    years, professions = _find(header, YEAR_COLUMNS), _find(header, PROFESSION_COLUMNS)
    counts = _find(header, COUNT_COLUMNS)
    densities = [i for i, name in enumerate(header) if name.startswith(DENSITY_PREFIX)]
    if not years or not professions or not (counts or densities):
        raise DensityFileError(
            "En-tête non reconnu : le fichier doit avoir une colonne « année », une colonne « profession de "
            "santé » et une colonne « densité » ou « effectif » "
            f"(colonnes trouvées : {', '.join(header[:12]) or 'aucune'})."
        )
    return _Columns(
        year=years[0],
        profession=professions[0],
        regions=_find(header, REGION_COLUMNS),
        departements=_find(header, DEPARTEMENT_COLUMNS),
        breakdowns=_find(header, AGE_COLUMNS) + _find(header, SEX_COLUMNS),
        count=counts[0] if counts else None,
        density=densities[0] if densities else None,
        width=len(header),
    )


def _is_total(value: str) -> bool:
    plain = _plain(value)
    return plain == "" or plain.startswith(TOTAL_WORDS) or plain in ("999", "99", "00", "0")


def _code(values: list[str], pattern: re.Pattern) -> str | None:
    """The area's code from its columns (« 92 », « 92 - Hauts-de-Seine »), "" for « all », None
    when unreadable (a line is never taken for France by mistake)."""
    for value in values:
        value = value.strip()
        if _is_total(value):
            continue
        match = pattern.match(value.upper())
        return match.group(1) if match else None
    return ""


class _Areas:
    """The installed reference territory, read once: codes to check, populations when a line gives
    a count without a density."""

    def __init__(self):
        from maillage.territory.models import Commune, Departement

        self.departements = dict(Departement.objects.values_list("code", "region_id"))
        self.regions = set(self.departements.values())
        rows = Commune.objects.units().values("departement_id").annotate(p=Sum("population")).order_by()
        self.population = {(DEPARTEMENT, r["departement_id"]): r["p"] or 0 for r in rows}
        for (_, code), people in list(self.population.items()):
            region = (REGION, self.departements.get(code))
            self.population[region] = self.population.get(region, 0) + people
        self.population[(FRANCE, "")] = sum(p for (kind, _), p in self.population.items() if kind == DEPARTEMENT)


def _parse(text: str, delimiter: str, columns: _Columns, areas: _Areas):
    """(reason, figure): a reason to reject, or a figure; (“”, None) for a line to leave aside."""
    if "\x00" in text:
        return "ligne illisible (octets nuls)", None
    try:
        fields = split_csv_line(text, delimiter)
    except csv.Error:
        return "ligne CSV mal formée (guillemets)", None
    if len(fields) != columns.width:
        return f"{len(fields)} colonnes au lieu de {columns.width}", None
    profession = profession_key(fields[columns.profession])
    if profession is None or not all(_is_total(fields[i]) for i in columns.breakdowns):
        return "", None
    year_text = fields[columns.year].strip()
    if not (year_text.isdigit() and 1990 <= int(year_text) <= 2100):
        return f"année « {year_text[:12]} » invalide", None
    departement = _code([fields[i] for i in columns.departements], DEPARTEMENT_CODE)
    region = _code([fields[i] for i in columns.regions], REGION_CODE)
    if departement is None or region is None:
        return "code de département ou de région illisible", None
    if departement:
        if departement not in areas.departements:
            return f"département {departement} inconnu du référentiel installé", None
        area = (DEPARTEMENT, departement)
    elif region:
        if region not in areas.regions:
            return f"région {region} inconnue du référentiel installé", None
        area = (REGION, region)
    else:
        area = (FRANCE, "")
    try:
        count = _decimal(fields[columns.count]) if columns.count is not None else None
    except ValueError:
        return f"effectif « {fields[columns.count].strip()[:12]} » illisible", None
    try:
        published = _decimal(fields[columns.density]) if columns.density is not None else None
    except ValueError:
        return f"densité « {fields[columns.density].strip()[:12]} » illisible", None
    if count is not None and count != int(count):
        return f"effectif « {fields[columns.count].strip()[:12]} » non entier", None
    if published is not None:
        density = _per_10000(published)
    elif count is not None and areas.population.get(area):
        density = (count * PER / areas.population[area]).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    elif count is not None:
        return "densité absente et population du territoire inconnue", None
    else:
        return "ni densité ni effectif", None
    figure = Figure(*area, profession, int(year_text), density, int(count) if count is not None else None)
    return "", figure


def read(path) -> tuple[dict[tuple, tuple[int, Figure]], list[Rejected], int, int]:
    """{key: (line, figure)}, the rejected lines, the number of data lines, the lines left aside."""
    try:
        source = SourceFile(path)
        lines = source.lines()
        header_line = next(lines, None)
    except SourceError as exc:
        raise DensityFileError(str(exc)) from exc
    if header_line is None:
        raise DensityFileError(f"Le fichier {Path(path).name} ne contient aucune ligne.")
    delimiter = max((";", ",", "\t"), key=header_line.text.count)
    columns = _columns(header_line.text, delimiter)
    areas = _Areas()
    figures: dict[tuple, tuple[int, Figure]] = {}
    rejected: list[Rejected] = []
    count = ignored = 0
    for line in lines:
        count += 1
        reason, figure = _parse(line.text, delimiter, columns, areas)
        if figure is not None and figure.key in figures:
            reason = f"même territoire, profession et année que la ligne {figures[figure.key][0]}"
        if reason:
            rejected.append(Rejected(line.number, reason, line.text[:120]))
        elif figure is None:
            ignored += 1
        else:
            figures[figure.key] = (line.number, figure)
    return figures, rejected, count, ignored


def run(path, *, apply: bool = False, actor=None, source: str = AMELI_SOURCE, url: str = AMELI_URL) -> Outcome:
    from maillage.projet import imports
    from maillage.projet.models import ReferenceDensity

    figures, rejected, count, ignored = read(path)
    name = Path(path).name
    outcome = Outcome(file_name=name, lines=count, ignored=ignored, rejected=rejected)
    existing = {(r.area_kind, r.area_code, r.profession, r.year): r for r in ReferenceDensity.objects.all()}
    created, updated = [], []
    now = timezone.now()
    for key, (_, figure) in figures.items():
        before = existing.get(key)
        values = {"density": figure.density, "count": figure.count, "scope": LIBERAL, "source": source, "url": url}
        if before is None:
            outcome.new.append(figure)
            created.append(ReferenceDensity(**dict(zip(("area_kind", "area_code", "profession", "year"), key,
                                                       strict=True)), **values, file_name=name))  # fmt: skip
        elif any(getattr(before, attr) != value for attr, value in values.items()):
            outcome.changed.append((figure, before.density))
            for attr, value in values.items():
                setattr(before, attr, value)
            before.file_name, before.updated_at = name, now
            updated.append(before)
        else:
            outcome.unchanged += 1
    if apply:
        imports.write(
            ReferenceDensity,
            created,
            updated,
            ["density", "count", "scope", "source", "url", "file_name", "updated_at"],
            action="projet.reference_densities.imported",
            actor=actor,
            name=name,
            unchanged=outcome.unchanged,
            rejected=len(rejected),
        )
        outcome.applied = True
    return outcome


def _describe(figure: Figure) -> str:
    area = "France" if figure.area_kind == FRANCE else f"{figure.area_kind} {figure.area_code}"
    return f"{area} {LABELS[figure.profession].lower()} {figure.year} {figure.density}"


def render(outcome: Outcome, *, samples: int = 5, rejected_shown: int = 20) -> list[str]:
    """The command's French report."""
    mode = "enregistré" if outcome.applied else "simulation, rien n'a été enregistré"
    lines = [
        f"Densités de référence — {outcome.file_name} ({mode})",
        f"  lignes lues : {outcome.lines}",
        f"  nouvelles densités : {len(outcome.new)}",
        f"  densités modifiées : {len(outcome.changed)}",
        f"  densités inchangées : {outcome.unchanged}",
        f"  lignes laissées de côté (autres professions, détail par âge ou par sexe) : {outcome.ignored}",
        f"  lignes rejetées : {len(outcome.rejected)}",
    ]
    if outcome.new:
        lines.append("  exemples de nouvelles : " + ", ".join(_describe(f) for f in outcome.new[:samples]))
    if outcome.changed:
        changed = ", ".join(f"{_describe(f)} (avant {before})" for f, before in outcome.changed[:samples])
        lines.append(f"  exemples de modifiées : {changed}")
    for item in outcome.rejected[:rejected_shown]:
        lines.append(f"  ligne {item.line} rejetée : {item.reason}")
    if len(outcome.rejected) > rejected_shown:
        lines.append(f"  … et {len(outcome.rejected) - rejected_shown} autres lignes rejetées")
    if not outcome.applied:
        lines.append("Relancez avec --apply pour enregistrer.")
    return lines
