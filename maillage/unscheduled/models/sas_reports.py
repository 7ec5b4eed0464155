"""What Maillage tells the SAS about a booking made for one of its regulators (issue 18, the
guide's « gestion de rendez-vous » flow INT_R03): one row per message, create then cancel, sent by
the worker (maillage/unscheduled/sas_feedback.py) and shown on the desk."""

from django.db import models
from django.utils import timezone


class SasReportKind(models.TextChoices):
    CREATE = "create", "création du rendez-vous"
    CANCEL = "cancel", "annulation du rendez-vous"
    # Honoured or not, as the professional said (the status is read when it is sent: the last said).
    OUTCOME = "outcome", "issue du rendez-vous"


class SasReportStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    SENT = "sent", "transmis"
    FAILED = "failed", "en échec"


class SasReport(models.Model):
    booking = models.ForeignKey("unscheduled.Booking", on_delete=models.CASCADE, related_name="sas_reports")
    kind = models.CharField("message", max_length=10, choices=SasReportKind.choices)
    status = models.CharField("état", max_length=10, choices=SasReportStatus.choices, default=SasReportStatus.PENDING)
    # Appointment.identifier: chosen once for the booking (the create's), copied by the cancel, which
    # the SAS finds by it (conditional update). The system is kept too: a later change of setting
    # must not orphan the appointments already sent.
    appointment_system = models.CharField(max_length=255)
    appointment_value = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    # Why it is not sent yet, or why it failed: never a patient's data (the resource carries none).
    last_error = models.CharField("dernière erreur", max_length=255, blank=True)
    next_attempt_at = models.DateTimeField("prochain essai", null=True, blank=True)
    sent_at = models.DateTimeField("transmis le", null=True, blank=True)
    remote_location = models.CharField("adresse au SAS", max_length=500, blank=True)
    remote_id = models.CharField("identifiant au SAS", max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "transmission au SAS"
        verbose_name_plural = "transmissions au SAS"
        constraints = [models.UniqueConstraint(fields=["booking", "kind"], name="one_sas_report_per_booking_kind")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"Transmission au SAS {self.pk} ({self.get_kind_display()})"
