from django.db import models


class AreaKind(models.TextChoices):
    FRANCE = "france", "France"
    REGION = "region", "région"
    DEPARTEMENT = "departement", "département"


class ReferenceDensity(models.Model):
    """A published density of one profession in one area (France, a région, a département), the
    diagnostic's point of comparison: figures of a named source and year, not computed from the
    directory loaded in Maillage (docs/adr/0027). The product ships a few verified ones
    (maillage/projet/reference/densites.csv, loaded by a migration); an operator loads the rest
    from the Data ameli file (`import_densites`)."""

    area_kind = models.CharField("niveau", max_length=11, choices=AreaKind.choices)
    area_code = models.CharField("code du territoire", max_length=3, blank=True)  # "" for France
    profession = models.CharField("profession", max_length=10)  # the diagnostic's key: "10-MG", "60"…
    density = models.DecimalField("densité pour 10 000 habitants", max_digits=8, decimal_places=2)
    count = models.PositiveIntegerField("effectif", null=True, blank=True)
    scope = models.CharField("champ", max_length=40, default="libéraux")
    source = models.CharField("source", max_length=200)
    year = models.PositiveSmallIntegerField("année")
    url = models.URLField("adresse de la source", max_length=300, blank=True)
    file_name = models.CharField("fichier importé", max_length=255, blank=True)
    updated_at = models.DateTimeField("importé le", auto_now=True)

    class Meta:
        ordering = ["area_kind", "area_code", "profession", "-year"]
        verbose_name = "densité de référence"
        verbose_name_plural = "densités de référence"
        constraints = [
            models.UniqueConstraint(
                fields=["area_kind", "area_code", "profession", "year"], name="projet_reference_density_unique"
            )
        ]

    def __str__(self):
        area = self.get_area_kind_display() if not self.area_code else f"{self.area_kind} {self.area_code}"
        return f"{area} {self.profession} {self.year} : {self.density}"
