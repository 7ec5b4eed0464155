"""FHIR read of the patients' pathways (issue 15): CarePlan, CareTeam and Task, for the care team's
own systems. Every answer is validated as FHIR R4 (fhir.resources R4B); who sees what is
pathways/access.py's, and every read that returns a patient is audited as health data."""

import pytest
from django.test import Client

from maillage.accounts.actions import create_api_token
from maillage.core.models import AuditEntry
from maillage.fhir import systems
from maillage.pathways import access
from maillage.pathways.actions.consent import record_information, withdraw
from maillage.pathways.actions.tasks import assign_task, move_task
from maillage.pathways.actions.team import remove_member
from maillage.pathways.states import Decision, Scope, TaskStatus
from tests.conftest import _login
from tests.fhir.helpers import FHIR_JSON, diagnostics, ids, validate
from tests.pathways.conftest import VALID_NIR, information

INS = f"{systems.INS_NIR}|{VALID_NIR}"


class Reader:
    """A client of the pathways' FHIR interface: every answer checked (status, type, FHIR R4)."""

    def __init__(self, client=None, *, token=None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, *, status=200, **headers):
        response = self.client.get(path, params or {}, headers={**self.headers, **headers})
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == FHIR_JSON
        body = validate(response.json())
        if status >= 400:
            assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["severity"] == "error"
        elif path != "/fhir/metadata":
            assert response["Cache-Control"] == "no-store"
        return body

    def search(self, resource_type, params=None, **kwargs):
        bundle = self.get(f"/fhir/{resource_type}", params, **kwargs)
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        return bundle


def reader(user):
    return Reader(_login(user))


def resources(bundle):
    return [entry["resource"] for entry in bundle.get("entry", [])]


def fhir_reads():
    return AuditEntry.objects.filter(action__startswith="pathways.fhir.")


@pytest.fixture
def nurse(world, enrolled):
    return reader(world["nurse_user"])


def test_a_team_member_reads_the_care_plan_of_their_patient_by_ins(world, enrolled, nurse):
    bundle = nurse.search("CarePlan", {"patient": INS})
    assert bundle["total"] == 1 and ids(bundle) == [str(enrolled.pk)]
    plan = resources(bundle)[0]
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["title"] == world["discharge"].name
    assert plan["period"] == {"start": enrolled.start_date.isoformat()}
    assert plan["careTeam"] == [{"reference": f"CareTeam/{enrolled.pk}", "type": "CareTeam"}]
    tasks = list(enrolled.tasks.order_by("due_on", "id").values_list("pk", flat=True))
    assert [a["reference"]["reference"] for a in plan["activity"]] == [f"Task/{pk}" for pk in tasks]
    # The patient: contained, with the traits the team reads on the page, identified by the INS.
    assert plan["subject"]["reference"] == "#patient"
    (patient,) = plan["contained"]
    assert patient["identifier"][0]["system"] == systems.INS_NIR and patient["identifier"][0]["value"] == VALID_NIR
    assert patient["identifier"][1]["value"] == enrolled.reference
    assert patient["name"] == [{"use": "official", "family": "Moreau", "given": ["Jeanne"]}]
    assert patient["gender"] == "female" and patient["birthDate"] == "1938-05-02"
    assert patient["address"][0]["city"] == "Malakoff"
    # The same plan by the pathway's reference, as a reference or an identifier, and by id.
    assert ids(nurse.search("CarePlan", {"patient": enrolled.reference})) == [str(enrolled.pk)]
    assert ids(nurse.search("CarePlan", {"subject": f"Patient/{enrolled.reference}"})) == [str(enrolled.pk)]
    assert ids(nurse.search("CarePlan", {"patient:identifier": INS})) == [str(enrolled.pk)]
    assert nurse.get(f"/fhir/CarePlan/{enrolled.pk}")["id"] == str(enrolled.pk)


def test_the_care_team_names_professionals_by_their_national_id_and_partners_by_name(world, enrolled, nurse):
    team = nurse.get(f"/fhir/CareTeam/{enrolled.pk}")
    assert team["status"] == "active"
    assert team["subject"]["identifier"] == {
        "use": "official",
        "type": {"coding": [{"system": systems.IDENTIFIER_TYPE, "code": "INS-NIR"}]},
        "system": systems.INS_NIR,
        "value": VALID_NIR,
    }
    assert team["managingOrganization"][0]["reference"] == f"Organization/cpts-{world['cmv'].pk}"
    members = {p["role"][0]["text"]: p["member"] for p in team["participant"]}
    gp = world["gp"]
    assert members["médecin traitant"] == {
        "reference": f"Practitioner/{gp.national_id}",
        "type": "Practitioner",
        "display": gp.full_name,
        "identifier": {"system": systems.IDNPS, "value": gp.national_id},
    }
    assert members["infirmier"]["identifier"]["value"] == world["nurse"].national_id
    assert members["dispositif d'appui à la coordination (DAC)"] == {
        "type": "Organization",
        "display": "DAC Hauts-de-Seine Sud",
    }
    assert ids(nurse.search("CareTeam", {"patient": INS})) == [str(enrolled.pk)]


def test_tasks_map_their_status_due_date_owner_and_plan(world, enrolled, nurse):
    tasks = list(enrolled.tasks.order_by("due_on", "id"))
    first, second, third = tasks[:3]
    member = enrolled.team.get(professional=world["nurse"])
    first.refresh_from_db()
    move_task(first, TaskStatus.IN_PROGRESS, world["nurse_user"], note="Pansement refait, plaie propre")
    if second.assignee_id is None:
        assign_task(second, member, world["coordinator"])
    move_task(second, TaskStatus.DONE, world["nurse_user"])
    move_task(third, TaskStatus.CANCELLED, world["coordinator"])
    bundle = nurse.search("Task", {"patient": INS})
    assert bundle["total"] == len(tasks)
    by_id = {r["id"]: r for r in resources(bundle)}
    got = by_id[str(first.pk)]
    assert got["status"] == "in-progress" and got["intent"] == "plan"
    assert got["description"] == first.title
    assert got["restriction"] == {"period": {"end": first.due_on.isoformat()}}
    assert got["basedOn"] == [{"reference": f"CarePlan/{enrolled.pk}", "type": "CarePlan"}]
    assert got["for"]["identifier"]["value"] == VALID_NIR
    assert got["note"] == [{"text": "Pansement refait, plaie propre"}]  # the member sees the notes
    done = by_id[str(second.pk)]
    assert done["status"] == "completed" and done["executionPeriod"]["end"]
    assert done["owner"]["identifier"]["value"] == world["nurse"].national_id
    assert by_id[str(third.pk)]["status"] == "cancelled"
    todo = [r for r in resources(bundle) if r["id"] not in {str(first.pk), str(second.pk), str(third.pk)}]
    assert {r["status"] for r in todo} <= {"requested", "ready"}
    assert all((r["status"] == "ready") == ("owner" in r) for r in todo)
    # The plan's tasks, and a filter on their FHIR status.
    assert len(ids(nurse.search("Task", {"based-on": f"CarePlan/{enrolled.pk}"}))) == len(tasks)
    assert ids(nurse.search("Task", {"patient": INS, "status": "completed,cancelled"})) == sorted(
        [str(second.pk), str(third.pk)], key=lambda pk: [t.pk for t in tasks].index(int(pk))
    )
    assert nurse.get(f"/fhir/Task/{first.pk}")["note"][0]["text"] == "Pansement refait, plaie propre"


def test_paging_links_keep_the_search(enrolled, nurse):
    bundle = nurse.search("Task", {"patient": INS, "_count": 2})
    assert len(resources(bundle)) == 2 and bundle["total"] == enrolled.tasks.count()
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert "patient=" in links["next"] and "_offset=2" in links["next"]


def test_every_answer_with_a_patient_is_audited_as_health_data(world, enrolled, nurse):
    nurse.search("CarePlan", {"patient": INS})
    nurse.get(f"/fhir/CareTeam/{enrolled.pk}")
    task = enrolled.tasks.first()
    nurse.get(f"/fhir/Task/{task.pk}")
    entries = list(fhir_reads().order_by("id"))
    assert [e.action for e in entries] == ["pathways.fhir.searched", "pathways.fhir.read", "pathways.fhir.read"]
    assert all(e.health_data and e.actor == world["nurse_user"] and e.cpts == world["cmv"] for e in entries)
    assert entries[0].details["parcours"] == [enrolled.reference] and entries[0].details["canal"] == "session"
    assert entries[2].details["id"] == f"Task/{task.pk}" and entries[2].details["contenu_clinique"] == "oui"
    # A search that finds nobody reads no patient: nothing to record.
    nurse.search("CarePlan", {"patient": "PA-999999"})
    assert fhir_reads().count() == 3


def test_a_personal_api_token_reads_as_its_owner(world, enrolled):
    token, secret = create_api_token(world["nurse_user"], name="Logiciel infirmier", scope="read", lifetime="30",
                                     second_factor=True)  # fmt: skip
    by_token = Reader(token=secret)
    assert ids(by_token.search("CarePlan", {"patient": INS})) == [str(enrolled.pk)]
    assert fhir_reads().get().details["canal"] == f"jeton d'API {token.prefix}"
    outcome = by_token.get("/fhir/CarePlan", {"patient": INS}, status=401, Authorization="Bearer mlg_faux")
    assert "Jeton d'API invalide" in diagnostics(outcome)
    # A bad token is refused even beside a valid session, as in the API.
    outcome = Reader(_login(world["nurse_user"])).get(
        "/fhir/Task", {"patient": INS}, status=401, Authorization="Bearer mlg_faux"
    )
    assert "Jeton d'API invalide" in diagnostics(outcome)


def test_anonymous_is_asked_to_authenticate(enrolled):
    response = Client().get("/fhir/CarePlan", {"patient": INS})
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="fhir"'
    outcome = validate(response.json())
    assert outcome["issue"][0]["code"] == "login" and "Authentification requise" in diagnostics(outcome)
    Reader().get(f"/fhir/Task/{enrolled.tasks.first().pk}", status=401)
    Reader().get(f"/fhir/CareTeam/{enrolled.pk}", status=401)
    assert not fhir_reads().exists()


def test_a_session_without_second_factor_reads_nothing(world, enrolled):
    client = _login(world["nurse_user"], with_mfa=False)
    outcome = Reader(client).get("/fhir/CarePlan", {"patient": INS}, status=403)
    assert "Double authentification requise" in diagnostics(outcome)


def test_a_professional_who_left_the_team_gets_an_empty_bundle_and_404(world, enrolled, nurse):
    task = enrolled.tasks.first()
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"], note="Relais")
    for resource_type in ("CarePlan", "CareTeam", "Task"):
        bundle = nurse.search(resource_type, {"patient": INS})
        assert bundle["total"] == 0 and "entry" not in bundle
    assert nurse.search("Task", {"based-on": f"CarePlan/{enrolled.pk}"})["total"] == 0
    for path in (f"/fhir/CarePlan/{enrolled.pk}", f"/fhir/CareTeam/{enrolled.pk}", f"/fhir/Task/{task.pk}"):
        outcome = nurse.get(path, status=404)
        assert outcome["issue"][0]["code"] == "not-found" and "Ressource introuvable" in diagnostics(outcome)
    assert not fhir_reads().exists()


@pytest.mark.parametrize("who", ["other_nurse_user", "coordinator_other", "regulator", "regional", "no_role"])
def test_anyone_else_sees_nothing(world, enrolled, who):
    someone = reader(world[who])
    for resource_type in ("CarePlan", "CareTeam", "Task"):
        assert someone.search(resource_type, {"patient": INS})["total"] == 0
    someone.get(f"/fhir/CarePlan/{enrolled.pk}", status=404)
    someone.get(f"/fhir/Task/{enrolled.tasks.first().pk}", status=404)
    assert not fhir_reads().exists()


def test_the_coordinator_gets_the_notes_only_with_the_patients_consent(world, enrolled):
    task = enrolled.tasks.order_by("due_on", "id").first()
    move_task(task, TaskStatus.IN_PROGRESS, world["nurse_user"], note="Escarre talon gauche")
    coordinator = reader(world["coordinator"])
    bundle = coordinator.search("Task", {"patient": INS})
    assert bundle["total"] == enrolled.tasks.count()  # progress and tasks: yes
    assert not any("note" in r for r in resources(bundle))  # the notes: no
    assert "note" not in coordinator.get(f"/fhir/Task/{task.pk}")
    assert ids(coordinator.search("CarePlan", {"patient": INS})) == [str(enrolled.pk)]
    assert fhir_reads().filter(details__contenu_clinique="non").count() == 3
    record_information(enrolled, information(**{Scope.COORDINATION: Decision.CONSENT}), world["nurse_user"])
    assert coordinator.get(f"/fhir/Task/{task.pk}")["note"] == [{"text": "Escarre talon gauche"}]
    withdraw(enrolled.sharing_decisions.in_force().get(scope=Scope.COORDINATION), world["coordinator"])
    assert "note" not in coordinator.get(f"/fhir/Task/{task.pk}")


def test_a_patient_who_objects_within_the_team_disappears_for_the_team(world, enrolled, nurse):
    withdraw(enrolled.sharing_decisions.get(scope=Scope.TEAM), world["gp_user"], note="Souhait de la patiente")
    assert nurse.search("CarePlan", {"patient": INS})["total"] == 0
    assert reader(world["coordinator"]).search("CarePlan", {"patient": INS})["total"] == 1


def test_fhir_visibility_is_the_union_of_the_pages_visibility(world, enrolled):
    for who in ("coordinator", "nurse_user", "gp_user", "other_nurse_user", "coordinator_other", "regulator"):
        user = world[who]
        pages = {p.pk for cpts in (world["cmv"], world["paris13"]) for p in access.visible_to(user, cpts)}
        fhir = {p.pk: p.clinical for p in access.fhir_visible_to(user)}
        assert set(fhir) == pages, who
        assert all(clinical == access.sees_clinical(user, enrolled) for clinical in fhir.values()), who
    assert not access.fhir_visible_to(None).exists()


@pytest.mark.parametrize(
    ("resource_type", "params", "expected"),
    [
        ("CarePlan", {}, "Précisez le patient"),
        ("CarePlan", {"patient": ""}, "Précisez le patient"),
        ("CarePlan", {"name": "Moreau"}, "Paramètre de recherche non pris en charge pour CarePlan : « name »"),
        ("CareTeam", {"based-on": "CarePlan/1"}, "Paramètre de recherche non pris en charge pour CareTeam"),
        ("Task", {"status": "ready"}, "Précisez le patient"),
        ("CarePlan", {"patient": "Moreau"}, "Valeur invalide pour le paramètre « patient »"),
        ("CarePlan", {"patient": f"{systems.INS_NIR}|123"}, "INS invalide"),
        ("CarePlan", {"patient": "http://autre.fr/ins|123"}, "Système non pris en charge pour le paramètre"),
        ("CarePlan", {"patient": "Practitioner/8100"}, "attend un patient"),
        ("CarePlan", {"patient:exact": INS}, "modificateur « :exact »"),
        ("Task", {"based-on": "Patient/1"}, "attend une référence « CarePlan/<id> »"),
        ("Task", {"based-on": "CarePlan/abc"}, "Identifiant de CarePlan invalide"),
        ("Task", {"patient": INS, "status": "draft"}, "Valeurs acceptées : requested, ready"),
        ("CarePlan", {"patient": INS, "status": "brouillon"}, "Valeurs acceptées : active, completed, revoked"),
        ("CarePlan", {"patient": INS, "_count": "-1"}, "Un entier positif ou nul est attendu"),
        ("CarePlan", {"patient": "x" * 1001}, "Valeur trop longue"),
    ],
)
def test_bad_searches_are_refused_in_french(world, enrolled, nurse, resource_type, params, expected):
    outcome = nurse.get(f"/fhir/{resource_type}", params, status=400)
    assert expected in diagnostics(outcome)
    assert not fhir_reads().exists()


def test_reads_of_malformed_or_unknown_ids_are_404(nurse):
    for path in ("/fhir/CarePlan/abc", "/fhir/Task/99999999999999999999", "/fhir/CareTeam/0"):
        nurse.get(path, status=404)
    outcome = nurse.get("/fhir/CarePlan/1/_history", status=404)
    assert "Interaction non prise en charge" in diagnostics(outcome)


def test_the_capability_statement_declares_the_pathways(nurse):
    statement = Reader().get("/fhir/metadata")
    declared = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {p["name"] for p in declared["Task"]["searchParam"]} == {"patient", "based-on", "status"}
    assert declared["CarePlan"]["interaction"] == [{"code": "read"}, {"code": "search-type"}]
