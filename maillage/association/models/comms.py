"""Talking to members (issue 16, item 5): mailings (announcements and newsletters) with one delivery
row per recipient, the newsletter opt-outs, the CPTS's events with their registrations and the
members' private calendar addresses, and the document library (folders with who may read them).

A mailing's audience is computed when it is sent (the voting members of that moment), and kept as
its deliveries: who it went to, and how each sending went."""

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone


class Audience(models.TextChoices):
    ALL = "all", "tous les adhérents"
    COLLEGE = "college", "un collège"
    PROFESSION = "profession", "une profession"
    COMMUNE = "commune", "une commune"


class Mailing(models.Model):
    """An announcement or a newsletter, written by the coordination in plain text. A draft until it
    is sent; sent once (its deliveries then say to whom)."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "annonce"
        NEWSLETTER = "newsletter", "lettre d'information"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="association_mailings")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("texte")
    audience = models.CharField("destinataires", max_length=10, choices=Audience.choices, default=Audience.ALL)
    college = models.ForeignKey(
        "association.College", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    profession_code = models.CharField("profession", max_length=4, blank=True)
    commune = models.ForeignKey("territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.PositiveIntegerField("destinataires", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "message aux adhérents"
        verbose_name_plural = "messages aux adhérents"

    def __str__(self):
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_newsletter(self) -> bool:
        return self.kind == self.Kind.NEWSLETTER


class Delivery(models.Model):
    """One recipient of a sent mailing: the address used at sending time and how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", "en attente"
        SENT = "sent", "envoyé"
        FAILED = "failed", "échec"
        UNSUBSCRIBED = "unsubscribed", "désabonné avant l'envoi"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey("association.Member", on_delete=models.CASCADE, related_name="+")
    email = models.CharField("adresse", max_length=254)
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField("erreur", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        constraints = [models.UniqueConstraint(fields=["mailing", "member"], name="one_delivery_per_member")]
        indexes = [models.Index(fields=["mailing", "status"], name="delivery_mailing_status")]

    def __str__(self):
        return f"{self.mailing} → {self.email}"


class NewsletterOptOut(models.Model):
    """A member who asked for no more newsletters (statutory announcements still reach them)."""

    member = models.OneToOneField("association.Member", on_delete=models.CASCADE, related_name="newsletter_opt_out")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "désabonnement"
        verbose_name_plural = "désabonnements"

    def __str__(self):
        return f"{self.member} (désabonné)"


class Event(models.Model):
    """A date of the CPTS's calendar: an AG, a formation, a soirée thématique, a working group…"""

    class Kind(models.TextChoices):
        ASSEMBLY = "assembly", "assemblée générale"
        TRAINING = "training", "formation"
        EVENING = "evening", "soirée thématique"
        WORKING_GROUP = "working_group", "groupe de travail"
        BOARD = "board", "conseil d'administration"
        OTHER = "other", "autre"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="association_events")
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=200)
    description = models.TextField("présentation", blank=True)
    capacity = models.PositiveIntegerField("places", null=True, blank=True)  # None: no limit
    public = models.BooleanField("public", default=False)  # on the public page and feed
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "événement"
        verbose_name_plural = "événements"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey("association.Member", on_delete=models.CASCADE, related_name="event_registrations")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="one_registration_per_member")]

    def __str__(self):
        return f"{self.member} → {self.event}"


class CalendarToken(models.Model):
    """A member's private address of the CPTS's calendar (iCal). Calendar apps cannot log in: the
    random token is the credential, replaced or deleted on demand, which revokes the old address."""

    member = models.OneToOneField("association.Member", on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "agenda iCal d'adhérent"
        verbose_name_plural = "agendas iCal d'adhérents"

    def __str__(self):
        return f"Agenda de {self.member}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class Folder(models.Model):
    """A folder of the document library and who may read its documents."""

    class Access(models.TextChoices):
        PUBLIC = "public", "public (page publique de la CPTS)"
        MEMBERS = "members", "adhérents"
        BOARD = "board", "membres du conseil d'administration"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="association_folders")
    name = models.CharField("nom", max_length=120)
    access = models.CharField("lecture", max_length=8, choices=Access.choices, default=Access.MEMBERS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        constraints = [models.UniqueConstraint(fields=["cpts", "name"], name="one_folder_name_per_cpts")]

    def __str__(self):
        return self.name


def _library_path(document, filename):
    # A random name on disk: the uploaded name is kept in the row, never trusted as a path.
    return f"association/{document.cpts_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class LibraryDocument(models.Model):
    """A file of the library, stored under MEDIA_ROOT and served only by views that check its folder."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="association_documents")
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("titre", max_length=200)
    file = models.FileField("fichier", upload_to=_library_path, max_length=200)
    name = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "document de l'association"
        verbose_name_plural = "documents de l'association"

    def __str__(self):
        return self.title
