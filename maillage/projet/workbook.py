"""The diagnostic as a spreadsheet (openpyxl): one sheet per table of the page, numbers as numbers."""

import io

from openpyxl import Workbook

from maillage.core.exports import xlsx_row
from maillage.projet.diagnostic import Diagnostic

SOURCE_NOTE = "D'après l'annuaire chargé dans Maillage (RPPS et ADELI) ; densités pour 10 000 habitants."


def _sheet(workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))  # a name typed as « =… » stays text


def build(diagnostic: Diagnostic) -> bytes:
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        "Synthèse",
        ["Rubrique", "Valeur"],
        [
            ["CPTS", diagnostic.cpts_name],
            ["Population", diagnostic.population],
            ["Taille ACI", diagnostic.tier.code],
            ["Communes", len(diagnostic.communes)],
            ["Professionnels de santé sur le territoire", diagnostic.professionals],
            ["Source", SOURCE_NOTE],
        ],
    )
    areas = [f"Densité {label} ({code})" for code, label, _ in diagnostic.departements]
    _sheet(
        workbook,
        "Professionnels",
        ["Profession", "Effectif", "Densité territoire", *areas, "Densité France"],
        [
            [row.label, row.count, row.density, *[d.density for d in row.departements], row.national.density]
            for row in diagnostic.professions
        ],
    )
    _sheet(
        workbook,
        "Communes",
        ["Code INSEE", "Commune", "Département", "Population", "Zonage médecins"],
        [[c.code, c.name, c.departement, c.population, c.zone] for c in diagnostic.communes],
    )
    _sheet(
        workbook,
        "Missions",
        ["Indicateur", f"Valeur {diagnostic.year}", "Unité", "Détail"],
        [[f.label, f.value, f.unit, f.detail] for f in diagnostic.missions],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
