"""The patient's information and decisions about sharing (CSP L1110-4 and L1110-12, ADR 0028).

Each time the patient is informed, a `PatientInformation` row keeps who informed them, when, and
the version of the text shown; its `SharingDecision` rows keep the decision for each scope. A
decision stays in force until withdrawn by the patient or replaced by a later one (`withdrawn_at`):
at most one decision in force per pathway and scope.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.pathways.states import GRANTING, Decision, EndKind, Scope


class PatientInformation(models.Model):
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="informations")
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept in clear: the person who informed the patient may have no account (a hospital nurse).
    informed_by_label = models.CharField("informé par", max_length=200)
    informed_at = models.DateTimeField("informé le")
    text_version = models.CharField("version du texte remis", max_length=40)
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pathway", "informed_at", "id"]
        verbose_name = "information du patient"
        verbose_name_plural = "informations des patients"

    def __str__(self):
        return f"Information du {self.informed_at:%d/%m/%Y}"


class SharingDecisionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(withdrawn_at__isnull=True)

    def granting(self, scope):
        return self.in_force().filter(scope=scope, decision__in=sorted(GRANTING))


class SharingDecision(models.Model):
    information = models.ForeignKey(PatientInformation, on_delete=models.CASCADE, related_name="decisions")
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.CASCADE, related_name="sharing_decisions")
    scope = models.CharField("portée", max_length=20, choices=Scope.choices)
    decision = models.CharField("décision", max_length=20, choices=Decision.choices)
    withdrawn_at = models.DateTimeField("fin le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_by_label = models.CharField("fin enregistrée par", max_length=255, blank=True)
    end_kind = models.CharField("fin", max_length=10, choices=EndKind.choices, blank=True)
    end_note = models.CharField("précision", max_length=255, blank=True)

    objects = SharingDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["pathway", "information__informed_at", "id"]
        verbose_name = "décision de partage"
        verbose_name_plural = "décisions de partage"
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "scope"], condition=Q(withdrawn_at__isnull=True), name="one_decision_in_force"
            ),
            models.CheckConstraint(
                name="decision_fits_scope",
                condition=Q(scope="team", decision__in=["non_opposition", "opposition"])
                | Q(scope__in=["coordination", "outside"], decision__in=["consent", "refusal"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} : {self.get_decision_display()}"

    @property
    def grants(self) -> bool:
        return self.withdrawn_at is None and self.decision in GRANTING
