"""A patient's unscheduled-care request taken by the desk, and the booking of a slot for it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.unscheduled.enums import ACTIVE_BOOKING, BookingStatus, Origin, RequestStatus, UnmetReason, Urgency


class CareRequestQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)


class CareRequest(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="care_requests")
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("motif", max_length=255)
    urgency = models.CharField("urgence (non vitale)", max_length=10, choices=Urgency.choices, default=Urgency.DAY)
    cannot_travel = models.BooleanField("ne peut pas se déplacer", default=False)
    profession_code = models.CharField("profession recherchée", max_length=5, default="10")
    status = models.CharField("état", max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    unmet_reason = models.CharField("motif sans solution", max_length=10, choices=UnmetReason.choices, blank=True)
    notes = models.TextField("notes", blank=True)
    origin = models.CharField("origine", max_length=5, choices=Origin.choices, default=Origin.DESK)
    received_at = models.DateTimeField("reçue le", default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = CareRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "demande de soins non programmés"
        verbose_name_plural = "demandes de soins non programmés"
        indexes = [models.Index(fields=["cpts", "received_at"])]

    def __str__(self):
        return f"Demande SNP n° {self.pk}"

    @property
    def reference(self) -> str:
        return f"SNP-{self.pk:06d}"


class Booking(models.Model):
    slot = models.ForeignKey("unscheduled.Slot", on_delete=models.PROTECT, related_name="bookings")
    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField("état", max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "réservation"
        verbose_name_plural = "réservations"
        constraints = [
            # Whatever the race, a slot carries one live booking at most (the conditional UPDATE of
            # the slot decides first; this is the database's own guarantee behind it).
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=[s.value for s in ACTIVE_BOOKING]), name="one_booking_per_slot"
            ),
        ]

    def __str__(self):
        return f"Réservation {self.pk}"
