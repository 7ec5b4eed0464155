"""A health crisis on a CPTS's territory (issue 17, item 4 « Activation »). It is the one source of
truth for the ACI: the crisis mission's variable part of a year is due when a crisis of that year is
recognised by the ARS (`recognised_on`), whether the ARS declared it or recognised one the CPTS
declared. The centres, the stock ledger, the case map, the home follow-up and the RETEX hang on it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from maillage.core import versioning
from maillage.core.models import TransitionLog


class CrisisKind(models.TextChoices):
    EPIDEMIC = "epidemic", "épidémie"
    HEATWAVE = "heatwave", "canicule"
    FLOOD = "flood", "inondation"
    INDUSTRIAL = "industrial", "accident industriel"
    CYBER = "cyber", "cyber-attaque"
    SHORTAGE = "shortage", "pénurie"
    OTHER = "other", "autre"


class DeclaredBy(models.TextChoices):
    ARS = "ars", "l'ARS"
    CPTS = "cpts", "la CPTS"


class Crisis(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "en cours"
        CLOSED = "closed", "terminée"
        CANCELLED = "cancelled", "annulée"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="crises")
    kind = models.CharField("nature", max_length=20, choices=CrisisKind.choices)
    title = models.CharField("intitulé", max_length=200)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)
    declared_by = models.CharField("déclarée par", max_length=10, choices=DeclaredBy.choices)
    declared_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the ARS declares the crisis, or recognises one the CPTS declared: the ACI's
    # « crise reconnue » of the year of this date (funding reads it, never a copy).
    recognised_on = models.DateField("reconnue par l'ARS le", null=True, blank=True)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)
    version = versioning.version_field()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "crise sanitaire"
        verbose_name_plural = "crises sanitaires"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="crisis_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["cpts", "starts_on"])]

    def __str__(self):
        return self.title


class CrisisTransition(TransitionLog):
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=Crisis.Status.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=Crisis.Status.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une crise"
        verbose_name_plural = "changements d'état des crises"
