from django.db import models


class IndicatorValue(models.Model):
    """A value computed for a CPTS and a period and kept (`manage.py compute_indicators`), so that
    a report shows what was known when it was made even after the data changed."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="indicator_values")
    code = models.CharField("indicateur", max_length=80)
    period = models.CharField("période", max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.JSONField("valeur", null=True)
    computed_at = models.DateTimeField("calculée le", auto_now=True)

    class Meta:
        ordering = ["code", "period_start"]
        verbose_name = "valeur d'indicateur"
        constraints = [models.UniqueConstraint(fields=["cpts", "code", "period"], name="unique_indicator_value")]

    def __str__(self):
        return f"{self.code} {self.period} — {self.cpts}"
