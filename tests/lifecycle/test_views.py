"""The timeline page as the coordinator, the région's viewer and the others see it."""

from datetime import date

import pytest

from maillage.core.models import AuditEntry
from maillage.lifecycle import actions
from maillage.lifecycle.models import Milestone
from tests.factories import RoleFactory
from tests.lifecycle.conftest import CHAIN_DATES, TODAY, date_all, text

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row(page: str, kind: str) -> str:
    start = page.index(f'data-kind="{kind}"')
    return page[start : page.index("</tr>", start)]


def test_the_coordinator_sees_phases_dates_computed_dates_and_late_flags(signed, coordinator_client):
    date_all(signed, [("start_access", date(2023, 6, 1))])
    page = text(coordinator_client.get("/c/cmv/parcours/"))
    assert "Phase actuelle : idéation" in " ".join(page.replace('<strong data-testid="phase">', "").split())
    assert "15/03/2023" in _row(page, "aci_signed")
    # The ARS answered on 28/11/2022: its answer replaces the tacit validation (never both shown).
    answer = _row(page, "ars_response")
    assert "28/11/2022" in answer and "projet validé par l'ARS" in answer
    assert "réputée acquise" not in answer and "03/12/2022" not in answer
    assert "respectée" in _row(page, "start_access") and "15/09/2023" in _row(page, "start_access")
    assert "en retard" in _row(page, "start_pathways") and "au plus tard le 15/03/2024" in _row(page, "start_pathways")
    assert "mission facultative, sans échéance" in _row(page, "start_quality")
    assert "7 échéances de mission en retard" in page
    assert "Aucun document pour l'instant." in page
    assert "€" not in _row(page, "seed_funding").split("</th>")[1].split("</td>")[0]  # no amount recorded


def test_dating_a_milestone_with_htmx_answers_the_refreshed_timeline(signed, coordinator, coordinator_client):
    response = coordinator_client.post(
        "/c/cmv/parcours/jalons/start_pathways/", {"date": "2024-01-10", "version": 0}, **HTMX
    )
    assert response.status_code == 200
    page = text(response)
    assert page.startswith('<div id="parcours">')
    assert "« Démarrage : parcours pluriprofessionnels » daté du 10/01/2024." in page
    assert "en retard" not in _row(page, "start_pathways")
    assert "7 échéances de mission en retard" in page
    assert AuditEntry.objects.filter(action="lifecycle.milestone.dated", actor=coordinator).exists()


def test_a_refused_date_is_explained_next_to_its_milestone(signed, coordinator_client):
    response = coordinator_client.post("/c/cmv/parcours/jalons/start_pathways/", {"date": "2023-01-10"}, **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "avant « Signature de l'ACI » (15/03/2023)" in _row(text(response), "start_pathways")
    response = coordinator_client.post("/c/cmv/parcours/jalons/start_pathways/", {"date": "pas une date"})
    assert response.status_code == 400
    assert "Saisissez une date valide" in text(response)
    response = coordinator_client.post("/c/cmv/parcours/jalons/seed_funding/", {"date": "2019-09-16", "amount": "-3"})
    assert response.status_code == 400 and "Le montant ne peut pas être négatif." in text(response)
    assert not Milestone.objects.filter(kind="start_pathways").exists()
    assert Milestone.objects.get(kind="seed_funding").amount is None
    assert coordinator_client.post("/c/cmv/parcours/jalons/inconnu/", {"date": "2020-01-01"}).status_code == 404


def test_seed_funding_amount_shown_in_euros(idf, coordinator_client):
    date_all(idf["cmv"], CHAIN_DATES[:1])
    response = coordinator_client.post(
        "/c/cmv/parcours/jalons/seed_funding/", {"date": "2019-09-16", "amount": "50000", "version": 0}
    )
    assert response.status_code == 302
    assert "50 000,00 €" in _row(text(coordinator_client.get("/c/cmv/parcours/")), "seed_funding").replace("\xa0", " ")


def test_phase_moves_from_the_page(idf, coordinator_client):
    response = coordinator_client.post("/c/cmv/parcours/phase/", {"target": "conception"}, **HTMX)
    assert "Pour passer en conception, datez la lettre d'intention." in text(response)
    assert 'Phase actuelle : <strong data-testid="phase">idéation' in text(response)
    date_all(idf["cmv"], CHAIN_DATES[:1])
    response = coordinator_client.post("/c/cmv/parcours/phase/", {"target": "conception"})
    assert response.status_code == 302
    page = text(coordinator_client.get("/c/cmv/parcours/"))
    assert "La CPTS est passée en phase « conception »." in page
    assert "idéation → conception" in page
    response = coordinator_client.post("/c/cmv/parcours/phase/", {"target": "fonctionnement"})
    assert response.status_code == 400
    assert "ne peut pas passer en « fonctionnement »" in text(response)
    assert coordinator_client.post("/c/cmv/parcours/phase/", {"target": "n-importe"}).status_code == 400


def test_the_regional_viewer_reads_without_forms_or_names(signed, regional_viewer, login, coordinator):
    date_all(signed, [("start_access", date(2023, 6, 1))])
    actions.move_phase(signed, "conception", actor=coordinator, today=TODAY)
    viewer = login(regional_viewer)
    page = text(viewer.get("/c/cmv/parcours/"))
    assert "(consultation)" in page and "15/03/2023" in page and "en retard" in page
    assert "<form" not in page.split('id="parcours"')[1]
    assert coordinator.email not in page  # the log shows the move, not who made it
    assert "idéation → conception" in page
    assert viewer.post("/c/cmv/parcours/jalons/start_crisis/", {"date": "2023-06-01"}).status_code == 404
    assert viewer.post("/c/cmv/parcours/phase/", {"target": "contractualisation"}).status_code == 404
    assert not Milestone.objects.filter(kind="start_crisis").exists()


@pytest.mark.parametrize("who", ["member", "other_coordinator", "other_region"])
def test_others_get_404(idf, login, who):
    role = {
        "member": lambda: RoleFactory(cpts=idf["cmv"]),
        "other_coordinator": lambda: RoleFactory(coordinator=True, cpts=idf["paris13"]),
        "other_region": lambda: RoleFactory(regional=True, region__code="76", region__name="Occitanie"),
    }[who]()
    client = login(role.user, with_mfa=True)
    assert client.get("/c/cmv/parcours/").status_code == 404
    assert client.post("/c/cmv/parcours/jalons/letter_of_intent/", {"date": "2020-01-01"}).status_code == 404
    assert not Milestone.objects.exists()


def test_the_admin_reads_and_writes(idf, login):
    admin = login(RoleFactory(admin=True).user)
    assert "<form" in text(admin.get("/c/cmv/parcours/"))
    assert (
        admin.post("/c/cmv/parcours/jalons/letter_of_intent/", {"date": "2020-01-01", "version": 0}).status_code == 302
    )
