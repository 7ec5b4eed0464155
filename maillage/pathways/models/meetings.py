"""Réunions de concertation pluriprofessionnelle (RCP, issue 15 item 6): a meeting of a CPTS about
one or several patients (their pathways), its participants with the time each spent (some CPTS pay
professionals for it), and per patient the questions asked, the decisions taken and the next steps,
which are the pathway's tasks (`MeetingNextStep` links them).

Planned → held, or cancelled (`MEETING_TRANSITIONS`), each move logged (`MeetingTransition`).
Who sees a meeting, and which of its patients, is maillage/pathways/access.py's decision.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.core.models import TransitionLog

MAX_MINUTES = 600  # ten hours: beyond it, a typing error


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "programmée"
    HELD = "held", "tenue"
    CANCELLED = "cancelled", "annulée"


MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
    # Cancelled by mistake: programmed again.
    MeetingStatus.CANCELLED: frozenset({MeetingStatus.PLANNED}),
    MeetingStatus.HELD: frozenset(),
}


def meeting_allowed(source: str, target: str) -> bool:
    return target in MEETING_TRANSITIONS.get(source, frozenset())


class Meeting(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("date et heure")
    remote = models.BooleanField("en visioconférence", default=False)
    place = models.CharField("lieu", max_length=200, blank=True)
    status = models.CharField("état", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    status_changed_at = models.DateTimeField("état changé le", auto_now_add=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    version = versioning.version_field()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "réunion de concertation pluriprofessionnelle"
        verbose_name_plural = "réunions de concertation pluriprofessionnelle"
        indexes = [models.Index(fields=["cpts", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(name="meeting_has_a_place", condition=Q(remote=True) | ~Q(place="")),
        ]

    def __str__(self):
        return f"RCP n° {self.pk}"

    @property
    def reference(self) -> str:
        return f"RCP-{self.pk:06d}"

    @property
    def where(self) -> str:
        if self.remote and self.place:
            return f"{self.place} et en visioconférence"
        return "en visioconférence" if self.remote else self.place


class MeetingPatient(models.Model):
    """One patient discussed: the questions put to the meeting and the decisions it took (clinical
    content: shown to the coordination only with the patient's consent)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="patients")
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="meeting_entries")
    questions = models.TextField("questions posées", blank=True)
    decisions = models.TextField("décisions", blank=True)
    decided_at = models.DateTimeField("décisions enregistrées le", null=True, blank=True)

    version = versioning.version_field()  # two team members writing at once: the second is told

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = "patient discuté en RCP"
        verbose_name_plural = "patients discutés en RCP"
        constraints = [models.UniqueConstraint(fields=["meeting", "pathway"], name="one_entry_per_patient")]

    def __str__(self):
        return f"{self.pathway} en {self.meeting}"


class MeetingParticipant(models.Model):
    """A participant: a professional or partner of one of the patients' care teams, or one of the
    CPTS's coordinators (`user`). `minutes` is the time spent, recorded once the meeting is held."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    professional = models.ForeignKey(
        "directory.Professional", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey("directory.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept in clear: the minutes and the payment export still name who took part after a change.
    name = models.CharField("participant", max_length=255)
    function = models.CharField("fonction", max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(
        "temps passé (minutes)", null=True, blank=True, validators=[MaxValueValidator(MAX_MINUTES)]
    )

    class Meta:
        ordering = ["meeting", "name", "id"]
        verbose_name = "participant à une RCP"
        verbose_name_plural = "participants aux RCP"
        constraints = [
            models.CheckConstraint(
                name="participant_is_one_person",
                condition=Q(professional__isnull=False, partner__isnull=True, user__isnull=True)
                | Q(professional__isnull=True, partner__isnull=False, user__isnull=True)
                | Q(professional__isnull=True, partner__isnull=True),
            ),
            models.CheckConstraint(
                name="participant_minutes_in_range",
                condition=Q(minutes__isnull=True) | Q(minutes__gte=0, minutes__lte=MAX_MINUTES),
            ),
            models.UniqueConstraint(
                fields=["meeting", "professional"],
                condition=Q(professional__isnull=False),
                name="one_professional_seat",
            ),
            models.UniqueConstraint(
                fields=["meeting", "partner"], condition=Q(partner__isnull=False), name="one_partner_seat"
            ),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False), name="one_user_seat"),
        ]

    def __str__(self):
        return self.name

    @property
    def key(self) -> str:
        """The value forms use: « p<id> », « a<id> » or « u<id> »."""
        if self.professional_id:
            return f"p{self.professional_id}"
        if self.partner_id:
            return f"a{self.partner_id}"
        return f"u{self.user_id}"


class MeetingNextStep(models.Model):
    """A next step decided for a patient: the task it became on their pathway."""

    entry = models.ForeignKey(MeetingPatient, on_delete=models.CASCADE, related_name="next_steps")
    task = models.OneToOneField("pathways.Task", on_delete=models.CASCADE, related_name="meeting_step")

    class Meta:
        ordering = ["entry", "id"]
        verbose_name = "suite décidée en RCP"
        verbose_name_plural = "suites décidées en RCP"

    def __str__(self):
        return str(self.task)


class MeetingTransition(TransitionLog):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=MeetingStatus.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=MeetingStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une RCP"
        verbose_name_plural = "changements d'état des RCP"
