"""The quality pages: the coordination's forms and their French refusals, the team's side, and
another CPTS's objects answering 404."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.quality.actions import groups
from maillage.quality.models import AdverseEvent, GroupSession, Protocol
from tests.conftest import _login
from tests.factories import RoleFactory
from tests.quality.conftest import pdf, protocol_in_use, session

TODAY = timezone.localdate


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_coordinator_records_a_session_and_a_patient_identity_is_refused_in_french(quality, coordinator_web):
    g = quality["group"]
    url = f"/c/cmv/qualite/groupes/{g.pk}/seances/nouvelle/"
    page = text(coordinator_web.get(url))
    assert "Aucune identité de patient" in page and "Leroy Anne" in page
    data = {"held_on": TODAY().isoformat(), "theme": "Chutes", "hours": "2", "participants": [quality["gp"].pk],
            "cases": "Mme D., née le 02/03/1938, deux chutes.", "conclusions": ""}  # fmt: skip
    response = coordinator_web.post(url, data)
    assert response.status_code == 400
    assert "Les cas discutés contiennent une date de naissance" in text(response)
    assert not GroupSession.objects.exists()
    data["cases"] = "Une femme de 88 ans, deux chutes."
    response = coordinator_web.post(url, data, follow=True)
    assert "Séance du" in text(response)
    assert GroupSession.objects.get().attendances.count() == 1


def test_a_protocol_goes_through_the_pages_and_validation_by_nobody_is_said(quality, coordinator_web):
    data = {"title": "Angine", "summary": "", "professions": ["10", "21"], "authors": [quality["gp"].pk]}
    response = coordinator_web.post("/c/cmv/qualite/protocoles/nouveau/", data, follow=True)
    found = Protocol.objects.get()
    base = f"/c/cmv/qualite/protocoles/{found.pk}/"
    coordinator_web.post(f"{base}deposer/", {"file": pdf()})
    dates = {"validated_on": TODAY().isoformat(), "next_review_on": (TODAY() + timedelta(days=365)).isoformat()}
    response = coordinator_web.post(f"{base}valider/", dates, follow=True)
    assert "Un protocole validé par personne n'est pas validé" in text(response)
    coordinator_web.post(f"{base}valider/", {**dates, "validators": [quality["pharmacist"].pk]})
    response = coordinator_web.post(f"{base}etat/", {"target": "in_use"}, follow=True)
    assert "Protocole : en usage." in text(response)
    found.refresh_from_db()
    assert found.status == "in_use" and found.file_name == "protocole.pdf"


def test_the_team_reads_the_protocols_in_use_and_each_download_is_audited(quality):
    found = protocol_in_use(quality)
    draft = Protocol.objects.create(cpts=quality["cmv"], title="Brouillon")
    client = _login(quality["gp_user"])
    page = text(client.get("/c/cmv/qualite/espace/"))
    assert "Cystite simple" in page and "Brouillon" not in page and "GAP Malakoff" in page
    response = client.get(f"/c/cmv/qualite/espace/protocoles/{found.pk}/fichier/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="quality.protocol.downloaded", actor=quality["gp_user"]).count() == 1
    assert client.get(f"/c/cmv/qualite/espace/protocoles/{draft.pk}/fichier/").status_code == 404


def test_a_member_sees_only_their_own_groups(quality):
    other = groups.create_group(quality["cmv"], kind="peers", name="Pairs kinés")
    client = _login(quality["gp_user"])
    assert client.get(f"/c/cmv/qualite/espace/groupes/{quality['group'].pk}/").status_code == 200
    assert client.get(f"/c/cmv/qualite/espace/groupes/{other.pk}/").status_code == 404


def test_a_member_declares_an_event_without_patient_identity(quality):
    client = _login(quality["gp_user"])
    url = "/c/cmv/qualite/espace/eias/declarer/"
    data = {"occurred_on": TODAY().isoformat(), "category": "medication", "severity": "none",
            "description": "Patient 185057512345678 : erreur de délivrance."}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400 and "numéro de sécurité sociale" in text(response)
    data["description"] = "Erreur de délivrance d'un anticoagulant, rattrapée à domicile."
    assert client.post(url, data).status_code == 302
    assert AdverseEvent.objects.get().declared_by == quality["gp_user"]


@pytest.mark.parametrize("year", ["0", "99999", "abc"])
def test_a_bad_year_of_the_attendance_page_is_no_error(quality, coordinator_web, year):
    response = coordinator_web.get(f"/c/cmv/qualite/presences/?annee={year}")
    assert response.status_code == 200


def test_another_cpts_objects_answer_404(quality):
    mine = protocol_in_use(quality)
    held = session(quality["group"], [quality["gp"]])
    other = _login(RoleFactory(coordinator=True, cpts=quality["paris13"]).user)
    for path in (
        f"/c/paris-13/qualite/protocoles/{mine.pk}/",
        f"/c/paris-13/qualite/protocoles/{mine.pk}/fichier/",
        f"/c/paris-13/qualite/groupes/{quality['group'].pk}/",
        f"/c/paris-13/qualite/seances/{held.pk}/",
        f"/c/paris-13/qualite/espace/protocoles/{mine.pk}/fichier/",
        "/c/cmv/qualite/",
    ):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/c/paris-13/qualite/protocoles/{mine.pk}/etat/", {"target": "retired"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == "in_use"
