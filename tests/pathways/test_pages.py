"""The page listing the patients' pathways: each person sees the pathways access.py gives them."""

import html

from maillage.core.models import AuditEntry

URL = "/c/cmv/parcours-patients/"


def test_the_list_shows_each_person_their_pathways_and_the_read_is_audited(world, enrolled, login):
    page = login(world["coordinator"]).get(URL)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Moreau Jeanne" in text and "1 parcours" in text and "Sortie d'hospitalisation" in text
    entry = AuditEntry.objects.get(action="pathways.list.viewed")
    assert entry.health_data and entry.details["parcours"] == [enrolled.reference]
    assert "Moreau" in login(world["nurse_user"]).get(URL).content.decode()
    other = login(world["other_nurse_user"]).get(URL).content.decode()
    assert "Moreau" not in other and "Aucun parcours ne vous est accessible" in other


def test_people_without_access_get_404(world, enrolled, login):
    for who in ("regulator", "regional", "coordinator_other"):
        assert login(world[who]).get(URL).status_code == 404


def test_a_professional_who_left_the_care_team_no_longer_finds_the_patient_on_the_page(world, enrolled, login):
    from maillage.pathways.actions.team import remove_member

    client = login(world["nurse_user"])
    assert "Moreau" in client.get(URL).content.decode()
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"])
    assert "Moreau" not in client.get(URL).content.decode()
