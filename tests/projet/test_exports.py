"""The DOCX of the projet de santé and the XLSX of the diagnostic, read back as a user opens them."""

import io
from decimal import Decimal

import openpyxl
from docx import Document

from maillage.projet import actions
from maillage.projet.models import CommuneZoning

FICHE = {
    "mission": "prevention",
    "title": "Dépistage du cancer du sein",
    "objective": "Augmenter la participation au dépistage organisé.",
    "lead": "Dr Martin",
}
INDICATOR = {"code": "cpam.depistage_sein", "label": "Taux de dépistage", "unit": "%", "baseline": "48,5",
             "intermediate": "53", "target": "60"}  # fmt: skip


def _docx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return Document(io.BytesIO(response.content))


def _headings(document, level):
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_the_docx_has_the_ars_structure_the_fiches_and_the_indicator_table(dordogne, bergerac_coordinator):
    cpts = dordogne["cpts"]
    user = cpts.roles.get().user
    actions.save_texts(cpts, {"presentation": "Née en 2021.\n- 45 adhérents\n- 3 maisons de santé"}, user)
    actions.save_fiche(cpts, FICHE, [INDICATOR], user)
    actions.save_fiche(cpts, {**FICHE, "mission": "crisis", "title": "Plan de crise"}, [], user)
    document = _docx(bergerac_coordinator.get("/c/bergerac/projet-de-sante/projet-de-sante.docx"))
    assert _headings(document, 1) == [
        "1 Présentation de la CPTS",
        "2 Territoire et diagnostic",
        "3 Gouvernance",
        "4 Missions et fiches-actions",
        "5 Indicateurs",
        "6 Annexes",
    ]
    assert _headings(document, 2)[:3] == ["2.1 Population et taille", "2.2 Professionnels de santé", "2.3 Analyse"]
    assert "4.4 Prévention" in _headings(document, 2) and "4.7 Crises sanitaires" in _headings(document, 2)
    assert _headings(document, 3) == ["Fiche 4.1 — Dépistage du cancer du sein", "Fiche 7.1 — Plan de crise"]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["45 adhérents", "3 maisons de santé"]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    professions = next(t for t in tables if t[0][0] == "Profession")
    assert professions[0] == [
        "Profession",
        "Effectif",
        "Densité territoire",
        "Densité territoire (libéraux)",
        "Densité Dordogne (24), libéraux",
        "Densité France, libéraux",
    ]
    assert ["Médecin généraliste", "3", "1,5", "1,5", "— (pas de référence chargée)", "7,7"] in professions
    texts = [p.text for p in document.paragraphs]
    assert "Source : Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux)." in texts
    assert not any("import_zonage" in text for text in texts)
    fiche = next(t for t in tables if t[0] == ["Rubrique", "Contenu"])
    assert ["Pilote", "Dr Martin"] in fiche
    summary = next(t for t in tables if t[0][0] == "Fiche-action")
    assert summary[1:] == [
        ["Dépistage du cancer du sein", "Taux de dépistage", "cpam.depistage_sein", "%", "48,5", "53", "60"]
    ]
    communes = next(t for t in tables if t[0][0] == "Code INSEE")
    assert communes[1:] == [
        ["24001", "Abjat-sur-Bandiat", "24", "12\u202f000"],
        ["24037", "Bergerac", "24", "8\u202f000"],
        ["", "Total", "", "20\u202f000"],
    ]


def test_before_the_first_edit_the_docx_is_the_skeleton(dordogne, bergerac_coordinator):
    document = _docx(bergerac_coordinator.get("/c/bergerac/projet-de-sante/projet-de-sante.docx"))
    assert len(_headings(document, 1)) == 6
    assert "Aucun indicateur n'est encore défini." in [p.text for p in document.paragraphs]


def test_the_diagnostic_xlsx(dordogne, bergerac_coordinator):
    CommuneZoning.objects.create(commune=dordogne["communes"]["24037"], zone="ZIP")
    response = bergerac_coordinator.get("/c/bergerac/diagnostic.xlsx")
    assert response.status_code == 200
    assert 'filename="diagnostic-bergerac-' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Synthèse", "Professionnels", "Communes", "Missions"]
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert (summary["Population"], summary["Taille ACI"]) == (20_000, "T1")
    professions = list(workbook["Professionnels"].iter_rows(values_only=True))
    assert professions[0] == (
        "Profession",
        "Effectif (tous modes)",
        "Densité territoire (tous modes)",
        "Effectif libéral",
        "Densité territoire (libéraux)",
        "Densité Dordogne (24), libéraux",
        "Référence Dordogne (24)",
        "Densité France, libéraux",
        "Référence France",
    )
    gp = next(row for row in professions if row[0] == "Médecin généraliste")
    assert (gp[1], Decimal(str(gp[2])), gp[3], Decimal(str(gp[4]))) == (3, Decimal("1.5"), 3, Decimal("1.5"))
    assert gp[5:] == (None, "pas de référence chargée", 7.7, "France, 2021")
    source = "Source : Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux)"
    assert source in [row[0] for row in professions]
    assert summary["Source des densités de référence"] == source.removeprefix("Source : ")
    communes = list(workbook["Communes"].iter_rows(values_only=True))
    assert ("24037", "Bergerac", "24", 8_000, "ZIP") in communes
    assert ("24001", "Abjat-sur-Bandiat", "24", 12_000, None) in communes


def test_the_docx_shows_the_zoning_and_the_mission_figures_when_there_are_some(dordogne, bergerac_coordinator):
    from django.utils import timezone

    from maillage.unscheduled.models import CareRequest

    CommuneZoning.objects.create(commune=dordogne["communes"]["24037"], zone="ZIP")
    CareRequest.objects.create(
        cpts=dordogne["cpts"], last_name="Petit", first_name="Jeanne", commune=dordogne["communes"]["24037"]
    )
    document = _docx(bergerac_coordinator.get("/c/bergerac/projet-de-sante/projet-de-sante.docx"))
    assert _headings(document, 2)[2:5] == [
        "2.3 Zonage médecins généralistes",
        f"2.4 Accès aux soins en {timezone.localdate().year}",
        "2.5 Analyse",
    ]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert ["zone d'intervention prioritaire (ZIP)", "1", "8\u202f000", "40"] in next(
        t for t in tables if t[0][0] == "Zonage"
    )
    assert ["Demandes de soins non programmés reçues", "1", "demandes", ""] in next(
        t for t in tables if t[0][0] == "Indicateur" and t[0][1] == "Valeur"
    )
