"""The diagnostic as a spreadsheet (openpyxl): one sheet per table of the page, numbers as numbers."""

import io

from openpyxl import Workbook

from maillage.core.exports import xlsx_row
from maillage.projet.diagnostic import Diagnostic

SOURCE_NOTE = "D'après l'annuaire chargé dans Maillage (RPPS et ADELI) ; densités pour 10 000 habitants."
REFERENCE_NOTE = (
    "Densités des départements et de la France : chiffres de référence publiés, professionnels libéraux, "
    "pour 10 000 habitants."
)


def _sheet(workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))  # a name typed as « =… » stays text


def _reference(area) -> str:
    """« France, 2021 », « Île-de-France (région), 2021 » or « pas de référence chargée »."""
    return f"{area.label}, {area.year}" if area.density is not None else area.note


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
            ["Densités de référence", REFERENCE_NOTE],
            *[["Source des densités de référence", source.removeprefix("Source : ")] for source in diagnostic.sources],
        ],
    )
    areas = []
    for code, label, _ in diagnostic.departements:
        areas += [f"Densité {label} ({code}), libéraux", f"Référence {label} ({code})"]
    header = ["Profession", "Effectif (tous modes)", "Densité territoire (tous modes)", "Effectif libéral",
              "Densité territoire (libéraux)", *areas, "Densité France, libéraux", "Référence France"]  # fmt: skip
    rows = []
    for row in diagnostic.professions:
        references = [value for d in row.departements for value in (d.density, _reference(d))]
        rows.append([row.label, row.count, row.density, row.liberal_count, row.liberal_density, *references,
                     row.national.density, _reference(row.national)])  # fmt: skip
    rows += [[], *[[source] for source in diagnostic.sources or ["Aucune densité de référence chargée."]]]
    _sheet(workbook, "Professionnels", header, rows)
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
