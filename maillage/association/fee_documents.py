"""The documents of the fees: a payment's receipt (DOCX, python-docx, as the RCP minutes) and the
ledger of a membership year (XLSX: every payment, then the totals per collège — values, never a
formula, through maillage/core/exports.py). Neither carries anything but the association's facts:
who paid what, when and how."""

import io
from decimal import Decimal

from django.utils import timezone
from docx import Document
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from maillage.association.actions.fees import year_label
from maillage.association.money import euros
from maillage.core.exports import xlsx_row

LEDGER_HEADER = [
    "N° de reçu",
    "Date du paiement",
    "Adhérent",
    "Référence adhérent",
    "Collège",
    "Mode de paiement",
    "Référence du paiement",
    "Montant (€)",
]
TOTALS_HEADER = ["Collège", "Paiements", "Montant (€)"]
EURO_FORMAT = '#,##0.00\\ "€"'


def receipt_filename(payment) -> str:
    """ASCII only: recu-cotisation-2026-0001.docx."""
    return f"recu-cotisation-{payment.receipt_number}.docx"


def receipt_docx(payment, statutes) -> bytes:
    member, cpts = payment.member, payment.cpts
    label = year_label(statutes, payment.year)
    document = Document()
    document.core_properties.title = f"Reçu de cotisation n° {payment.receipt_number}"
    document.add_heading(f"Reçu de cotisation n° {payment.receipt_number}", level=0)
    paragraph = document.add_paragraph()
    paragraph.add_run(cpts.name).bold = True
    if cpts.finess:
        paragraph.add_run(f"\nFINESS {cpts.finess}")
    if cpts.contact_email:
        paragraph.add_run(f"\n{cpts.contact_email}")
    facts = [
        ("Reçu de", f"{member.display_name} (adhérent {member.reference})"),
        ("Collège", member.college.name),
        ("Cotisation", f"année d'adhésion {label}"),
        ("Montant", euros(payment.amount_cents)),
        ("Payé le", f"{payment.paid_on:%d/%m/%Y}"),
        ("Mode de paiement", payment.get_method_display()),
    ]
    if payment.reference:
        facts.append(("Référence", payment.reference))
    facts.append(("Reçu émis le", f"{timezone.localtime(payment.recorded_at):%d/%m/%Y}"))
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for name, value in facts:
        cells = table.add_row().cells
        cells[0].text = name
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = value
    document.add_paragraph()
    document.add_paragraph(
        f"L'association de la {cpts.name} reconnaît avoir reçu de {member.display_name} la somme de "
        f"{euros(payment.amount_cents)} au titre de sa cotisation pour l'année d'adhésion {label}."
    )
    document.add_paragraph(
        "Ce reçu atteste le paiement d'une cotisation ; il ne vaut pas reçu fiscal au titre d'un don."
    ).runs[0].italic = True
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ledger_filename(cpts, year: int) -> str:
    return f"cotisations-{cpts.slug}-{year}.xlsx"


def _amount(sheet, cents: int):
    cell = WriteOnlyCell(sheet, value=Decimal(cents) / 100)
    cell.number_format = EURO_FORMAT
    return cell


def _date(sheet, day):
    cell = WriteOnlyCell(sheet, value=day)
    cell.number_format = "DD/MM/YYYY"
    return cell


def _bold(sheet, values):
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def ledger_xlsx(cpts, statutes, year: int, payments, colleges) -> bytes:
    """`payments`: the year's payments in receipt order, with member and collège; `colleges`: the
    CPTS's collèges in their order (each gets a total line, 0 when none paid)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"Paiements {year}")
    sheet.append(_bold(sheet, LEDGER_HEADER))
    totals = {college.pk: [0, 0] for college in colleges}
    for payment in payments:
        member = payment.member
        totals.setdefault(member.college_id, [0, 0])
        totals[member.college_id][0] += 1
        totals[member.college_id][1] += payment.amount_cents
        text = xlsx_row(
            sheet,
            [
                payment.receipt_number, None, member.display_name, member.reference, member.college.name,
                payment.get_method_display(), payment.reference,
            ],
        )  # fmt: skip
        text[1] = _date(sheet, payment.paid_on)
        sheet.append([*text, _amount(sheet, payment.amount_cents)])
    summary = workbook.create_sheet("Totaux par collège")
    summary.append([f"Cotisations {year_label(statutes, year)} — {cpts.name}"])
    summary.append(_bold(summary, TOTALS_HEADER))
    count = cents = 0
    for college in colleges:
        paid, amount = totals.get(college.pk, [0, 0])
        count, cents = count + paid, cents + amount
        summary.append([*xlsx_row(summary, [college.name]), paid, _amount(summary, amount)])
    summary.append([*_bold(summary, ["Total", count]), _amount(summary, cents)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
