"""Issue 16 — a member's yearly statement of the time paid by the CPTS: each entry (date,
activity, duration, rate, amount), the hours and the amount per activity and in total. As a Word
document (python-docx) and as a workbook (openpyxl: data only, amounts as numbers, never a
formula — text cells pass through maillage/core/exports.py)."""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from docx import Document
from openpyxl import Workbook

from maillage.association.models import TimeEntry
from maillage.association.models.board import TimeActivity
from maillage.association.money import euros
from maillage.core.exports import xlsx_row
from maillage.core.french import plural
from maillage.core.word import add_table


@dataclass
class Statement:
    cpts: object
    member: object
    year: int
    entries: list = field(default_factory=list)
    # activity label → (minutes, cents)
    by_activity: dict = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)

    @property
    def cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries)


def statement(cpts, member, year: int) -> Statement:
    entries = list(
        TimeEntry.objects.filter(cpts=cpts, member=member, on__gte=date(year, 1, 1), on__lte=date(year, 12, 31))
    )
    result = Statement(cpts=cpts, member=member, year=year, entries=entries)
    for code, label in TimeActivity.choices:
        mine = [e for e in entries if e.activity == code]
        if mine:
            result.by_activity[label] = (sum(e.minutes for e in mine), sum(e.amount_cents for e in mine))
    return result


def years_with_time(cpts, member) -> list[int]:
    days = TimeEntry.objects.filter(cpts=cpts, member=member).dates("on", "year", order="DESC")
    return [day.year for day in days]


def duration(minutes: int) -> str:
    """« 45 minutes », « 2 h », « 1 h 30 »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return plural(rest, "minute")
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def in_euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def filename(result: Statement, extension: str) -> str:
    """ASCII only: releve-temps-AD-000123-2026.xlsx."""
    return f"releve-temps-{result.member.reference}-{result.year}.{extension}"


def docx_bytes(result: Statement) -> bytes:
    document = Document()
    title = f"Relevé {result.year} du temps rétribué"
    document.core_properties.title = title
    document.add_heading(title, level=0)
    for label, value in (
        ("CPTS", result.cpts.name),
        ("Adhérent", f"{result.member.display_name} ({result.member.reference})"),
        ("Année", str(result.year)),
        ("Temps total", duration(result.minutes)),
        ("Montant total", euros(result.cents)),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(value)
    document.add_heading("Par activité", level=1)
    if result.by_activity:
        rows = [[label.capitalize(), duration(m), euros(c)] for label, (m, c) in result.by_activity.items()]
        add_table(document, ["Activité", "Temps", "Montant"], rows)
    else:
        document.add_paragraph("Aucun temps rétribué cette année.")
    document.add_heading("Détail", level=1)
    if result.entries:
        rows = [
            [f"{e.on:%d/%m/%Y}", e.get_activity_display().capitalize(), duration(e.minutes), euros(e.rate_cents),
             euros(e.amount_cents), e.note]
            for e in result.entries
        ]  # fmt: skip
        add_table(document, ["Date", "Activité", "Durée", "Tarif horaire", "Montant", "Note"], rows)
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HEADER = ["Date", "Activité", "Durée (minutes)", "Durée (heures)", "Tarif horaire (€)", "Montant (€)", "Note"]


def xlsx_bytes(result: Statement) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"Relevé {result.year}")
    for row in (
        ["CPTS", result.cpts.name],
        ["Adhérent", result.member.display_name],
        ["Référence", result.member.reference],
        ["Année", result.year],
        [],
        HEADER,
    ):
        sheet.append(xlsx_row(sheet, row))
    for e in result.entries:
        row = [e.on, e.get_activity_display(), e.minutes, hours(e.minutes), in_euros(e.rate_cents),
               in_euros(e.amount_cents), e.note]  # fmt: skip
        sheet.append(xlsx_row(sheet, row))
    sheet.append(["Total", "", result.minutes, hours(result.minutes), "", in_euros(result.cents), ""])
    by_activity = workbook.create_sheet("Par activité")
    by_activity.append(["Activité", "Durée (minutes)", "Durée (heures)", "Montant (€)"])
    for label, (minutes, cents) in result.by_activity.items():
        by_activity.append([label, minutes, hours(minutes), in_euros(cents)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(cpts, member, year: int, extension: str, actor) -> tuple[bytes, str]:
    """The member's statement as a file (« xlsx » or « docx ») and its name; the read is audited."""
    from maillage.core import audit

    result = statement(cpts, member, year)
    audit.record(
        "association.time.statement", actor=actor, cpts=cpts, obj=member,
        details={"adhérent": member.display_name, "année": year, "format": extension},
    )  # fmt: skip
    content = xlsx_bytes(result) if extension == "xlsx" else docx_bytes(result)
    return content, filename(result, extension)
