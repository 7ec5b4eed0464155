"""Issue 17 — the crisis plan: its lists, its refusals, its DOCX and its adoption dating the
lifecycle's crisis start."""

import io
from datetime import date

import pytest
from docx import Document

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.crisis import plan
from maillage.crisis.document import docx_bytes
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import CrisisPlan, Volunteer
from maillage.lifecycle.actions import date_milestone
from maillage.lifecycle.models import Milestone
from maillage.projet.models import FicheAction, ProjetSante
from tests.crisis.conftest import full_plan
from tests.factories import ProfessionalFactory


def test_a_plan_lists_its_risks_cell_volunteers_partners_and_exercises(idf, nurse):
    written = full_plan(idf["cmv"], nurse)
    assert sorted(written.risks.values_list("kind", flat=True)) == ["epidemic", "heatwave"]
    assert written.cell.get().phone_night == "06 07 08 09 10"
    volunteer = written.volunteers.get()
    assert volunteer.professional == nurse and volunteer.tasks() == ["vacciner", "dépister"]
    assert written.version == 5  # every change bumped it
    assert AuditEntry.objects.filter(action="crisis.plan.part_added").count() == 4


def test_a_stale_plan_edit_is_refused(idf):
    full_plan(idf["cmv"])
    with pytest.raises(StaleEdit):
        plan.add_part(
            idf["cmv"], "cellule", {"name": "A", "function": "B", "email": "a@b.fr"}, None, expected_version=1
        )


def test_volunteers_are_professionals_of_the_territory_once(idf, nurse):
    elsewhere = ProfessionalFactory()
    with pytest.raises(CrisisError, match="n'exerce pas sur le territoire"):
        plan.add_part(idf["cmv"], "volontaire", {"rpps": elsewhere.identifier, "test": True}, None)
    with pytest.raises(CrisisError, match="pour quoi le professionnel se porte volontaire"):
        plan.add_part(idf["cmv"], "volontaire", {"rpps": nurse.identifier}, None)
    plan.add_part(idf["cmv"], "volontaire", {"rpps": nurse.identifier, "staff_centre": True}, None)
    with pytest.raises(CrisisError, match="déjà dans la liste"):
        plan.add_part(idf["cmv"], "volontaire", {"rpps": nurse.identifier, "test": True}, None)
    assert Volunteer.objects.count() == 1


def test_the_plan_serves_a_crisis_fiche_of_its_own_projet(idf):
    own = ProjetSante.objects.create(cpts=idf["cmv"])
    other = ProjetSante.objects.create(cpts=idf["paris13"])
    crisis_fiche = FicheAction.objects.create(projet=own, mission="crisis", title="Plan de crise", objective="Prêts.")
    prevention = FicheAction.objects.create(projet=own, mission="prevention", title="Dépistage", objective="Dépister.")
    theirs = FicheAction.objects.create(projet=other, mission="crisis", title="Leur plan", objective="Prêts.")
    with pytest.raises(CrisisError, match="ne relève pas de la mission crises sanitaires"):
        plan.save_plan(idf["cmv"], plan.PlanDraft(fiche=prevention), None)
    with pytest.raises(CrisisError, match="une autre CPTS"):
        plan.save_plan(idf["cmv"], plan.PlanDraft(fiche=theirs), None)
    assert not CrisisPlan.objects.exists()
    assert plan.save_plan(idf["cmv"], plan.PlanDraft(fiche=crisis_fiche), None).fiche == crisis_fiche


def test_the_docx_opens_with_the_plans_content(idf, nurse):
    written = full_plan(idf["cmv"], nurse)
    document = Document(io.BytesIO(docx_bytes(written)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Plan de réponse aux crises sanitaires" in text and "La cellule se réunit sous 2 h." in text
    for expected in (
        "Dr Claire Martin",
        "06 07 08 09 10",
        "Léa Roux",
        "vacciner, dépister",
        "Hôpital Béclère",
        "Canicule",
        "épidémie",
    ):
        assert expected in cells


def test_the_docx_downloads_for_the_team(idf, coordinator_client, nurse):
    full_plan(idf["cmv"], nurse)
    response = coordinator_client.get("/c/cmv/crise/plan.docx")
    assert response.status_code == 200
    assert "Dr Claire Martin" in "".join(
        c.text for t in Document(io.BytesIO(response.content)).tables for r in t.rows for c in r.cells
    )


def test_adopting_the_plan_dates_the_lifecycles_crisis_start(idf):
    cmv = idf["cmv"]
    with pytest.raises(CrisisError, match="complétez les risques couverts et la cellule de crise"):
        plan.adopt(cmv, date(2025, 3, 1), None)
    full_plan(cmv)
    # Before the ACI is signed, the plan keeps its date and there is no mission to start yet.
    plan.adopt(cmv, date(2024, 12, 1), None, today=date(2025, 6, 1))
    assert not Milestone.objects.filter(cpts=cmv, kind="start_crisis").exists()
    date_milestone(cmv, "aci_signed", date(2025, 1, 15), actor=None, today=date(2025, 6, 1))
    # Written before the signature: the mission starts on the signature's day.
    adopted = plan.adopt(cmv, date(2024, 12, 1), None, today=date(2025, 6, 1))
    assert Milestone.objects.get(cpts=cmv, kind="start_crisis").date == date(2025, 1, 15)
    plan.adopt(cmv, date(2025, 4, 2), None, expected_version=adopted.version, today=date(2025, 6, 1))
    assert Milestone.objects.get(cpts=cmv, kind="start_crisis").date == date(2025, 4, 2)
    with pytest.raises(CrisisError, match="futur"):
        plan.adopt(cmv, date(2025, 7, 1), None, today=date(2025, 6, 1))


def test_the_coordinator_edits_the_plan_with_a_version_check(idf, coordinator_client):
    response = coordinator_client.post(
        "/c/cmv/crise/plan/modifier/",
        {
            "version": "0",
            "organisation": "Cellule réunie sous 2 h.",
            "risk_flood": "on",
            "notes_flood": "Évacuer.",
        },
    )
    assert response.status_code == 302
    assert CrisisPlan.objects.get().risks.get().notes == "Évacuer."
    stale = coordinator_client.post("/c/cmv/crise/plan/modifier/", {"version": "0", "organisation": "Autre."})
    assert (
        stale.status_code == 409 and "Organisation de la réponse → Cellule réunie sous 2 h." in stale.content.decode()
    )
    assert CrisisPlan.objects.get().organisation == "Cellule réunie sous 2 h."
