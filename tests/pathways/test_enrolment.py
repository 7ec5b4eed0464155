"""Enrolment: identity, referrer, team, information, tasks from the steps — or nothing at all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.enrolment import Enrolment, Referrer, enrol, move_pathway
from maillage.pathways.models import CareTeamMember, Pathway, PatientInformation, SharingDecision, Task
from maillage.pathways.states import CareRole, Decision, PathwayStatus, Scope
from tests.factories import PathwayTemplateFactory, StructureFactory
from tests.pathways.conftest import VALID_NIR, information, patient


def _counts():
    return tuple(
        model.objects.count()
        for model in (Pathway, CareTeamMember, PatientInformation, SharingDecision, Task, AuditEntry)
    )


def _enrolment(world, **changes):
    today = timezone.localdate()
    values = {
        "template": world["discharge"], "patient": patient(world["malakoff"]), "start_date": today,
        "discharge_date": today, "information": information(),
        "team": [(world["gp"], CareRole.GP), (world["nurse"], CareRole.NURSE)],
    }  # fmt: skip
    return Enrolment(**{**values, **changes})


def test_enrolment_creates_the_team_the_information_and_the_tasks_with_their_due_dates(world, enrolled):
    today = timezone.localdate()
    discharge = today - timedelta(days=1)
    assert enrolled.status == PathwayStatus.ACTIVE and enrolled.ins == VALID_NIR and not enrolled.outside_territory
    assert enrolled.transitions.get().target == PathwayStatus.ACTIVE
    assert {m.role for m in enrolled.team.all()} == {CareRole.GP, CareRole.NURSE, CareRole.DAC}
    tasks = {task.title: task for task in enrolled.tasks.all()}
    nurse_visit = tasks["Visite infirmière à domicile"]
    assert nurse_visit.due_on == discharge + timedelta(days=1)
    assert nurse_visit.assignee.professional == world["nurse"]
    assert tasks["Consultation du médecin traitant"].assignee.professional == world["gp"]
    assert tasks["Consultation du médecin traitant"].due_on == discharge + timedelta(days=7)
    # Nobody on the team for these: « à affecter ».
    assert tasks["Conciliation médicamenteuse"].assignee is None
    assert tasks["Évaluation sociale du retour à domicile"].assignee is None
    decision = enrolled.sharing_decisions.get()
    assert (decision.scope, decision.decision) == (Scope.TEAM, Decision.NON_OPPOSITION)
    assert decision.information.text_version == "2026-12-v1"
    entry = AuditEntry.objects.get(action="pathways.pathway.enrolled")
    assert entry.health_data and entry.details["tâches"] == 5 and entry.details["à_affecter"] == 3


def test_a_patient_from_outside_the_territory_is_enrolled_and_the_log_says_so(world):
    pathway = enrol(world["cmv"], _enrolment(world, patient=patient(world["communes"]["92040"])), world["coordinator"])
    assert pathway.outside_territory
    assert AuditEntry.objects.get(action="pathways.pathway.enrolled").details["hors_territoire"] is True


def test_a_member_professional_refers_a_patient_from_a_hospital(world):
    hospital = StructureFactory(short_name="HOPITAL BECLERE")
    enrolment = _enrolment(world, referrer=Referrer(kind="hospital", structure=hospital, service="Gériatrie"))
    pathway = enrol(world["cmv"], enrolment, world["gp_user"])
    assert pathway.referrer_structure == hospital and pathway.referrer_service == "Gériatrie"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ins": VALID_NIR[:13] + "00"}, "L'INS \\(NIR\\) saisi n'est pas valide"),
        ({"ins": "12345"}, "L'INS \\(NIR\\) saisi n'est pas valide"),
        ({"last_name": " "}, "Indiquez le nom et le prénom du patient."),
        ({"sex": "X"}, "Indiquez le sexe du patient."),
        ({"birth_date": timezone.localdate() + timedelta(days=3)}, "ne peut pas être dans le futur"),
    ],
)
def test_a_bad_identity_is_refused_in_french_and_nothing_is_saved(world, changes, message):
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        enrol(world["cmv"], _enrolment(world, patient=patient(world["malakoff"], **changes)), world["coordinator"])
    assert _counts() == before


def test_without_the_patients_non_objection_within_the_team_nobody_is_enrolled(world):
    before = _counts()
    objecting = information(**{Scope.TEAM: Decision.OPPOSITION})
    with pytest.raises(PathwayError, match="ne pas s'opposer à l'échange de ses informations"):
        enrol(world["cmv"], _enrolment(world, information=objecting), world["coordinator"])
    not_asked = information(**{Scope.COORDINATION: Decision.CONSENT})
    with pytest.raises(PathwayError, match="L1110-4"):
        enrol(world["cmv"], _enrolment(world, information=not_asked), world["coordinator"])
    wrong_word = information(**{Scope.TEAM: Decision.NON_OPPOSITION, Scope.OUTSIDE: Decision.NON_OPPOSITION})
    with pytest.raises(PathwayError, match="la décision est « consentement » ou « refus »"):
        enrol(world["cmv"], _enrolment(world, information=wrong_word), world["coordinator"])
    assert _counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"discharge_date": None}, "indiquez la date de sortie"),
        ({"team": [("outsider", CareRole.NURSE)]}, "n'est pas dans l'annuaire de la CPTS"),
        ({"team": [("nurse", CareRole.NURSE), ("nurse", CareRole.OTHER)]}, "figure deux fois"),
        ({"team": [("dac", CareRole.GP)]}, "Un partenaire ne peut pas être « médecin traitant »"),
        ({"referrer": Referrer(kind="professional")}, "Indiquez le professionnel qui oriente le patient."),
    ],
)
def test_a_bad_enrolment_is_refused_in_french_and_nothing_is_saved(world, changes, message):
    if "team" in changes:
        changes["team"] = [(world[name], role) for name, role in changes["team"]]
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        enrol(world["cmv"], _enrolment(world, **changes), world["coordinator"])
    assert _counts() == before


def test_a_hospital_referent_may_work_outside_the_territory(world):
    team = [(world["outsider"], CareRole.HOSPITAL_REFERENT)]
    pathway = enrol(world["cmv"], _enrolment(world, team=team), world["coordinator"])
    assert pathway.team.get().professional == world["outsider"]


def test_only_a_usable_template_and_only_the_cpts_people_enrol(world):
    other = PathwayTemplateFactory(cpts=world["paris13"])
    draft = PathwayTemplateFactory(cpts=world["cmv"], status="draft")
    for template in (other, draft):
        with pytest.raises(PathwayError, match="n'est pas publié pour votre CPTS"):
            enrol(world["cmv"], _enrolment(world, template=template), world["coordinator"])
    for who in ("regulator", "regional", "coordinator_other", "no_role"):
        with pytest.raises(PathwayError, match="Vous ne pouvez pas inscrire"):
            enrol(world["cmv"], _enrolment(world), world[who])
    assert not Pathway.objects.exists()


def test_a_pathway_is_closed_and_reopened_with_its_log(world, enrolled):
    move_pathway(enrolled, PathwayStatus.CLOSED, world["coordinator"], note="Objectifs atteints")
    with pytest.raises(PathwayError, match="« clos » : il ne peut pas passer"):
        move_pathway(enrolled, PathwayStatus.TRANSFERRED, world["coordinator"])
    move_pathway(enrolled, PathwayStatus.ACTIVE, world["nurse_user"])
    assert [t.target for t in enrolled.transitions.all()] == ["active", "closed", "active"]
    assert AuditEntry.objects.filter(action="pathways.pathway.transition", health_data=True).count() == 2
