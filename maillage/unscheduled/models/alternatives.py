"""Where the desk sends a patient when no slot fits the request's window: the territory's
permanence des soins, SOS Médecins, the maison médicale de garde, entered by the CPTS. The 15 is
national and always shown (it is not stored)."""

from django.db import models

from maillage.core import versioning


class AlternativeKind(models.TextChoices):
    PDSA = "pdsa", "permanence des soins"
    SOS = "sos", "SOS Médecins"
    MMG = "mmg", "maison médicale de garde"
    PHARMACY = "pharmacy", "pharmacie de garde"
    OTHER = "other", "autre recours"


class Alternative(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="snp_alternatives")
    kind = models.CharField("type", max_length=10, choices=AlternativeKind.choices, default=AlternativeKind.PDSA)
    name = models.CharField("nom", max_length=150)
    phone = models.CharField("téléphone", max_length=30)
    hours = models.CharField(
        "horaires", max_length=255, blank=True, help_text="Par exemple : « soirs 20 h–24 h, week-end et jours fériés »"
    )
    order = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    version = versioning.version_field()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "recours hors créneau"
        verbose_name_plural = "recours hors créneau"

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"
