"""Rupture alerts (ruptures de parcours): raised and resolved by the scheduled detection
(`pathways.ruptures`), except the re-hospitalisation, raised by its declaration and resolved by a
person. Each open alert is unique for what it is about, so the detection can run any number of
times."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AlertKind(models.TextChoices):
    OVERDUE = "overdue", "tâche en retard"
    UNASSIGNED = "unassigned", "étape sans professionnel"
    NO_CONTACT = "no_contact", "pas de contact avec le patient"
    REHOSPITALISED = "rehospitalised", "réhospitalisation"


class RuptureAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class RuptureAlert(models.Model):
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField("alerte", max_length=20, choices=AlertKind.choices)
    task = models.ForeignKey(
        "pathways.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts", verbose_name="tâche"
    )
    raised_at = models.DateTimeField("levée le")
    notified_at = models.DateTimeField("signalée le", null=True, blank=True)
    resolved_at = models.DateTimeField("résolue le", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RuptureAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "alerte de rupture de parcours"
        verbose_name_plural = "alertes de rupture de parcours"
        indexes = [models.Index(fields=["resolved_at", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind"], condition=Q(resolved_at__isnull=True, task__isnull=False),
                name="one_open_alert_per_task",
            ),
            models.UniqueConstraint(
                fields=["pathway", "kind"], condition=Q(resolved_at__isnull=True, task__isnull=True),
                name="one_open_alert_per_pathway",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} — {self.pathway}"
