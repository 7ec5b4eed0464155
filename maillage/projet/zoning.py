"""Importing the GP zoning by commune (ZIP, ZAC, ZAR, HZ) from a CSV file.

The format is the one of the unofficial national file mapped to INSEE codes
(`code_insee,type,nom,departement,zonage_mg,zonage_source,…`); only the code and the zone are
needed. Same discipline as the national imports (DESIGN.md §5): a dry run by default that reports
new / changed / unchanged / rejected lines with samples, `apply=True` to write, one transaction,
every rejected line with its number and reason, and a second run of the same file changes nothing.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.exports import csv_row
from maillage.core.french import plural
from maillage.directory.sources import SourceError, SourceFile, split_csv_line
from maillage.projet import imports
from maillage.projet.diagnostic import DEMO_ZONING
from maillage.projet.models import CommuneZoning
from maillage.projet.models.zoning import Zone
from maillage.territory.models import Commune

CODE_COLUMNS = ("code_insee", "codgeo", "code_commune", "insee")
ZONE_COLUMNS = ("zonage_mg", "zonage", "zone")
SOURCE_COLUMNS = ("zonage_source",)
CODE = re.compile(r"\d{5}|2[AB]\d{3}")
NOT_AVAILABLE = {"", "NA", "N/A", "ND"}


class ZoningError(Exception):
    """The file cannot be read at all; nothing was written."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    excerpt: str


@dataclass
class Outcome:
    file_name: str
    lines: int = 0
    new: list[tuple[str, str]] = field(default_factory=list)  # (code, zone)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, before, after)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _delimiter(first_line: str) -> str:
    return max((";", ",", "\t"), key=first_line.count)


def read(path) -> tuple[dict[str, tuple[int, str, str]], list[Rejected], int]:
    """{code: (line, zone, source label)}, the rejected lines, the number of data lines read."""
    try:
        source = SourceFile(path)
        lines = source.lines()
        header_line = next(lines, None)
    except SourceError as exc:
        raise ZoningError(str(exc)) from exc
    if header_line is None:
        raise ZoningError(f"Le fichier {Path(path).name} ne contient aucune ligne.")
    delimiter = _delimiter(header_line.text)
    header = [name.strip().strip('"').lower() for name in split_csv_line(header_line.text, delimiter)]
    code_at, zone_at = _column(header, CODE_COLUMNS), _column(header, ZONE_COLUMNS)
    if code_at is None or zone_at is None:
        raise ZoningError(
            "En-tête non reconnu : le fichier doit avoir une colonne « code_insee » et une colonne « zonage_mg » "
            f"(colonnes trouvées : {', '.join(header[:10]) or 'aucune'})."
        )
    source_at = _column(header, SOURCE_COLUMNS)
    known = set(Commune.objects.filter(active=True).values_list("code", flat=True))
    rows: dict[str, tuple[int, str, str]] = {}
    rejected: list[Rejected] = []
    count = 0
    for line in lines:
        count += 1
        reason, parsed = _parse(line.text, delimiter, len(header), code_at, zone_at, source_at)
        if parsed is not None:
            code, zone, label = parsed
            if code not in known:
                reason = f"commune {code} inconnue du référentiel installé"
            elif code in rows:
                reason = f"commune {code} déjà donnée ligne {rows[code][0]}"
        if reason:
            rejected.append(Rejected(line.number, reason, line.text[:120]))
            continue
        rows[code] = (line.number, zone, label)
    return rows, rejected, count


def _parse(text, delimiter, width, code_at, zone_at, source_at):
    if "\x00" in text:
        return "ligne illisible (octets nuls)", None
    try:
        fields = split_csv_line(text, delimiter)
    except csv.Error:
        return "ligne CSV mal formée (guillemets)", None
    if len(fields) != width:
        return f"{len(fields)} colonnes au lieu de {width}", None
    code = fields[code_at].strip().upper()
    if len(code) == 4 and code.isdigit():
        code = "0" + code  # a spreadsheet dropped the leading zero of départements 01 to 09
    if not CODE.fullmatch(code):
        return f"code commune « {code[:12]} » invalide (5 caractères, ex. 92046 ou 2A004)", None
    zone = fields[zone_at].strip().upper()
    if zone in NOT_AVAILABLE:
        return "zonage non disponible dans la source", None
    if zone not in Zone.values:
        return f"zonage « {zone[:12]} » inconnu (attendu ZIP, ZAC, ZAR ou HZ)", None
    label = fields[source_at].strip()[:100] if source_at is not None else ""
    return "", (code, zone, label)


def run(path, *, apply: bool = False, actor=None) -> Outcome:
    rows, rejected, count = read(path)
    name = Path(path).name
    outcome = Outcome(file_name=name, lines=count, rejected=rejected)
    existing = {z.commune_id: z for z in CommuneZoning.objects.all()}
    created, updated = [], []
    now = timezone.now()
    for code, (_, zone, label) in rows.items():
        before = existing.get(code)
        if before is None:
            outcome.new.append((code, zone))
            created.append(CommuneZoning(commune_id=code, zone=zone, source_label=label, file_name=name))
        elif (before.zone, before.source_label) != (zone, label):
            outcome.changed.append((code, before.zone, zone))
            before.zone, before.source_label, before.file_name, before.updated_at = zone, label, name, now
            updated.append(before)
        else:
            outcome.unchanged += 1
    if apply:
        imports.write(
            CommuneZoning,
            created,
            updated,
            ["zone", "source_label", "file_name", "updated_at"],
            action="projet.zoning.imported",
            actor=actor,
            name=name,
            unchanged=outcome.unchanged,
            rejected=len(rejected),
        )
        outcome.applied = True
    return outcome


def render(outcome: Outcome, *, samples: int = 5, rejected_shown: int = 20) -> list[str]:
    """The command's French report."""
    mode = "enregistré" if outcome.applied else "simulation, rien n'a été enregistré"
    lines = [
        f"Zonage médecins — {outcome.file_name} ({mode})",
        f"  lignes lues : {outcome.lines}",
        f"  nouvelles communes : {len(outcome.new)}",
        f"  communes modifiées : {len(outcome.changed)}",
        f"  communes inchangées : {outcome.unchanged}",
        f"  lignes rejetées : {len(outcome.rejected)}",
    ]
    if outcome.new:
        lines.append("  exemples de nouvelles : " + ", ".join(f"{c} {z}" for c, z in outcome.new[:samples]))
    if outcome.changed:
        changed = ", ".join(f"{c} {a} → {b}" for c, a, b in outcome.changed[:samples])
        lines.append(f"  exemples de modifiées : {changed}")
    for item in outcome.rejected[:rejected_shown]:
        lines.append(f"  ligne {item.line} rejetée : {item.reason}")
    if len(outcome.rejected) > rejected_shown:
        lines.append(f"  … et {len(outcome.rejected) - rejected_shown} autres lignes rejetées")
    if not outcome.applied:
        lines.append("Relancez avec --apply pour enregistrer.")
    return lines


def write_report(outcome: Outcome, path) -> None:
    """Every rejected line (the command's output shows the first ones) as CSV for a spreadsheet."""
    try:
        with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["ligne", "motif", "extrait"])
            writer.writerows(csv_row([item.line, item.reason, item.excerpt]) for item in outcome.rejected)
    except OSError as exc:
        raise ZoningError(f"Impossible d'écrire le rapport {path} : {exc.strerror}.") from exc


# The demo's GP zoning: fictional, marked « démonstration » (its file name, which the diagnostic
# shows), so that the demo diagnostic has its zoning section. Châtillon-Malakoff-Vanves as its
# projet describes it (two communes of three in ZIP); elsewhere a zone drawn from the code.
DEMO_ZONES = {"92020": Zone.ZIP, "92046": Zone.ZIP, "92075": Zone.ZAC}
DRAWN = [Zone.ZIP, Zone.ZAC, Zone.HZ, Zone.ZAC]


def load_demo(demo_cpts, *, log=print) -> None:
    """A zone for each commune of the demo CPTS that has none; an imported zoning is left alone."""

    codes = {code for cpts in demo_cpts for code in cpts.communes().values_list("code", flat=True)}
    codes -= set(CommuneZoning.objects.filter(commune_id__in=codes).values_list("commune_id", flat=True))
    if not codes:
        return
    rows = [
        CommuneZoning(
            commune_id=code,
            zone=DEMO_ZONES.get(code) or DRAWN[sum(int(c) for c in code if c.isdigit()) % len(DRAWN)],
            source_label="zonage fictif de démonstration",
            file_name=DEMO_ZONING,
        )
        for code in sorted(codes)
    ]
    with transaction.atomic():
        CommuneZoning.objects.bulk_create(rows)
        audit.record("projet.zoning.imported", details={"fichier": DEMO_ZONING, "nouvelles": len(rows)})
    log(f"  zonage médecins de démonstration (fictif) : {plural(len(rows), 'commune')}")
