"""Care requests (demandes de prise en charge, issue 15 item 5): finding a professional for a
patient, the Entr'Actes / Inzee model. A member, the coordinator or a hospital's discharge staff
describes the need without the patient's identity; the patient's usual professional gets it alone
for a while (`priority_until`), then every professional of the profession (and skill) within
`radius_km` of the patient's commune; the first to accept wins (one conditional UPDATE) and only
then sees who the patient is. Nobody by `respond_by`: the coordinator is alerted and can widen.

The states (`RequestStatus`, `REQUEST_TRANSITIONS`) and each move are logged
(`CareRequestTransition`); the recipients are rows (`CareRequestRecipient`), so a professional's
list is one indexed read and « seen » / « declined » are per person."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core.models import TransitionLog
from maillage.pathways.states import Profession


class RequestStatus(models.TextChoices):
    OPEN = "open", "proposée au professionnel habituel"
    BROADCAST = "broadcast", "diffusée"
    ACCEPTED = "accepted", "acceptée"
    UNANSWERED = "unanswered", "sans réponse"
    CANCELLED = "cancelled", "annulée"
    EXPIRED = "expired", "expirée"


REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    # The usual professional accepts, declines (→ broadcast), or lets the priority delay pass.
    RequestStatus.OPEN: frozenset(
        {RequestStatus.BROADCAST, RequestStatus.ACCEPTED, RequestStatus.CANCELLED, RequestStatus.EXPIRED}
    ),
    RequestStatus.BROADCAST: frozenset(
        {RequestStatus.ACCEPTED, RequestStatus.UNANSWERED, RequestStatus.CANCELLED, RequestStatus.EXPIRED}
    ),
    # The coordinator widens the radius or changes the profession: broadcast again.
    RequestStatus.UNANSWERED: frozenset({RequestStatus.BROADCAST, RequestStatus.CANCELLED, RequestStatus.EXPIRED}),
    RequestStatus.ACCEPTED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
    RequestStatus.EXPIRED: frozenset(),
}
# A professional may accept only while the request waits for an answer.
ACCEPTING = frozenset({RequestStatus.OPEN, RequestStatus.BROADCAST})
# Still to be solved: what the coordinator's and the requester's lists show first.
PENDING = frozenset({RequestStatus.OPEN, RequestStatus.BROADCAST, RequestStatus.UNANSWERED})


def request_allowed(source: str, target: str) -> bool:
    return target in REQUEST_TRANSITIONS.get(source, frozenset())


class CareRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=sorted(PENDING))


class CareRequest(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="pathway_care_requests")
    # From a pathway (the winner then joins its care team), or on its own.
    pathway = models.ForeignKey(
        "pathways.Pathway",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="care_requests",
        verbose_name="parcours",
    )
    # Who asks: the account, and what it speaks for (their directory entry, or their establishment).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_professional = models.ForeignKey(
        "directory.Professional", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester_structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What is needed — never who: the text is shown to every professional in reach.
    profession_code = models.CharField("profession recherchée", max_length=5, choices=Profession.choices)
    skill = models.ForeignKey(
        "directory.Skill", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="compétence"
    )
    need = models.CharField("besoin", max_length=500)
    start_on = models.DateField("à partir du")
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune du patient"
    )
    radius_km = models.PositiveSmallIntegerField("rayon (km)")
    # The patient's identity: shown to the requester, the coordinator and, once accepted, the winner.
    patient_name = models.CharField("nom du patient", max_length=200)
    patient_phone = models.CharField("téléphone du patient", max_length=30, blank=True)
    patient_address = models.CharField("adresse du patient", max_length=250, blank=True)
    # The patient's usual professional, asked alone until `priority_until`.
    usual_professional = models.ForeignKey(
        "directory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="professionnel habituel",
    )
    priority_until = models.DateTimeField("réservée au professionnel habituel jusqu'au", null=True, blank=True)
    respond_by = models.DateTimeField("réponse attendue avant le")
    status = models.CharField("état", max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    status_changed_at = models.DateTimeField("état changé le", auto_now_add=True)
    broadcast_at = models.DateTimeField("diffusée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "directory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="acceptée par",
    )
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    # Set when it went unanswered: the coordinator's list shows it first until it is widened.
    escalated_at = models.DateTimeField("signalée à la coordination le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CareRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "demande de prise en charge"
        verbose_name_plural = "demandes de prise en charge"
        indexes = [
            models.Index(fields=["cpts", "status"]),
            models.Index(fields=["status", "priority_until"]),
            models.Index(fields=["status", "respond_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="care_request_accepted_has_winner",
                condition=Q(status="accepted", accepted_by__isnull=False, accepted_at__isnull=False)
                | (~Q(status="accepted") & Q(accepted_by__isnull=True)),
            ),
        ]

    def __str__(self):
        return f"Demande n° {self.pk}"

    @property
    def reference(self) -> str:
        return f"DP-{self.pk:06d}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


class CareRequestRecipient(models.Model):
    """A professional the request was offered to (with a linked account: they answer in the app)."""

    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="recipients")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="+")
    distance_km = models.FloatField("distance (km)")
    # The usual professional, offered the request alone first.
    priority = models.BooleanField("prioritaire", default=False)
    offered_at = models.DateTimeField("proposée le")
    notified_at = models.DateTimeField("prévenu le", null=True, blank=True)
    seen_at = models.DateTimeField("vue le", null=True, blank=True)
    declined_at = models.DateTimeField("déclinée le", null=True, blank=True)

    class Meta:
        ordering = ["distance_km", "id"]
        verbose_name = "destinataire d'une demande de prise en charge"
        verbose_name_plural = "destinataires des demandes de prise en charge"
        indexes = [models.Index(fields=["professional", "request"])]
        constraints = [
            models.UniqueConstraint(fields=["request", "professional"], name="one_recipient_row_per_professional"),
        ]

    def __str__(self):
        return f"{self.request} → {self.professional_id}"


class CareRequestTransition(TransitionLog):
    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=RequestStatus.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=RequestStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une demande de prise en charge"
        verbose_name_plural = "changements d'état des demandes de prise en charge"
