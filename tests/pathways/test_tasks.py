"""Tasks: added by hand, assigned within the active team, moved through their states with a log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.enrolment import Enrolment, enrol, move_pathway
from maillage.pathways.actions.tasks import add_task, assign_task, move_task
from maillage.pathways.actions.team import add_member, remove_member
from maillage.pathways.models import CareTeamMember, Task, TaskTransition
from maillage.pathways.states import CareRole, PathwayStatus, TaskStatus
from tests.pathways.conftest import information, patient

OUTSIDE_TEAM = "ne fait pas partie de l'équipe de soins de ce patient"


def _counts():
    return Task.objects.count(), TaskTransition.objects.count(), AuditEntry.objects.count()


def test_a_team_member_adds_a_task_for_a_colleague_of_the_team(world, enrolled):
    gp = enrolled.team.get(professional=world["gp"])
    due = timezone.localdate() + timedelta(days=2)
    task = add_task(enrolled, world["nurse_user"], title="Renouveler l'ordonnance", due_on=due, assignee=gp)
    assert task.status == TaskStatus.TODO and task.assignee == gp and task.transitions.get().target == "todo"
    assert AuditEntry.objects.get(action="pathways.task.added").health_data
    unassigned = add_task(enrolled, world["coordinator"], title="Portage de repas", due_on=due)
    assert unassigned.assignee is None  # « à affecter »


def test_a_task_assigned_outside_the_team_is_refused_and_nothing_is_saved(world, enrolled):
    due = timezone.localdate()
    other = enrol(
        world["cmv"],
        Enrolment(template=world["discharge"], patient=patient(world["malakoff"], last_name="Petit"),
                  start_date=due, discharge_date=due, information=information(),
                  team=[(world["other_nurse"], CareRole.NURSE)]),
        world["coordinator"],
    )  # fmt: skip
    someone_elses = other.team.get()
    left = add_member(enrolled, world["physio"], CareRole.PHYSIO, world["coordinator"])
    remove_member(left, world["coordinator"])
    task = enrolled.tasks.first()
    before = _counts()
    for assignee in (someone_elses, left):
        with pytest.raises(PathwayError, match=OUTSIDE_TEAM):
            add_task(enrolled, world["coordinator"], title="Visite", due_on=due, assignee=assignee)
        with pytest.raises(PathwayError, match=OUTSIDE_TEAM):
            assign_task(task, assignee, world["coordinator"])
    assert _counts() == before
    task.refresh_from_db()
    assert task.assignee != someone_elses


def test_a_professional_outside_the_cpts_directory_cannot_join_the_team(world, enrolled):
    before = CareTeamMember.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PathwayError, match="n'est pas dans l'annuaire de la CPTS"):
        add_member(enrolled, world["outsider"], CareRole.NURSE, world["coordinator"])
    with pytest.raises(PathwayError, match="fait déjà partie de l'équipe de soins"):
        add_member(enrolled, world["nurse"], CareRole.NURSE, world["coordinator"])
    assert (CareTeamMember.objects.count(), AuditEntry.objects.count()) == before


def test_leaving_the_team_sends_the_members_open_tasks_back_to_be_assigned(world, enrolled):
    nurse = enrolled.team.get(professional=world["nurse"])
    visit = enrolled.tasks.get(assignee=nurse)
    remove_member(nurse, world["coordinator"])
    visit.refresh_from_db()
    assert visit.assignee is None and visit.version == 1
    with pytest.raises(PathwayError, match="a déjà quitté l'équipe"):
        remove_member(nurse, world["coordinator"])
    assert AuditEntry.objects.get(action="pathways.team.removed").details["tâches_à_affecter"] == 1


def test_a_task_moves_through_its_states_with_a_log(world, enrolled):
    task = enrolled.tasks.get(title="Visite infirmière à domicile")
    move_task(task, TaskStatus.IN_PROGRESS, world["nurse_user"], expected_version=0)
    move_task(task, TaskStatus.DONE, world["nurse_user"], note="Patiente stable, ordonnance vérifiée.",
              expected_version=1)  # fmt: skip
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_on == timezone.localdate() and task.note.startswith("Patiente")
    assert [t.target for t in task.transitions.all()] == ["in_progress", "done"]
    before = _counts()
    with pytest.raises(PathwayError, match=r"« fait » : elle ne peut pas passer à cet état\."):
        move_task(task, TaskStatus.CANCELLED, world["nurse_user"])
    with pytest.raises(StaleEdit):
        move_task(task, TaskStatus.TODO, world["nurse_user"], expected_version=1)
    with pytest.raises(PathwayError, match=r"Vous ne pouvez pas modifier ce parcours\."):
        move_task(task, TaskStatus.TODO, world["other_nurse_user"])
    assert _counts() == before
    move_task(task, TaskStatus.TODO, world["coordinator"], expected_version=2)
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO and task.done_on is None


def test_a_closed_pathways_tasks_no_longer_change(world, enrolled):
    move_pathway(enrolled, PathwayStatus.CLOSED, world["coordinator"])
    task = enrolled.tasks.first()
    with pytest.raises(PathwayError, match="« clos » : ses tâches ne changent plus"):
        move_task(task, TaskStatus.DONE, world["coordinator"])
    with pytest.raises(PathwayError, match="« clos »"):
        add_task(enrolled, world["coordinator"], title="Appel", due_on=timezone.localdate())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Indiquez l'intitulé de la tâche."),
        ({"note": "x" * 501}, "La note est trop longue"),
        ({"due_on": None}, "Indiquez l'échéance de la tâche."),
    ],
)
def test_a_bad_task_is_refused(world, enrolled, changes, message):
    values = {"title": "Appel", "due_on": timezone.localdate(), **changes}
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        add_task(enrolled, world["coordinator"], **values)
    assert _counts() == before
