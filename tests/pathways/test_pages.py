"""The page listing the patients' pathways: each person sees the pathways access.py gives them."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.pathways.models import Pathway, Task
from tests.factories import RoleFactory, StructureFactory

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


# --- Issue 15, items 2–4: the enrolment form and the pathway page ---------------------------------

NEW = "/c/cmv/parcours-patients/nouveau/"


def _page(pathway):
    return f"/c/cmv/parcours-patients/{pathway.pk}/"


def _text(response):
    return html.unescape(response.content.decode())


def _enrolment_form(world, **changes):
    today = timezone.localdate()
    data = {
        "template": world["discharge"].pk, "last_name": "Durand", "first_name": "Paul", "birth_date": "1940-03-04",
        "sex": "M", "commune": "92046", "phone": "0601020304", "ins": "", "referrer_kind": "professional",
        "referrer_professional": f"p{world['gp'].pk}", "start_date": today.isoformat(),
        "discharge_date": (today - timedelta(days=1)).isoformat(), "informed_by_label": "Dr Anne Leroy",
        "informed_on": today.isoformat(), "text_version": "2026-12-v1", "team": "on", "coordination": "consent",
        "member_1": f"p{world['gp'].pk}", "role_1": "gp", "member_2": f"p{world['nurse'].pk}", "role_2": "nurse",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _saved():
    return (
        Pathway.objects.count(),
        Task.objects.count(),
        AuditEntry.objects.filter(action__contains="enrolled").count(),
    )


def test_the_coordinator_enrols_a_patient_and_lands_on_the_pathway_page(world, login):
    client = login(world["coordinator"])
    form = client.get(NEW)
    assert form.status_code == 200 and "Sortie d'hospitalisation" in _text(form)
    response = client.post(NEW, _enrolment_form(world))
    pathway = Pathway.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(pathway)
    assert {m.professional for m in pathway.team.all()} == {world["gp"], world["nurse"]}
    assert pathway.tasks.count() == 5 and pathway.sharing_decisions.count() == 2
    page = _text(client.get(_page(pathway)))
    assert "Durand Paul" in page and "Visite infirmière à domicile" in page and "est inscrit dans le parcours" in page


def test_a_member_linked_to_the_directory_enrols_a_patient_from_a_hospital(world, login):
    hospital = StructureFactory(finess_et="920000650", short_name="HOPITAL BECLERE")
    data = _enrolment_form(world, referrer_kind="hospital", referrer_finess="920000650", referrer_service="Gériatrie",
                           commune="", commune_code="92040")  # fmt: skip
    response = login(world["gp_user"]).post(NEW, data)
    assert response.status_code == 302
    pathway = Pathway.objects.get()
    assert pathway.referrer_structure == hospital and pathway.outside_territory


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"discharge_date": ""}, "indiquez la date de sortie"),
        ({"ins": "2550375120005 00"}, "L'INS (NIR) saisi n'est pas valide"),
        ({"team": None}, "ne pas s'opposer à l'échange de ses informations"),
        ({"commune": ""}, "Indiquez la commune du patient"),
        ({"commune": "", "commune_code": "99999"}, "Aucune commune n'a le code INSEE « 99999 »"),
        ({"last_name": ""}, "Ce champ est obligatoire"),
        ({"birth_date": "2999-01-01"}, "Date hors des limites"),
        ({"member_3": f"p{999999}", "role_3": "nurse"}, "Choisissez la personne dans l'annuaire"),
        ({"member_2": None}, "Choisissez la personne dans l'annuaire"),
        ({"referrer_kind": "hospital", "referrer_finess": "123"}, "Indiquez le numéro FINESS"),
        ({"text_version": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_enrolment_input_is_refused_in_french_and_nothing_is_saved(world, login, changes, message):
    before = _saved()
    response = login(world["coordinator"]).post(NEW, _enrolment_form(world, **changes))
    assert response.status_code == 400
    assert message in _text(response) and "Inscrire le patient" in _text(response)
    assert _saved() == before


def test_an_outsider_on_the_team_is_refused_with_the_actions_message(world, login):
    changes = {"member_2": f"p{world['outsider'].pk}"}
    before = _saved()
    response = login(world["coordinator"]).post(NEW, _enrolment_form(world, **changes))
    # The outsider is not in the CPTS's directory: the select itself refuses them.
    assert response.status_code == 400 and _saved() == before
    assert "Choisissez la personne dans l'annuaire" in _text(response) or "n'est pas dans l'annuaire" in _text(response)


def test_only_those_who_may_enrol_reach_the_form(world, login):
    unlinked_member = RoleFactory(cpts=world["cmv"]).user
    for user in (unlinked_member, world["regulator"], world["coordinator_other"], world["regional"]):
        assert login(user).get(NEW).status_code == 404
    assert "Inscrire un patient" in _text(login(world["coordinator"]).get(URL))
    assert "Inscrire un patient" not in _text(login(unlinked_member).get(URL))


def test_the_list_links_each_pathway_to_its_page(world, enrolled, login):
    assert f'href="{_page(enrolled)}"' in login(world["coordinator"]).get(URL).content.decode()


def test_the_pathway_page_shows_team_tasks_and_consent_and_the_read_is_audited(world, enrolled, login):
    Task.objects.filter(pathway=enrolled).update(note="Plaie au talon")
    page = login(world["coordinator"]).get(_page(enrolled))
    text = _text(page)
    assert page.status_code == 200
    assert "Moreau Jeanne" in text and "Visite infirmière à domicile" in text and "DAC Hauts-de-Seine Sud" in text
    assert "Échange au sein de l'équipe de soins" in text and "informé, ne s'oppose pas" in text
    # No consent to sharing with the coordination: no notes for the coordinator.
    assert "Plaie au talon" not in text and "pas les notes" in text
    entry = AuditEntry.objects.filter(action="pathways.pathway.viewed").get()
    assert entry.health_data and entry.details["contenu_clinique"] == "non"
    assert "Plaie au talon" in _text(login(world["nurse_user"]).get(_page(enrolled)))


def test_another_cpts_or_a_professional_off_the_team_gets_404(world, enrolled, login):
    assert login(world["other_nurse_user"]).get(_page(enrolled)).status_code == 404
    assert login(world["coordinator_other"]).get(_page(enrolled)).status_code == 404
    assert login(world["coordinator_other"]).get(f"/c/paris-13/parcours-patients/{enrolled.pk}/").status_code == 404


def test_a_professional_who_left_the_care_team_gets_404_on_the_page_and_its_writes(world, enrolled, login):
    from maillage.pathways.actions.team import remove_member

    client = login(world["nurse_user"])
    assert client.get(_page(enrolled)).status_code == 200
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"])
    task = enrolled.tasks.first()
    assert client.get(_page(enrolled)).status_code == 404
    assert client.post(f"{_page(enrolled)}taches/{task.pk}/etat/", {"etat": "done", "version": 0}).status_code == 404
    assert client.post(f"{_page(enrolled)}taches/", {"title": "x", "due_on": "2026-12-30"}).status_code == 404
    assert Task.objects.get(pk=task.pk).status == "todo"


def test_the_nurse_moves_a_task_to_done_with_a_note(world, enrolled, login):
    task = enrolled.tasks.get(title="Visite infirmière à domicile")
    client = login(world["nurse_user"])
    url = f"{_page(enrolled)}taches/{task.pk}/etat/"
    response = client.post(url, {"etat": "in_progress", "version": task.version}, follow=True)
    assert "en cours" in _text(response)
    task.refresh_from_db()
    client.post(url, {"etat": "done", "version": task.version, "note": "Pansement refait"})
    task.refresh_from_db()
    assert task.status == "done" and task.note == "Pansement refait"


def test_a_bad_task_move_is_refused_and_nothing_changes(world, enrolled, login):
    task = enrolled.tasks.get(title="Visite infirmière à domicile")
    client = login(world["nurse_user"])
    url = f"{_page(enrolled)}taches/{task.pk}/etat/"
    stale = client.post(url, {"etat": "done", "version": task.version + 3}, follow=True)
    assert "vient d'être modifiée par quelqu'un d'autre" in _text(stale)
    wrong = client.post(url, {"etat": "nimporte", "version": task.version}, follow=True)
    assert "elle ne peut pas passer à cet état" in _text(wrong)
    task.refresh_from_db()
    assert task.status == "todo" and task.version == 0


def test_tasks_are_added_by_hand_and_assigned_to_the_active_team(world, enrolled, login):
    client = login(world["coordinator"])
    url = f"{_page(enrolled)}taches/"
    before = Task.objects.count()
    refused = client.post(url, {"title": "", "due_on": "2026-12-30"}, follow=True)
    assert "Ce champ est obligatoire" in _text(refused) and Task.objects.count() == before
    nurse = enrolled.team.get(professional=world["nurse"])
    client.post(url, {"title": "Bilan de chute", "due_on": timezone.localdate().isoformat(), "assignee": nurse.pk})
    task = Task.objects.get(title="Bilan de chute")
    assert task.assignee == nurse and task.note == ""
    social = enrolled.tasks.get(title="Évaluation sociale du retour à domicile")
    assign = f"{_page(enrolled)}taches/{social.pk}/affecter/"
    prefix = f"t{social.pk}-"
    client.post(assign, {prefix + "assignee": nurse.pk, prefix + "version": social.version})
    social.refresh_from_db()
    assert social.assignee == nurse
    stale = client.post(assign, {prefix + "assignee": "", prefix + "version": 0}, follow=True)
    assert "vient d'être modifiée" in _text(stale)
    social.refresh_from_db()
    assert social.assignee == nurse


def test_the_team_grows_and_a_member_is_removed_after_confirmation(world, enrolled, login):
    client = login(world["coordinator"])
    url = f"{_page(enrolled)}equipe/"
    refused = client.post(url, {"person": f"p{world['outsider'].pk}", "role": "nurse"}, follow=True)
    assert "Choisissez la personne dans l'annuaire de la CPTS." in _text(refused)
    assert not enrolled.team.filter(professional=world["outsider"]).exists()
    twice = client.post(url, {"person": f"p{world['nurse'].pk}", "role": "nurse"}, follow=True)
    assert "fait déjà partie de l'équipe" in _text(twice)
    client.post(url, {"person": f"p{world['pharmacist'].pk}", "role": "pharmacist"})
    member = enrolled.team.get(professional=world["pharmacist"])
    remove = f"{_page(enrolled)}equipe/{member.pk}/retirer/"
    confirm = client.post(remove)
    assert confirm.status_code == 200 and "Oui, retirer de l'équipe" in _text(confirm)
    member.refresh_from_db()
    assert member.is_active
    client.post(remove, {"confirme": "1"})
    member.refresh_from_db()
    assert not member.is_active
    again = client.post(remove, {"confirme": "1"}, follow=True)
    assert "a déjà quitté l'équipe de soins" in _text(again)


def test_consent_is_recorded_and_withdrawn_after_confirmation(world, enrolled, login):
    Task.objects.filter(pathway=enrolled).update(note="Plaie au talon")
    client = login(world["coordinator"])
    url = f"{_page(enrolled)}information/"
    refused = client.post(url, {"informed_by_label": "Dr Leroy", "informed_on": timezone.localdate().isoformat(),
                                "text_version": "v2"}, follow=True)  # fmt: skip
    assert "Indiquez la décision du patient." in _text(refused)
    client.post(url, {"informed_by_label": "Dr Leroy", "informed_on": timezone.localdate().isoformat(),
                      "text_version": "v2", "coordination": "consent"})  # fmt: skip
    assert "Plaie au talon" in _text(client.get(_page(enrolled)))
    decision = enrolled.sharing_decisions.get(scope="coordination", withdrawn_at=None)
    withdraw = f"{_page(enrolled)}decisions/{decision.pk}/retirer/"
    confirm = client.post(withdraw)
    assert confirm.status_code == 200 and "Oui, enregistrer le retrait" in _text(confirm)
    client.post(withdraw, {"confirme": "1", "motif": "Au téléphone"})
    decision.refresh_from_db()
    assert decision.end_kind == "withdrawn"
    assert "Plaie au talon" not in _text(client.get(_page(enrolled)))
    twice = client.post(withdraw, {"confirme": "1"}, follow=True)
    assert "il n'y a plus rien à retirer" in _text(twice)
    assert AuditEntry.objects.filter(action="pathways.sharing.withdrawn").count() == 1


def test_an_open_alert_is_shown_and_resolved(world, enrolled, login):
    from maillage.pathways.actions.ruptures import declare_rehospitalisation

    alert = declare_rehospitalisation(enrolled, world["coordinator"], on=timezone.localdate())
    client = login(world["nurse_user"])
    assert "Réhospitalisation" in _text(client.get(_page(enrolled)))
    client.post(f"{_page(enrolled)}alertes/{alert.pk}/resoudre/")
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    again = client.post(f"{_page(enrolled)}alertes/{alert.pk}/resoudre/", follow=True)
    assert "Cette alerte est déjà résolue." in _text(again)


def test_a_member_enrolling_is_proposed_as_referrer_and_first_on_the_team(world, login):
    client = login(world["nurse_user"])
    form = client.get(NEW).content.decode()
    own = f'value="p{world["nurse"].pk}" selected'
    assert form.count(own) == 2 and '<option value="nurse" selected>' in form
    # Left off the team, they are told they will not see the pathway.
    data = _enrolment_form(world, referrer_professional=f"p{world['nurse'].pk}", member_2=None, role_2=None)
    response = client.post(NEW, data, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "Vous ne faites pas partie de l'équipe de soins de ce patient" in _text(response)
    assert Pathway.objects.get().team.get().professional == world["gp"]


def test_a_coordinator_without_the_patients_consent_cannot_write_a_note(world, enrolled, login):
    task = enrolled.tasks.get(title="Visite infirmière à domicile")
    login(world["coordinator"]).post(
        f"{_page(enrolled)}taches/{task.pk}/etat/", {"etat": "in_progress", "version": task.version, "note": "Vu"}
    )
    task.refresh_from_db()
    assert task.status == "in_progress" and task.note == ""
