"""The tasks of a pathway: generated from the template's steps at enrolment, or added by hand."""

from django.conf import settings
from django.db import models

from maillage.core import versioning
from maillage.core.models import TransitionLog
from maillage.pathways.states import OPEN_TASKS, TaskStatus


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=sorted(OPEN_TASKS))


class Task(models.Model):
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(
        "pathways.TemplateStep",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name="étape du modèle",
    )
    title = models.CharField("tâche", max_length=200)
    due_on = models.DateField("échéance")
    # Empty: « à affecter ».
    assignee = models.ForeignKey(
        "pathways.CareTeamMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name="confiée à",
    )
    status = models.CharField("état", max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO)
    note = models.CharField("note", max_length=500, blank=True)
    done_on = models.DateField("faite le", null=True, blank=True)
    # The due date plus the step's tolerance (`overdue_after_days`): an open task still open after
    # it raises a rupture alert. Kept on the row so that the scheduled detection is one indexed read.
    alert_on = models.DateField("alerte de retard à partir du")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TaskQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "tâche d'un parcours"
        verbose_name_plural = "tâches des parcours"
        indexes = [
            models.Index(fields=["pathway", "status"]),
            models.Index(fields=["status", "alert_on"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASKS


class TaskTransition(TransitionLog):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=TaskStatus.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=TaskStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une tâche"
        verbose_name_plural = "changements d'état des tâches"
