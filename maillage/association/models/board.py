"""Issue 16 — the board and the time paid (items 4 and 6).

A `Mandate` is a member's seat on the conseil d'administration or the bureau, with its role and
its term; rows are never deleted (the history of the board), a mandate cut short keeps its row
with `ended_early`. Who sits on the board on a date is maillage/association/board.py's
`board_members`.

`HourlyRate` is the CPTS's rate for an activity from a date (a new rate is a new row: past time
keeps the rate of its day); a `TimeEntry` is time a member spent for the CPTS, with the rate and
the amount fixed when it was recorded, so a statement never changes after the fact."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from maillage.core import versioning

MAX_MINUTES = 24 * 60


class Body(models.TextChoices):
    BOARD = "ca", "conseil d'administration"
    BUREAU = "bureau", "bureau"


class BoardRole(models.TextChoices):
    PRESIDENT = "president", "président"
    VICE_PRESIDENT = "vice_president", "vice-président"
    TREASURER = "tresorier", "trésorier"
    DEPUTY_TREASURER = "tresorier_adjoint", "trésorier adjoint"
    SECRETARY = "secretaire", "secrétaire"
    DEPUTY_SECRETARY = "secretaire_adjoint", "secrétaire adjoint"
    DIRECTOR = "administrateur", "administrateur"


class Mandate(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="mandates")
    member = models.ForeignKey("association.Member", on_delete=models.PROTECT, related_name="mandates")
    body = models.CharField("instance", max_length=10, choices=Body.choices)
    role = models.CharField("fonction", max_length=20, choices=BoardRole.choices)
    start_on = models.DateField("début du mandat")
    end_on = models.DateField("fin du mandat")
    # Cut short (resignation, end of membership): `end_on` was moved to the day it ended.
    ended_early = models.BooleanField("terminé avant son terme", default=False)
    end_note = models.CharField("motif de la fin", max_length=255, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = versioning.version_field()

    class Meta:
        ordering = ["-end_on", "start_on", "id"]
        verbose_name = "mandat"
        verbose_name_plural = "mandats"
        indexes = [models.Index(fields=["cpts", "start_on", "end_on"])]
        constraints = [
            models.CheckConstraint(name="mandate_ends_after_start", condition=Q(end_on__gte=F("start_on"))),
        ]

    def __str__(self):
        return f"{self.get_role_display()} ({self.get_body_display()})"

    def holds_on(self, day) -> bool:
        return self.start_on <= day <= self.end_on


class TimeActivity(models.TextChoices):
    RCP = "rcp", "réunion de concertation pluriprofessionnelle (RCP)"
    WORKING_GROUP = "groupe_travail", "groupe de travail"
    BOARD = "conseil", "conseil d'administration"
    BUREAU = "bureau", "réunion de bureau"
    ASSEMBLY = "assemblee", "assemblée générale"
    TRAINING = "formation", "formation"
    PROJECT = "projet", "projet de santé et fiches-actions"
    OTHER = "autre", "autre mission pour la CPTS"


class HourlyRate(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="hourly_rates")
    activity = models.CharField("activité", max_length=20, choices=TimeActivity.choices)
    amount_cents = models.PositiveIntegerField("tarif horaire (centimes)")
    since = models.DateField("applicable à partir du")
    created_at = models.DateTimeField("fixé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity", "-since"]
        verbose_name = "tarif horaire"
        verbose_name_plural = "tarifs horaires"
        constraints = [
            models.UniqueConstraint(fields=["cpts", "activity", "since"], name="unique_hourly_rate"),
        ]

    def __str__(self):
        return f"{self.get_activity_display()} depuis le {self.since:%d/%m/%Y}"


class TimeEntry(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="time_entries")
    member = models.ForeignKey("association.Member", on_delete=models.PROTECT, related_name="time_entries")
    activity = models.CharField("activité", max_length=20, choices=TimeActivity.choices)
    on = models.DateField("date")
    minutes = models.PositiveIntegerField("durée (minutes)")
    note = models.CharField("note", max_length=300, blank=True)
    # Where the entry was taken from, when imported (« rcp:<participant id> » for an RCP's
    # participation): an import run twice adds nothing.
    source = models.CharField("origine", max_length=40, blank=True, editable=False)
    rate_cents = models.PositiveIntegerField("tarif horaire appliqué (centimes)")
    amount_cents = models.PositiveIntegerField("montant (centimes)")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name = "temps rétribué"
        verbose_name_plural = "temps rétribués"
        indexes = [models.Index(fields=["cpts", "member", "on"])]
        constraints = [
            models.CheckConstraint(
                name="time_entry_within_a_day", condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES)
            ),
            models.UniqueConstraint(fields=["cpts", "source"], condition=~Q(source=""), name="unique_time_source"),
        ]

    def __str__(self):
        return f"{self.get_activity_display()} le {self.on:%d/%m/%Y}"
