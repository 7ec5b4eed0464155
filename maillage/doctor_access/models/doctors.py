"""The doctors' side: what each GP offers, the proposals the matching makes them, the runs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core import versioning


def _month_start(now=None):
    return timezone.localtime(now or timezone.now()).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _taken(now=None) -> Q:
    """The proposals that hold one of an offer's places: pending ones (until answered), and the
    accepted ones of the period — this month for a monthly offer, ever for a total one. Written
    once, for a single offer and for a list annotated in one query."""
    accepted = Q(proposals__status="accepted") & (Q(mode="total") | Q(proposals__decided_at__gte=_month_start(now)))
    return Q(proposals__status="pending") | accepted


class DoctorOfferQuerySet(models.QuerySet):
    def with_places_left(self, now=None):
        """Each offer with `taken` counted in the same query (no query per offer)."""
        return self.annotate(taken=models.Count("proposals", filter=_taken(now)))


class DoctorOffer(models.Model):
    """How many new patients a GP member of the CPTS accepts as médecin traitant, and on what terms."""

    class Mode(models.TextChoices):
        MONTHLY = "monthly", "par mois"
        TOTAL = "total", "au total"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="doctor_offers")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="doctor_offers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="doctor_offers")
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune du cabinet"
    )
    mode = models.CharField("rythme", max_length=10, choices=Mode.choices, default=Mode.MONTHLY)
    capacity = models.PositiveSmallIntegerField(
        "nouveaux patients acceptés", default=0, validators=[MaxValueValidator(500)]
    )
    priority_only = models.BooleanField("uniquement des patients prioritaires", default=False)
    max_distance_km = models.PositiveSmallIntegerField(
        "distance maximale (km)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    communes = models.ManyToManyField(
        "territory.Commune", blank=True, related_name="+", verbose_name="communes desservies"
    )
    paused = models.BooleanField("en pause", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DoctorOfferQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        verbose_name = "offre d'un médecin"
        verbose_name_plural = "offres des médecins"
        constraints = [models.UniqueConstraint(fields=["cpts", "professional"], name="unique_doctor_offer")]

    def __str__(self):
        return f"{self.professional.full_name} — {self.cpts}"

    def places_left(self, now=None) -> int:
        """Capacity minus the places taken (`_taken`); read from `with_places_left` when the
        offer came from it."""
        if self.paused:
            return 0
        taken = getattr(self, "taken", None)
        if taken is None:
            taken = DoctorOffer.objects.filter(pk=self.pk).with_places_left(now).values_list("taken", flat=True)[0]
        return max(self.capacity - taken, 0)


class MatchRun(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="match_runs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_label = models.CharField("par", max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    proposals = models.PositiveIntegerField("propositions", default=0)
    waiting = models.PositiveIntegerField("patients en attente", default=0)
    seconds = models.FloatField("durée (s)", default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "appariement"
        verbose_name_plural = "appariements"

    def __str__(self):
        return f"Appariement du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"


class Proposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "en attente de réponse"
        ACCEPTED = "accepted", "acceptée"
        DECLINED = "declined", "refusée"
        EXPIRED = "expired", "expirée"
        WITHDRAWN = "withdrawn", "retirée"

    class DeclineReason(models.TextChoices):
        FULL = "full", "plus de place"
        TOO_FAR = "too_far", "trop éloigné"
        NEEDS = "needs", "besoins hors de ma pratique"
        ALREADY_KNOWN = "known", "patient déjà connu ou suivi ailleurs"
        OTHER = "other", "autre"

    request = models.ForeignKey("doctor_access.DoctorRequest", on_delete=models.CASCADE, related_name="proposals")
    offer = models.ForeignKey(DoctorOffer, on_delete=models.PROTECT, related_name="proposals")
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    distance_km = models.FloatField("distance (km)", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    decided_at = models.DateTimeField("répondue le", null=True, blank=True)
    decline_reason = models.CharField("motif du refus", max_length=10, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField("précision", max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "proposition"
        verbose_name_plural = "propositions"
        constraints = [
            # At most one proposal awaiting an answer per patient: two matchings applied at once
            # cannot give the same patient to two doctors.
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="pending"), name="one_pending_proposal_per_request"
            ),
        ]

    def __str__(self):
        return f"Proposition {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()
