from django.db import models


class Zone(models.TextChoices):
    """The ARS's zoning of general practitioners (« zonage médecins »)."""

    ZIP = "ZIP", "zone d'intervention prioritaire (ZIP)"
    ZAC = "ZAC", "zone d'action complémentaire (ZAC)"
    ZAR = "ZAR", "zone d'accompagnement régional (ZAR)"
    HZ = "HZ", "hors zonage (HZ)"


class CommuneZoning(models.Model):
    """The GP zoning of one commune, as the last imported file gives it (`import_zonage`).

    Display only: the files in circulation are not official (see docs/adr/0013), so nothing is
    computed from it beyond showing it in the diagnostic.
    """

    commune = models.OneToOneField(
        "territory.Commune", on_delete=models.CASCADE, primary_key=True, related_name="gp_zoning"
    )
    zone = models.CharField("zonage médecins généralistes", max_length=3, choices=Zone.choices)
    source_label = models.CharField("libellé dans la source", max_length=100, blank=True)
    file_name = models.CharField("fichier importé", max_length=255, blank=True)
    updated_at = models.DateTimeField("importé le", auto_now=True)

    class Meta:
        ordering = ["commune_id"]
        verbose_name = "zonage médecins d'une commune"
        verbose_name_plural = "zonage médecins des communes"

    def __str__(self):
        return f"{self.commune_id} : {self.zone}"
