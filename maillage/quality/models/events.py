"""Retours d'expérience: adverse events associated with care (événements indésirables associés aux
soins, EIAS) declared by the CPTS's members at the territory level — never a patient's identity —,
analysed in a group session, and the actions decided and followed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.quality.states import EventCategory, EventSeverity, EventStatus


class AdverseEvent(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="quality_events")
    occurred_on = models.DateField("date de l'événement")
    category = models.CharField("nature", max_length=20, choices=EventCategory.choices)
    severity = models.CharField("conséquences", max_length=10, choices=EventSeverity.choices)
    description = models.TextField("ce qui s'est passé")
    declared_at = models.DateTimeField("déclaré le", default=timezone.now)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("état", max_length=10, choices=EventStatus.choices, default=EventStatus.DECLARED)
    session = models.ForeignKey(
        "quality.GroupSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    analysis = models.TextField("analyse (causes, enseignements)", blank=True)
    analysed_on = models.DateField("analysé le", null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = "événement indésirable associé aux soins"
        verbose_name_plural = "événements indésirables associés aux soins"
        indexes = [models.Index(fields=["cpts", "declared_at"]), models.Index(fields=["cpts", "analysed_on"])]

    def __str__(self):
        return f"EIAS n° {self.pk} ({self.get_category_display()})"


class EventAction(models.Model):
    event = models.ForeignKey(AdverseEvent, on_delete=models.CASCADE, related_name="actions")
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="+")
    title = models.CharField("action", max_length=200)
    owner = models.CharField("responsable", max_length=200)
    due_on = models.DateField("échéance")
    done_on = models.DateField("faite le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        indexes = [models.Index(fields=["cpts", "done_on"])]
        verbose_name = "action d'amélioration"
        verbose_name_plural = "actions d'amélioration"

    def __str__(self):
        return self.title
