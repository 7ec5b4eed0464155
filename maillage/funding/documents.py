"""The yearly report for the meeting with the CPAM and the ARS, as XLSX (openpyxl) and DOCX
(python-docx). Both are written from the same tables, so they never disagree."""

import io
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font

from maillage.core.exports import xlsx_row
from maillage.funding import start
from maillage.funding.lines import Line, label
from maillage.funding.money import euros, number
from maillage.funding.report import YearReport
from maillage.indicators import activity, registry
from maillage.indicators import values as indicator_values
from maillage.indicators.models import MAILLAGE, IndicatorValue
from maillage.indicators.periods import Period

MONEY_FORMAT = '#,##0.00 "€"'


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list]  # cells: str, Decimal (money) or None


def title(report: YearReport) -> str:
    return f"Financement ACI {report.year} — {report.contract.cpts.name}"


def facts(report: YearReport) -> list[tuple[str, str]]:
    contract = report.contract
    lines = [
        ("Règlement", f"{report.rule_set.label} ({report.rule_set.code})"),
        ("Signature de l'ACI", contract.signed_on.strftime("%d/%m/%Y")),
        ("Taille retenue", contract.tier + (f" — {contract.tier_reason}" if contract.tier_reason else "")),
        *first_payment_fact(contract.cpts),
        ("Jours couverts en " + str(report.year), str(report.result.days)),
        ("Total de l'année", euros(report.result.total)),
        ("Si les indicateurs restent à leur niveau actuel", euros(report.projection.total)),
    ]
    if report.crisis:
        crisis = report.crisis
        lines.append(("Crise reconnue par l'ARS", f"{crisis.title} ({crisis.recognised_on:%d/%m/%Y})"))
    return lines


def first_payment_fact(cpts) -> list[tuple[str, str]]:
    """Avenant 2's first payment, paid before the contract, named with the year's facts."""
    first = start.of(cpts)
    if first is None:
        return []
    return [(f"Premier versement (lettre d'intention validée le {first.due_on:%d/%m/%Y})", euros(first.amount))]


# A value Maillage computes is never "to enter": until the year's computation ran it is pending
# (the periodic jobs compute it each hour; the coordinator can ask for it now, « Recalculer »).
PENDING = "calcul en attente"
NO_DATA = "aucune donnée"  # computed, but nothing to count that year (no request, no slot)
MISSING = "valeur manquante"


def computed(code: str) -> bool:
    indicator = registry.REGISTRY.get(code)
    return indicator is not None and not indicator.external


def computed_for(cpts, year: int) -> set[str]:
    """The codes whose value of `year` Maillage has computed already (possibly to nothing)."""
    return set(
        IndicatorValue.objects.filter(cpts=cpts, period=Period.year(year).code, source=MAILLAGE).values_list(
            "code", flat=True
        )
    )


def value_text(
    result, *, regional: bool, year_values: dict | None = None, cpts=None, year: int | None = None, ran=frozenset()
) -> str:
    """An indicator's value as shown. Regional readers see a count of 1 to 4 people as "< 5", and
    no rate or median over fewer than 5 people (`registry.for_region`, over the CPTS's values of
    the year, `year_values`); a code outside the registry is taken for a count of people."""
    if result.value is None:
        if not computed(result.code):
            return MISSING
        return NO_DATA if result.code in ran else PENDING
    if regional:
        indicator = registry.REGISTRY.get(result.code)
        if indicator is None:
            shown = registry.hide_small(result.value)
        else:
            period = Period.year(year) if year else None
            values = {**(year_values or {}), result.code: result.value}
            shown = registry.for_region(indicator, values, cpts=cpts, period=period)
        if isinstance(shown, str):
            return shown
    return number(result.value)


def indicator_rows(report: YearReport, *, regional: bool) -> list[tuple]:
    """(indicator result, value as shown) of every indicator of the year's computation."""
    cpts, year = report.contract.cpts, report.year
    year_values = indicator_values.for_year(cpts, year) if regional else {}
    ran = computed_for(cpts, year)
    return [
        (i, value_text(i, regional=regional, year_values=year_values, cpts=cpts, year=year, ran=ran))
        for m in report.result.missions
        for i in m.indicators
    ]


def tables(report: YearReport, *, regional: bool = False) -> list[Table]:
    result = report.result
    missions = [[label(Line.RUNNING).capitalize(), result.running, None, result.running]]
    missions += [[label(m.mission).capitalize(), m.fixed, m.variable, m.total] for m in result.missions]
    missions.append(["Total", result.fixed, result.variable, result.total])
    rows = indicator_rows(report, regional=regional)
    indicators = [[i.label, label(i.mission), shown, i.amount] for i, shown in rows]
    payments = start.schedule(report.contract.cpts, result)
    schedule = [[p.label.capitalize(), p.due_on.strftime("%d/%m/%Y"), p.amount] for p in payments]
    return [
        Table("Montants par mission", ["Ligne", "Part fixe", "Part variable", "Total"], missions),
        Table(
            f"Indicateurs de la part variable ({report.year})",
            ["Indicateur", "Mission", "Valeur", "Montant"],
            indicators,
        ),
        Table("Échéancier", ["Versement", "Date", "Montant"], schedule),
        activity_table(report, regional=regional),
    ]


NOTHING_DONE = "rien d'enregistré dans Maillage cette année"


def activity_table(report: YearReport, *, regional: bool) -> Table:
    """Issue 17 — what each mission did in the year (campaigns, sessions, protocols, newcomers,
    crisis actions), from the missions' own records: the yearly report writes itself."""
    rows = []
    for mission, lines in activity.for_year(report.contract.cpts, report.year):
        if not lines:
            rows.append([mission.capitalize(), NOTHING_DONE, "—", ""])
        for line in lines:
            value = registry.hide_small(line.value) if regional and line.counts_people else line.value
            rows.append([mission.capitalize(), line.label, _figure(value), line.detail])
    return Table(f"Ce qui a été fait en {report.year}, par mission", ["Mission", "Action", "Chiffre", "Détail"], rows)


def _figure(value) -> str | int:
    """A figure of the activity table: an int stays a number (the spreadsheet sums it), a decimal
    is written the French way (never as money: hours, units), a text as it is."""
    if isinstance(value, Decimal):
        return number(value)
    return value


def xlsx_bytes(report: YearReport, *, regional: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"ACI {report.year}"
    sheet.append(xlsx_row(sheet, [title(report)]))
    sheet["A1"].font = Font(bold=True, size=14)
    for name, value in facts(report):
        sheet.append(xlsx_row(sheet, [name, value]))
    for table in tables(report, regional=regional):
        sheet.append([])
        sheet.append(xlsx_row(sheet, [table.title]))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(xlsx_row(sheet, row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = MONEY_FORMAT
    sheet.column_dimensions["A"].width = 48
    for column in "BCD":
        sheet.column_dimensions[column].width = 20
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return "—"
    return euros(value) if isinstance(value, Decimal) else str(value)


def docx_bytes(report: YearReport, *, regional: bool = False) -> bytes:
    document = Document()
    document.add_heading(title(report), level=1)
    for name, value in facts(report):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{name} : ").bold = True
        paragraph.add_run(value)
    for table in tables(report, regional=regional):
        document.add_heading(table.title, level=2)
        if not table.rows:
            document.add_paragraph("Aucun.")
            continue
        grid = document.add_table(rows=1, cols=len(table.header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
            cell.text = text
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _text(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
