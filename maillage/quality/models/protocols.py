"""Protocoles pluriprofessionnels: a library of versions. A version is written as a draft, validated
by the group (at least one validator named, a validation date, the next review date), put in use,
and retired — when a newer version goes in use, it supersedes the one in use. Its file is stored
under MEDIA_ROOT with a random name and served only by views that check who reads it."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import TransitionLog
from maillage.quality.states import ProtocolStatus


def _protocol_path(protocol, filename):
    # A random name on disk: the uploaded name is kept in the row, never trusted as a path.
    return f"quality/{protocol.cpts_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Protocol(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="quality_protocols")
    title = models.CharField("intitulé", max_length=200)
    summary = models.TextField("objet du protocole", blank=True)
    number = models.PositiveIntegerField("version", default=1)
    # The version this one replaces (its previous version); it is retired when this one goes in use.
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    status = models.CharField("état", max_length=10, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT)
    professions = models.JSONField("professions concernées", default=list, blank=True)
    authors = models.ManyToManyField("directory.Professional", blank=True, related_name="+", verbose_name="auteurs")
    validators = models.ManyToManyField(
        "directory.Professional", blank=True, related_name="+", verbose_name="validé par"
    )
    validating_group = models.ForeignKey(
        "quality.PeerGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="validated_protocols"
    )
    validated_on = models.DateField("validé le", null=True, blank=True)
    next_review_on = models.DateField("prochaine révision le", null=True, blank=True)
    # The review date a reminder was last sent for: one reminder per date (the periodic job).
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    fiche = models.ForeignKey(
        "projet.FicheAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="quality_protocols"
    )
    file = models.FileField("fichier", upload_to=_protocol_path, max_length=200, blank=True)
    file_name = models.CharField("nom du fichier", max_length=200, blank=True)
    file_size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["title", "-number", "id"]
        verbose_name = "protocole pluriprofessionnel"
        verbose_name_plural = "protocoles pluriprofessionnels"
        constraints = [
            models.CheckConstraint(
                condition=Q(validated_on__isnull=True)
                | Q(next_review_on__isnull=True)
                | Q(next_review_on__gt=models.F("validated_on")),
                name="quality_protocol_review_after_validation",
            ),
        ]
        indexes = [models.Index(fields=["cpts", "status"])]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    @property
    def status_label(self) -> str:
        return self.get_status_display()

    @property
    def profession_labels(self) -> list[str]:
        from maillage.quality.states import Profession

        labels = dict(Profession.choices)
        return [labels.get(code, code) for code in self.professions]


class ProtocolTransition(TransitionLog):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=10, choices=ProtocolStatus.choices, blank=True)
    target = models.CharField("vers", max_length=10, choices=ProtocolStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'un protocole"
        verbose_name_plural = "changements d'état des protocoles"


class ProtocolReview(models.Model):
    """A review of a protocol in use, due on `due_on`, done on `reviewed_on` (by the group, or by a
    new version superseding it): what « revus dans les délais » counts."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="reviews")
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField("révision prévue le")
    reviewed_on = models.DateField("revu le")
    next_review_on = models.DateField("révision suivante le", null=True, blank=True)
    note = models.CharField("conclusion", max_length=255, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = "révision d'un protocole"
        verbose_name_plural = "révisions des protocoles"
        indexes = [models.Index(fields=["cpts", "due_on"])]

    def __str__(self):
        return f"{self.protocol} revu le {self.reviewed_on:%d/%m/%Y}"
