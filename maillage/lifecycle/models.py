"""One lifecycle per CPTS (its phase), the log of its moves, its dated milestones and their documents."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core import versioning
from maillage.core.models import TransitionLog
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.phases import Phase


class Lifecycle(models.Model):
    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="lifecycle")
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, default=Phase.IDEATION)
    phase_changed_at = models.DateTimeField("phase changée le", default=timezone.now)

    class Meta:
        verbose_name = "étapes de la CPTS"
        verbose_name_plural = "étapes des CPTS"

    def __str__(self):
        return f"{self.cpts} — {self.get_phase_display()}"


class PhaseTransition(TransitionLog):
    lifecycle = models.ForeignKey(Lifecycle, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=Phase.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=Phase.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement de phase"
        verbose_name_plural = "changements de phase"


class Milestone(models.Model):
    """A step of the lifecycle, dated when it happened (a dated milestone is a done one)."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField("jalon", max_length=30, choices=Kind.choices)
    date = models.DateField("date", null=True, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("précision", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = versioning.version_field()

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "jalons"
        constraints = [
            models.UniqueConstraint(fields=["cpts", "kind"], name="lifecycle_one_milestone_per_kind"),
            models.CheckConstraint(
                name="lifecycle_amount_not_negative", condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.cpts}"


def _document_path(document, filename):
    # A random name on disk: the coordinator's file name is kept in the row, never trusted as a path.
    return f"lifecycle/{document.cpts_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Document(models.Model):
    """A file attached to a milestone, stored under MEDIA_ROOT and served only by a scoped view."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="lifecycle_documents")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField("fichier", upload_to=_document_path, max_length=200)
    name = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "document"
        verbose_name_plural = "documents"

    def __str__(self):
        return self.name


class ArsDecision(models.Model):
    """The ARS's answer to one filed version of the projet de santé, recorded by the ARS itself (a
    regional viewer or regional admin of the CPTS's région): validated, or an objection with its
    reasons. Absent an answer within two months of filing, the projet is deemed validated (article
    L1434-12 CSP): that is computed (maillage/lifecycle/timeline.py), never recorded here."""

    class Outcome(models.TextChoices):
        VALIDATED = "validated", "projet validé"
        OBJECTION = "objection", "objection"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="ars_decisions")
    projet = models.ForeignKey("projet.ProjetSante", on_delete=models.CASCADE, related_name="ars_decisions")
    submitted_on = models.DateField("déposé le")
    outcome = models.CharField("décision", max_length=10, choices=Outcome.choices)
    decided_on = models.DateField("date de la décision")
    reasons = models.TextField("motifs de l'objection", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = "décision de l'ARS"
        verbose_name_plural = "décisions de l'ARS"
        constraints = [
            models.CheckConstraint(
                name="lifecycle_objection_has_reasons",
                condition=~models.Q(outcome="objection") | ~models.Q(reasons=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.cpts} (version {self.projet.version})"
