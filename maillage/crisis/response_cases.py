"""Issue 17 — case counts of a crisis by commune and week, entered by hand or imported from a CSV
sent by the hospital or the ARS, shown to members with statistical secrecy.

The importer follows the repository's discipline (maillage/projet/zoning.py): a dry run by default
reporting new / changed / unchanged lines, `apply=True` to write in one transaction. A file with any
rejected line (a commune unknown or off the CPTS's territory, a count below zero, a bad date) is
refused as a whole: every such line is named with its number and reason, nothing is written.

A count is of cases, not of people one could name; still, a commune's count of 1 to 4 is shown as
« < 5 » to everyone who does not write the counts (`hide_small` of the indicator registry)."""

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.crisis.models import CaseCount, Crisis
from maillage.crisis.models.response import MAX_CASES
from maillage.crisis.response_centres import ResponseError, require
from maillage.indicators.registry import hide_small
from maillage.territory.models import Commune

CODE_COLUMNS = ("code_insee", "commune", "code_commune", "codgeo", "insee")
WEEK_COLUMNS = ("semaine", "date", "week")
COUNT_COLUMNS = ("cas", "nombre", "count", "nb_cas")
CODE = re.compile(r"\d{5}|2[AB]\d{3}")
MAX_LINES = 20_000
MAX_BYTES = 2 * 1024 * 1024


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _territory(crisis: Crisis) -> dict[str, Commune]:
    return {commune.code: commune for commune in crisis.cpts.communes()}


def enter(crisis: Crisis, actor, *, commune_code: str, week: date | None, count) -> CaseCount:
    """One commune's count of one week, by hand (replaces the week's count of that commune)."""
    require(crisis.status != Crisis.Status.CANCELLED, "Cette crise a été annulée.")
    commune = _territory(crisis).get((commune_code or "").strip())
    require(commune is not None, "Choisissez une commune du territoire de la CPTS.")
    require(isinstance(week, date), "Indiquez la semaine.")
    require(isinstance(count, int), "Indiquez le nombre de cas.")
    require(count >= 0, "Le nombre de cas ne peut pas être négatif.")
    require(count <= MAX_CASES, "Ce nombre de cas est trop grand : vérifiez la saisie.")
    require(week <= timezone.localdate(), "Cette semaine est à venir.")
    with transaction.atomic():
        row, created = CaseCount.objects.update_or_create(
            crisis=crisis, commune=commune, week=monday(week),
            defaults={"count": count, "source": CaseCount.Source.MANUAL},
        )  # fmt: skip
        audit.record(
            "crisis.cases.entered", actor=actor, cpts=crisis.cpts, obj=crisis,
            details={"commune": commune.name, "semaine": row.week.isoformat(), "cas": count, "remplace": not created},
        )  # fmt: skip
    return row


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class Outcome:
    file_name: str
    lines: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.rejected)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _column(header, names):
    return next((header.index(name) for name in names if name in header), None)


def _week(text: str) -> date | None:
    for shape in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return monday(datetime.strptime(text, shape).date())
        except ValueError:
            continue
    return None


def read(crisis: Crisis, data: bytes) -> tuple[dict, list[Rejected], int]:
    """{(code, week): (line, count)}, the rejected lines, the number of data lines."""
    require(len(data) <= MAX_BYTES, "Le fichier dépasse 2 Mo : découpez-le.")
    lines = _text(data).splitlines()
    require(lines and lines[0].strip(), "Le fichier est vide.")
    delimiter = max((";", ",", "\t"), key=lines[0].count)
    header = [name.strip().strip('"').lower() for name in next(csv.reader([lines[0]], delimiter=delimiter))]
    at = (_column(header, CODE_COLUMNS), _column(header, WEEK_COLUMNS), _column(header, COUNT_COLUMNS))
    require(
        None not in at,
        "En-tête non reconnu : le fichier doit avoir les colonnes « code_insee », « semaine » et « cas » "
        f"(colonnes trouvées : {', '.join(header[:10]) or 'aucune'}).",
    )
    require(len(lines) - 1 <= MAX_LINES, f"Le fichier dépasse {MAX_LINES} lignes : découpez-le.")
    territory = _territory(crisis)
    known = None  # the national table, read only when a code is off the territory
    rows: dict[tuple[str, date], tuple[int, int]] = {}
    rejected: list[Rejected] = []
    today = timezone.localdate()
    for number, text in enumerate(lines[1:], start=2):
        if not text.strip():
            continue
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except csv.Error:
            rejected.append(Rejected(number, "ligne CSV mal formée"))
            continue
        if len(fields) < len(header):
            rejected.append(Rejected(number, f"{len(fields)} colonnes au lieu de {len(header)}"))
            continue
        code, week_text, count_text = (fields[i].strip() for i in at)
        code = code.upper()
        if len(code) == 4 and code.isdigit():
            code = "0" + code
        week, reason = _week(week_text), ""
        if not CODE.fullmatch(code):
            reason = f"code commune « {code[:12]} » invalide"
        elif code not in territory:
            if known is None:
                known = set(Commune.objects.values_list("code", flat=True))
            reason = (
                f"commune {code} hors du territoire de la CPTS"
                if code in known
                else f"commune {code} inconnue du référentiel des communes"
            )
        elif week is None:
            reason = f"semaine « {week_text[:12]} » illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"
        elif week > today:
            reason = f"semaine du {week:%d/%m/%Y} à venir"
        elif not re.fullmatch(r"-?\d{1,9}", count_text):
            reason = f"nombre de cas « {count_text[:12]} » illisible"
        elif int(count_text) < 0:
            reason = f"nombre de cas négatif ({count_text})"
        elif int(count_text) > MAX_CASES:
            reason = f"nombre de cas trop grand ({count_text})"
        elif (code, week) in rows:
            reason = f"commune {code}, semaine du {week:%d/%m/%Y} déjà donnée ligne {rows[(code, week)][0]}"
        if reason:
            rejected.append(Rejected(number, reason))
        else:
            rows[(code, week)] = (number, int(count_text))
    return rows, rejected, len(lines) - 1


def run(crisis: Crisis, data: bytes, *, file_name: str = "fichier.csv", apply: bool = False, actor=None) -> Outcome:
    """The import of a file of case counts: a dry run unless `apply`; nothing written when a line is refused."""
    rows, rejected, count = read(crisis, data)
    outcome = Outcome(file_name=file_name[:100], lines=count, rejected=rejected)
    existing = {(c.commune_id, c.week): c for c in CaseCount.objects.filter(crisis=crisis)}
    created, updated = [], []
    for (code, week), (_line, value) in rows.items():
        before = existing.get((code, week))
        if before is None:
            outcome.new += 1
            created.append(CaseCount(crisis=crisis, commune_id=code, week=week, count=value, source="import"))
        elif before.count != value:
            outcome.changed += 1
            before.count, before.source, before.updated_at = value, CaseCount.Source.IMPORT, timezone.now()
            updated.append(before)
        else:
            outcome.unchanged += 1
    if apply and not rejected:
        with transaction.atomic():
            CaseCount.objects.bulk_create(created, batch_size=1000)
            CaseCount.objects.bulk_update(updated, ["count", "source", "updated_at"], batch_size=1000)
            audit.record(
                "crisis.cases.imported", actor=actor, cpts=crisis.cpts, obj=crisis,
                details={"fichier": outcome.file_name, "nouvelles": outcome.new, "modifiées": outcome.changed,
                         "inchangées": outcome.unchanged},
            )  # fmt: skip
        outcome.applied = True
    return outcome


@dataclass
class CaseMap:
    weeks: list[date]
    communes: list  # (commune, [shown count per week], shown total)
    totals: list  # shown total per week
    latest: dict[str, object]  # {code: shown count of the latest week}


def case_map(crisis: Crisis, *, secret: bool) -> CaseMap:
    """The counts by commune and week; `secret`: 1 to 4 shown as « < 5 » (the week's totals too)."""
    show = hide_small if secret else (lambda value: value)
    counts = {
        (c, w): n for c, w, n in CaseCount.objects.filter(crisis=crisis).values_list("commune_id", "week", "count")
    }
    weeks = sorted({week for _code, week in counts})
    communes = sorted(_territory(crisis).values(), key=lambda commune: commune.name)
    table = []
    for commune in communes:
        values = [counts.get((commune.code, week)) for week in weeks]
        total = sum(v or 0 for v in values)
        table.append((commune, [None if v is None else show(v) for v in values], show(total)))
    totals = [show(sum(counts.get((c.code, week), 0) for c in communes)) for week in weeks]
    latest = {commune.code: show(counts.get((commune.code, weeks[-1]), 0)) for commune in communes} if weeks else {}
    return CaseMap(weeks, table, totals, latest)


def level(value) -> str:
    """The map's colour class of a shown count."""
    if value in (0, None):
        return "cas_aucun"
    if isinstance(value, str) or value < 20:
        return "cas_faible"
    return "cas_moyen" if value < 100 else "cas_fort"


__all__ = ["ResponseError", "case_map", "enter", "level", "monday", "read", "run"]
