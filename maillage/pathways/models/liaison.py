"""The liaison log (journal de liaison) of a pathway: the care team's thread about the patient —
a call, a visit, a hospital letter received, a question to the team — each entry dated, short,
optionally with a file checked by its content and stored like the lifecycle documents (a random
name under MEDIA_ROOT, served only by a scoped, audited view). Entries are clinical content
(access.py `sees_clinical`). Who has read what is kept per person and pathway (`LiaisonRead`)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone


class LiaisonKind(models.TextChoices):
    CALL = "call", "appel téléphonique"
    VISIT = "visit", "visite"
    HOSPITAL_LETTER = "hospital_letter", "courrier d'hospitalisation reçu"
    QUESTION = "question", "question à l'équipe"
    OTHER = "other", "autre"


# An entry of these kinds is a contact with the patient: the « sans contact » delay starts again.
CONTACT_KINDS = frozenset({LiaisonKind.CALL, LiaisonKind.VISIT})


def _attachment_path(entry, filename):
    # A random name on disk, as for the lifecycle documents: the file's own name stays in the row.
    return f"pathways/{entry.pathway_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class LiaisonEntry(models.Model):
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="liaison_entries")
    kind = models.CharField("type", max_length=20, choices=LiaisonKind.choices)
    occurred_on = models.DateField("date de l'échange")
    text = models.TextField("message", max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept in clear: the log still names its author after an account is deleted.
    author_label = models.CharField("par", max_length=255)
    posted_at = models.DateTimeField("publié le", default=timezone.now)
    file = models.FileField("pièce jointe", upload_to=_attachment_path, max_length=200, blank=True)
    file_name = models.CharField("nom du fichier", max_length=200, blank=True)
    file_size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = "message du journal de liaison"
        verbose_name_plural = "messages des journaux de liaison"
        indexes = [models.Index(fields=["pathway", "posted_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.occurred_on:%d/%m/%Y}"

    @property
    def is_contact(self) -> bool:
        return self.kind in CONTACT_KINDS


class LiaisonRead(models.Model):
    """Up to when a person has read a pathway's liaison log: the entries posted after it by someone
    else are unread for them."""

    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="liaison_reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("lu jusqu'au")

    class Meta:
        verbose_name = "lecture d'un journal de liaison"
        verbose_name_plural = "lectures des journaux de liaison"
        constraints = [models.UniqueConstraint(fields=["pathway", "user"], name="one_liaison_read_per_person")]

    def __str__(self):
        return f"{self.user} — {self.pathway}"
