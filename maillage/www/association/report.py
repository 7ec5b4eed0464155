"""Issue 16 — the representativeness report for the ARS (Area.ASSOCIATION_REPORT): the page and
its files. A regional reader (`policy.reads_as_region`) gets counts under 5 hidden and no name."""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from maillage.accounts import policy
from maillage.association import report as representativeness
from maillage.association import report_files
from maillage.core import bounds
from maillage.core.french import grouped
from maillage.www.directory.exports import XLSX
from maillage.www.scoping import READ, Area, cpts_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(request) -> tuple[date, str]:
    """The report's date (?au=AAAA-MM-JJ, today by default) and an error to show, if any."""
    today = timezone.localdate()
    typed = request.GET.get("au", "").strip()[:20]
    if not typed:
        return today, ""
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        return today, f"« {typed} » n'est pas une date (attendu : AAAA-MM-JJ) : voici le rapport du jour."
    if not bounds.MIN_YEAR <= day.year <= bounds.MAX_YEAR:
        return today, f"La date doit être entre {bounds.MIN_YEAR} et {bounds.MAX_YEAR} : voici le rapport du jour."
    return day, ""


def _report(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_REPORT, READ)
    regional = policy.reads_as_region(request.user, Area.ASSOCIATION_REPORT, cpts)
    day, error = _day(request)
    return cpts, representativeness.build(cpts, day, regional=regional), error


def _cell(value) -> tuple[str, bool]:
    """(text, is a number) of a table's value as the page shows it."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}", False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (grouped(value) if isinstance(value, int) else f"{value:.1f}".replace(".", ",")), True
    return ("" if value is None else str(value)), value is not None and str(value).startswith("<")


def shown_tables(report) -> list[tuple[str, list[str], list[list[tuple[str, bool]]]]]:
    """The report's tables but the gaps (the page says them in words), each cell as (text, number)."""
    return [(title, header, [[_cell(v) for v in row] for row in rows])
            for title, header, rows in report_files.tables(report)[:-1]]  # fmt: skip


def report_page(request, slug):
    cpts, report, error = _report(request, slug)
    context = {"cpts": cpts, "report": report, "error": error, "tables": shown_tables(report)}
    return render(request, "association/board/report.html", context, status=400 if error else 200)


def _download(request, slug, extension):
    _cpts, report, _error = _report(request, slug)
    content, name = report_files.download(report, extension, request.user)
    kind = XLSX if extension == "xlsx" else DOCX
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report_xlsx(request, slug):
    return _download(request, slug, "xlsx")


def report_docx(request, slug):
    return _download(request, slug, "docx")
