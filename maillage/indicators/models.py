from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core import versioning

# The source of every value Maillage computes itself (an entered value names its own).
MAILLAGE = "Maillage"


class IndicatorValue(models.Model):
    """A value kept for a CPTS and a period: computed and kept (`manage.py compute_indicators`), so
    that a report shows what was known when it was made even after the data changed; or entered by
    hand for an external indicator, with its source. One row per CPTS, indicator and period: a
    correction moves the previous value to `IndicatorValueRevision` (ADR 0014)."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="indicator_values")
    code = models.CharField("indicateur", max_length=80)
    period = models.CharField("période", max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.JSONField("valeur", null=True)
    numerator = models.DecimalField("numérateur", max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("dénominateur", max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField("source", max_length=200, default=MAILLAGE)
    source_date = models.DateField("date de la source", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField("enregistrée le", auto_now=True)
    version = versioning.version_field()

    class Meta:
        ordering = ["code", "period_start"]
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateur"
        constraints = [models.UniqueConstraint(fields=["cpts", "code", "period"], name="unique_indicator_value")]

    def __str__(self):
        return f"{self.code} {self.period} — {self.cpts}"

    @property
    def entered(self) -> bool:
        return self.source_date is not None

    @property
    def period_label(self) -> str:
        from maillage.indicators.periods import Period

        return Period.parse(self.period).label


class IndicatorValueRevision(models.Model):
    """A value as it stood before a correction: nothing entered is ever lost."""

    current = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="revisions")
    value = models.JSONField("valeur", null=True)
    numerator = models.DecimalField("numérateur", max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("dénominateur", max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField("source", max_length=200)
    source_date = models.DateField("date de la source", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField("saisie le")
    replaced_at = models.DateTimeField("remplacée le", auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-replaced_at", "-id"]
        verbose_name = "valeur d'indicateur remplacée"
        verbose_name_plural = "valeurs d'indicateur remplacées"

    def __str__(self):
        return f"{self.current} (avant le {timezone.localtime(self.replaced_at):%d/%m/%Y})"
