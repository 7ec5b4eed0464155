"""Tasks: added by hand, assigned to a member of the pathway's active team, moved through their
states (`states.TASK_TRANSITIONS`), each move logged."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.models import log_transition
from maillage.pathways import access
from maillage.pathways.actions import require
from maillage.pathways.models import CareTeamMember, Pathway, Task, TaskTransition
from maillage.pathways.states import PathwayStatus, TaskStatus, task_allowed

NOTE_MAX = 500
# A task added by hand is overdue (a rupture alert) this many days after its due date.
DEFAULT_OVERDUE_DAYS = 3


def _check_assignee(pathway, assignee) -> None:
    if assignee is None:
        return
    require(
        isinstance(assignee, CareTeamMember)
        and assignee.pathway_id == pathway.pk
        and CareTeamMember.objects.active().filter(pk=assignee.pk).exists(),
        "La personne choisie ne fait pas partie de l'équipe de soins de ce patient : ajoutez-la d'abord à "
        "l'équipe, ou laissez la tâche « à affecter ».",
    )


def _check_open(pathway) -> None:
    require(
        pathway.status == PathwayStatus.ACTIVE,
        f"Ce parcours est « {pathway.get_status_display()} » : ses tâches ne changent plus.",
    )


def add_task(pathway, actor, *, title: str, due_on: date, assignee=None, note: str = "") -> Task:
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    _check_open(pathway)
    title, note = (title or "").strip(), (note or "").strip()
    require(title, "Indiquez l'intitulé de la tâche.")
    require(len(title) <= 200, "L'intitulé de la tâche est trop long (200 caractères au plus).")
    require(len(note) <= NOTE_MAX, f"La note est trop longue ({NOTE_MAX} caractères au plus).")
    require(isinstance(due_on, date), "Indiquez l'échéance de la tâche.")
    require(MIN_YEAR <= due_on.year <= MAX_YEAR, f"L'échéance doit être entre {MIN_YEAR} et {MAX_YEAR}.")
    _check_assignee(pathway, assignee)
    with transaction.atomic():
        task = Task.objects.create(
            pathway=pathway, title=title, due_on=due_on, assignee=assignee, note=note,
            alert_on=due_on + timedelta(days=DEFAULT_OVERDUE_DAYS), created_by=audit.user_or_none(actor),
        )  # fmt: skip
        log_transition(TaskTransition, actor=actor, source="", target=TaskStatus.TODO, task=task)
        audit.record(
            "pathways.task.added", actor=actor, cpts=pathway.cpts, obj=task, health_data=True,
            details={"parcours": pathway.reference, "tâche": title, "confiée_à": assignee.name if assignee else ""},
        )  # fmt: skip
    return task


def assign_task(task: Task, assignee, actor, *, expected_version=None) -> Task:
    """Gives the task to a member of the active team (None: back to « à affecter »)."""
    pathway = task.pathway
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    _check_open(pathway)
    _check_assignee(pathway, assignee)
    with transaction.atomic():
        versioning.check_and_bump(task, expected_version)
        Task.objects.filter(pk=task.pk).update(assignee=assignee)
        task.assignee = assignee
        audit.record(
            "pathways.task.assigned", actor=actor, cpts=pathway.cpts, obj=task, health_data=True,
            details={"confiée_à": assignee.name if assignee else "à affecter"},
        )  # fmt: skip
    return task


def move_task(task: Task, target: str, actor, *, note: str | None = None, expected_version=None) -> Task:
    """À faire → en cours → fait (or annulé), with an optional short note. The UPDATE is
    conditional on the state read and on the version: two people acting at once cannot both move it."""
    pathway = task.pathway
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    _check_open(pathway)
    source = task.status
    require(
        target in TaskStatus.values and task_allowed(source, target),
        f"Cette tâche est « {task.get_status_display()} » : elle ne peut pas passer à cet état.",
    )
    if note is not None:
        note = note.strip()
        require(len(note) <= NOTE_MAX, f"La note est trop longue ({NOTE_MAX} caractères au plus).")
    with transaction.atomic():
        versioning.lock_and_check(task, expected_version)
        changes = {"status": target, "done_on": timezone.localdate() if target == TaskStatus.DONE else None}
        if note is not None:
            changes["note"] = note
        done = Task.objects.filter(pk=task.pk, status=source).update(version=F("version") + 1, **changes)
        require(done, "Cette tâche vient d'être modifiée par quelqu'un d'autre : rechargez la page.")
        for name, value in changes.items():
            setattr(task, name, value)
        task.version += 1
        if target == TaskStatus.DONE:
            # A task done is a contact with the patient: the « sans contact » delay starts again.
            contact_due = changes["done_on"] + timedelta(days=pathway.template.no_contact_days)
            Pathway.objects.filter(pk=pathway.pk, contact_due_on__lt=contact_due).update(contact_due_on=contact_due)
        log_transition(TaskTransition, actor=actor, source=source, target=target, task=task)
        audit.record(
            "pathways.task.transition", actor=actor, cpts=pathway.cpts, obj=task, health_data=True,
            details={"de": source, "vers": target},
        )  # fmt: skip
    return task
