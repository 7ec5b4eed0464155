"""Groupes d'analyse de pratiques (GAP, GEP, groupes de pairs): the group, its members (professionals
of the CPTS's directory), its sessions and who attended each, with the time spent (payable)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from maillage.quality.states import GroupKind


class PeerGroup(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="quality_groups")
    kind = models.CharField("type de groupe", max_length=10, choices=GroupKind.choices, default=GroupKind.GAP)
    name = models.CharField("nom", max_length=200)
    # The projet de santé's fiche-action it serves (mission « qualité », same CPTS: checked by the actions).
    fiche = models.ForeignKey(
        "projet.FicheAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="quality_groups"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "groupe de pairs"
        verbose_name_plural = "groupes de pairs"
        constraints = [models.UniqueConstraint(fields=["cpts", "name"], name="quality_one_group_name_per_cpts")]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="members")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField("membre depuis", default=timezone.localdate)
    left_on = models.DateField("a quitté le groupe le", null=True, blank=True)

    class Meta:
        ordering = ["professional__last_name", "professional__first_name", "id"]
        verbose_name = "membre d'un groupe"
        verbose_name_plural = "membres des groupes"
        constraints = [
            models.UniqueConstraint(fields=["group", "professional"], name="quality_one_membership_per_group")
        ]

    def __str__(self):
        return str(self.professional)


HOURS = {
    "max_digits": 4,
    "decimal_places": 1,
    "validators": [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
}


class GroupSession(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="sessions")
    cpts = models.ForeignKey(
        "territory.Cpts", on_delete=models.CASCADE, related_name="+"
    )  # the group's, for indicators
    held_on = models.DateField("date de la séance")
    theme = models.CharField("thème", max_length=200)
    # Cases as the group discussed them: never a patient's identity (refused by the actions).
    cases = models.TextField("cas discutés", blank=True)
    hours = models.DecimalField("durée (heures)", **HOURS)
    conclusions = models.TextField("conclusions", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("saisie le", default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "séance"
        verbose_name_plural = "séances"
        indexes = [models.Index(fields=["cpts", "held_on"])]

    def __str__(self):
        return f"{self.theme} ({self.held_on:%d/%m/%Y})"


class SessionAttendance(models.Model):
    """A professional at a session and the time they spent there (what a payment of the time reads)."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendances")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField("heures", **HOURS)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = "présence à une séance"
        verbose_name_plural = "présences aux séances"
        constraints = [
            models.UniqueConstraint(fields=["session", "professional"], name="quality_one_attendance_per_session")
        ]

    def __str__(self):
        return f"{self.professional} — {self.session}"
