"""Files of a directory search: CSV that Excel (French settings) opens as is, and XLSX.

Rows are read in chunks with their prefetches (`iterator(chunk_size=…)`), so a whole-territory
export costs a few queries per thousand professionals and never holds them all in memory; the CSV
is streamed as it is written.
"""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from maillage.core.exports import csv_row, xlsx_row
from maillage.directory import search
from maillage.directory.models import Activity

CHUNK = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PROFESSIONAL_HEADER = [
    "Identifiant national",
    "Civilité",
    "Nom",
    "Prénom",
    "Profession",
    "Savoir-faire",
    "Mode d'exercice",
    "Site",
    "Adresse",
    "Code postal",
    "Commune",
    "Code commune",
    "Téléphone",
    "Adhérent",
    "Compétences",
    "Langues parlées",
    "Accepte de nouveaux patients",
    "Nouveaux patients acceptés",
    "Soins non programmés",
    "MSSanté",
    "Annuaire public",
]
STRUCTURE_HEADER = [
    "FINESS établissement",
    "FINESS entité juridique",
    "Raison sociale",
    "Catégorie",
    "Adresse",
    "Ligne d'acheminement",
    "Commune",
    "Code commune",
    "Téléphone",
    "SIRET",
]


def yes_no(value) -> str:
    return "oui" if value else "non"


def _join(*parts) -> str:
    return " ".join(part for part in parts if part)


def _enrichment(entry) -> list:
    if entry is None:
        return ["non", "", "", "non", "", "non", "", "non"]
    return [
        yes_no(entry.is_member),
        ", ".join(skill.label for skill in entry.skills.all()),
        ", ".join(entry.languages or []),
        yes_no(entry.accepts_new_patients),
        entry.new_patient_capacity or "",
        yes_no(entry.takes_part_in_snp),
        entry.mssante_address,
        yes_no(entry.public_listing),
    ]


def _site(activity) -> list:
    if activity is None:
        return [""] * 7
    return [
        activity.mode_label,
        activity.trade_name or activity.company_name,
        _join(activity.street_number, activity.repetition_index, activity.street_type_label, activity.street_label),
        activity.postal_code,
        activity.commune.name if activity.commune else activity.commune_label,
        activity.commune_id or activity.commune_code,
        activity.phone,
    ]


def professional_rows(results):
    """One row per current activity (a professional without any gets one row), for the results
    of `search.professionals` (a queryset, or several shown one after the other)."""
    for pro in (pro for part in search.parts(results) for pro in part.iterator(chunk_size=CHUNK)):
        identity = [
            pro.national_id,
            pro.exercise_civility_label or pro.civility_label,
            pro.last_name,
            pro.first_name,
            pro.profession_label,
            pro.savoir_faire_label,
        ]
        enrichment = _enrichment(pro.cpts_entries[0] if pro.cpts_entries else None)
        for activity in pro.current_activities or [None]:
            yield [*identity, *_site(activity), *enrichment]


def count_professional_rows(results) -> int:
    """What `professional_rows` will write, counted in SQL before the first row is streamed."""
    return sum(_count_rows(part) for part in search.parts(results))


def _count_rows(professionals) -> int:
    pks = professionals.prefetch_related(None).values("pk")
    activities = Activity.objects.active().filter(professional_id__in=pks)
    with_activity = activities.order_by().values("professional_id").distinct().count()
    return professionals.count() - with_activity + activities.count()


def structure_rows(structures):
    for s in structures.iterator(chunk_size=CHUNK):
        yield [
            s.finess_et,
            s.finess_ej,
            s.name,
            s.category_label,
            _join(s.street_number, s.street_type, s.street_label, s.locality),
            s.postal_line,
            s.commune.name if s.commune else "",
            s.commune_id or s.commune_code,
            s.phone,
            s.siret,
        ]


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(header)  # the BOM tells Excel the file is UTF-8
        for row in rows:
            yield writer.writerow(csv_row(row))  # a name from the national files never runs as a formula

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, title: str, header: list[str], rows) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
