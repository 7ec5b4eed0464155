"""The hand-over of a pathway to another CPTS of the same instance (issue 15, item 7): a patient
who moves, or a hospital outside the territory. A request the receiving CPTS's coordinator accepts
or declines. A transfer moves the pathway (its tasks and liaison log follow, the old team leaves);
a share lets the receiving coordination read it, until the patient withdraws their consent."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class HandOverKind(models.TextChoices):
    TRANSFER = "transfer", "transfert du parcours"
    SHARE = "share", "partage en lecture"


class HandOverStatus(models.TextChoices):
    PENDING = "pending", "en attente de réponse"
    ACCEPTED = "accepted", "acceptée"
    DECLINED = "declined", "refusée"
    ENDED = "ended", "terminée"


class HandOver(models.Model):
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="handovers")
    from_cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="+", verbose_name="de")
    to_cpts = models.ForeignKey(
        "territory.Cpts", on_delete=models.CASCADE, related_name="handovers_received", verbose_name="vers"
    )
    kind = models.CharField("nature", max_length=10, choices=HandOverKind.choices)
    status = models.CharField("état", max_length=10, choices=HandOverStatus.choices, default=HandOverStatus.PENDING)
    reason = models.CharField("motif", max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField("demandé par", max_length=255)
    requested_at = models.DateTimeField("demandé le")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("répondu le", null=True, blank=True)
    decision_note = models.CharField("réponse", max_length=255, blank=True)
    ended_at = models.DateTimeField("fin le", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "transmission à une autre CPTS"
        verbose_name_plural = "transmissions à d'autres CPTS"
        constraints = [
            models.UniqueConstraint(fields=["pathway"], condition=Q(status="pending"), name="one_pending_handover"),
            models.UniqueConstraint(
                fields=["pathway", "to_cpts"],
                condition=Q(status="accepted", kind="share"),
                name="one_share_in_force_per_cpts",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} vers {self.to_cpts}"

    @property
    def is_pending(self) -> bool:
        return self.status == HandOverStatus.PENDING
