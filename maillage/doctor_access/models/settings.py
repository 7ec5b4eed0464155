"""What each CPTS configures for its waiting list."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from maillage.doctor_access.priority import DEFAULT_WEIGHTS, Criterion


class AccessSettings(models.Model):
    """One row per CPTS, created with the defaults on first use. Also the row a matching locks, so
    that two coordinators applying a matching at once run one after the other."""

    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="access_settings")
    proposal_days = models.PositiveSmallIntegerField(
        "délai de réponse du médecin (jours)", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    purge_months = models.PositiveSmallIntegerField(
        "anonymisation des demandes closes après (mois)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    reach_km = models.PositiveSmallIntegerField(
        "distance maximale par défaut (km)", default=15, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "réglages de l'accès au médecin traitant"
        verbose_name_plural = "réglages de l'accès au médecin traitant"

    def __str__(self):
        return f"Réglages — {self.cpts}"

    @classmethod
    def of(cls, cpts) -> "AccessSettings":
        settings, created = cls.objects.get_or_create(cpts=cpts)
        if created or not PriorityWeight.objects.filter(cpts=cpts).exists():
            PriorityWeight.objects.bulk_create(
                [
                    PriorityWeight(cpts=cpts, criterion=criterion, weight=weight, position=position)
                    for position, (criterion, weight) in enumerate(DEFAULT_WEIGHTS)
                ],
                ignore_conflicts=True,
            )
        return settings

    def weights(self) -> dict[str, int]:
        return dict(PriorityWeight.objects.filter(cpts=self.cpts).values_list("criterion", "weight"))


class PriorityWeight(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="priority_weights")
    criterion = models.CharField("critère", max_length=20, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField("poids", default=0, validators=[MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["position", "criterion"]
        verbose_name = "poids d'un critère de priorité"
        verbose_name_plural = "poids des critères de priorité"
        constraints = [models.UniqueConstraint(fields=["cpts", "criterion"], name="unique_priority_weight")]

    def __str__(self):
        return f"{self.get_criterion_display()} : {self.weight}"
