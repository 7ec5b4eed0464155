"""Issue 16 — the representativeness report as a workbook (openpyxl: data only, never a formula)
and as a Word document, holding exactly what its reader sees on the page (counts under 5 hidden and
no name for a regional reader)."""

import io

from django.utils import timezone
from django.utils.text import capfirst
from docx import Document
from openpyxl import Workbook

from maillage.association.report import Report
from maillage.core.exports import xlsx_row
from maillage.core.word import add_table

LINE_HEADER = ["Adhérents", "Dont au conseil ou au bureau"]


def _text(value) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def filename(report: Report, extension: str) -> str:
    return f"representativite-{report.cpts.slug}-{report.on:%Y-%m-%d}.{extension}"


def _share(value) -> str | float:
    return "" if value is None else value


def tables(report: Report) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of each table of the report, values as the reader sees them."""
    colleges = [[line.label, line.shown["members"], line.shown["board"]] for line in report.colleges]
    professions = [
        [capfirst(line.label), line.shown["professionals"] if line.professionals is not None else "",
         line.shown["members"], _share(line.shown["share"]), line.shown["board"]]
        for line in report.professions
    ]  # fmt: skip
    communes = [
        [line.label, line.code, line.shown["professionals"] if line.professionals is not None else "",
         line.shown["members"], line.shown["board"]]
        for line in report.communes
    ]  # fmt: skip
    result = [
        ("Collèges", ["Collège", *LINE_HEADER], colleges),
        (
            "Professions",
            [
                "Profession",
                "Professionnels du territoire (annuaire)",
                "Adhérents",
                "Adhérents pour 100 professionnels",
                "Dont au conseil ou au bureau",
            ],
            professions,
        ),
        (
            "Communes",
            [
                "Commune",
                "Code INSEE",
                "Professionnels (annuaire)",
                "Adhérents",
                "Dont au conseil ou au bureau",
            ],
            communes,
        ),
    ]
    if report.regional:
        result.append(("Conseil et bureau", ["Fonction", "Mandats"], [list(row) for row in report.seats_by_role]))
    else:
        seats = [[capfirst(s.body), capfirst(s.role), s.name, s.college, s.end_on] for s in report.seats]
        result.append(("Conseil et bureau", ["Instance", "Fonction", "Nom", "Collège", "Fin du mandat"], seats))
    gaps = [["Profession sans adhérent", capfirst(line.label)] for line in report.unrepresented_professions]
    gaps += [["Commune sans adhérent", line.label] for line in report.unrepresented_communes]
    gaps += [["Collège sans siège au conseil", line.label] for line in report.colleges_without_board]
    result.append(("Non représentés", ["Catégorie", "Libellé"], gaps))
    return result


def _facts(report: Report) -> list[tuple[str, object]]:
    return [
        ("CPTS", report.cpts.name),
        ("Date", report.on.strftime("%d/%m/%Y")),
        ("Adhérents à jour", report.shown_totals["members"]),
        ("Membres du conseil ou du bureau", report.shown_totals["board_members"]),
        ("Professionnels du territoire (annuaire)", report.shown_totals["professionals"]),
    ]


def xlsx_bytes(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Synthèse")
    for label, value in _facts(report):
        summary.append(xlsx_row(summary, [label, value]))
    if report.regional:
        summary.append(["Effectifs de moins de 5 non diffusés ; aucun nom."])
    for title, header, rows in tables(report):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(report: Report) -> bytes:
    document = Document()
    title = "Représentativité de la gouvernance"
    document.core_properties.title = f"{title} — {report.cpts.name}"
    document.add_heading(title, level=0)
    for label, value in _facts(report):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(str(value))
    if report.regional:
        document.add_paragraph("Effectifs de moins de 5 non diffusés ; aucun nom.").runs[0].italic = True
    for heading, header, rows in tables(report):
        document.add_heading(heading, level=1)
        if not rows:
            document.add_paragraph("Aucun.")
            continue
        add_table(document, header, rows, text=_text, spaced=False)
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def download(report: Report, extension: str, actor) -> tuple[bytes, str]:
    """The report as a file (« xlsx » or « docx ») and its name; the download is audited."""
    from maillage.core import audit

    audit.record(
        "association.report.downloaded", actor=actor, cpts=report.cpts,
        details={"date": report.on.isoformat(), "format": extension, "agrégats_seulement": report.regional},
    )  # fmt: skip
    content = xlsx_bytes(report) if extension == "xlsx" else docx_bytes(report)
    return content, filename(report, extension)
