import re

from django.db import models

from maillage.core.text import normalize
from maillage.directory.models.imports import ImportedQuerySet, ImportedRow

POSTAL_LINE = re.compile(r"^(\d{5})\s+(.+)$")


def postal_parts(postal_line: str) -> tuple[str, str]:
    """La Poste's « ligne d'acheminement » (« 92130 ISSY LES MOULINEAUX ») → (postal code, town);
    a line without a code is all town. What an address shows (fhir/resources.py)."""
    line = postal_line.strip()
    match = POSTAL_LINE.match(line)
    return (match.group(1), match.group(2)) if match else ("", line)


def search_city(postal_line: str) -> str:
    """The town, normalized (accents, case, « ST » for saint): what `address-city` searches."""
    return normalize(postal_parts(postal_line)[1])


class Structure(ImportedRow):
    """A geographical establishment (établissement, ET) of the FINESS register."""

    finess_et = models.CharField("FINESS établissement", max_length=9)
    finess_ej = models.CharField("FINESS entité juridique", max_length=9, blank=True)
    short_name = models.CharField("raison sociale", max_length=250, blank=True)
    long_name = models.CharField("raison sociale longue", max_length=250, blank=True)
    complement = models.CharField("complément de raison sociale", max_length=250, blank=True)
    distribution_complement = models.CharField("complément de distribution", max_length=250, blank=True)
    street_number = models.CharField("numéro de voie", max_length=10, blank=True)
    street_type = models.CharField("type de voie", max_length=10, blank=True)
    street_label = models.CharField("voie", max_length=250, blank=True)
    street_complement = models.CharField("complément de voie", max_length=10, blank=True)
    locality = models.CharField("lieu-dit ou boîte postale", max_length=250, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="structures",
        db_index=False,  # (commune, active) below
    )
    # The INSEE code derived from the source (département + commune), kept when unknown to the reference.
    commune_code = models.CharField("code commune (source)", max_length=10, blank=True)
    departement_code = models.CharField("code département (FINESS)", max_length=3, blank=True)
    departement_label = models.CharField("département", max_length=100, blank=True)
    # Indexed: it starts with the postal code, which `address-postalcode` searches by prefix. Byte
    # collation on PostgreSQL (migration directory/0012), for LIKE 'prefix%' to use the index.
    postal_line = models.CharField("ligne d'acheminement", max_length=250, blank=True)
    # The town of the postal line, normalized (`search_city`): `address-city` is a prefix range on
    # its index. Written by the FINESS import with the row, and by `save`.
    search_city = models.CharField("commune d'acheminement (recherche)", max_length=250, editable=False, default="")
    phone = models.CharField("téléphone", max_length=30, blank=True)
    fax = models.CharField("télécopie", max_length=30, blank=True)
    category_code = models.CharField("code catégorie", max_length=10, blank=True)
    category_label = models.CharField("catégorie", max_length=250, blank=True)
    aggregate_category_code = models.CharField("code agrégat de catégorie", max_length=10, blank=True)
    aggregate_category_label = models.CharField("agrégat de catégorie", max_length=250, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    ape_code = models.CharField("code APE", max_length=10, blank=True)
    mft_code = models.CharField("code MFT (tarif)", max_length=10, blank=True)
    mft_label = models.CharField("mode de fixation des tarifs", max_length=250, blank=True)
    sph_code = models.CharField("code SPH", max_length=10, blank=True)
    sph_label = models.CharField("service public hospitalier", max_length=250, blank=True)
    opened_on = models.DateField("date d'ouverture", null=True, blank=True)
    authorized_on = models.DateField("date d'autorisation", null=True, blank=True)
    source_updated_on = models.DateField("date de mise à jour (FINESS)", null=True, blank=True)
    uai = models.CharField("numéro UAI", max_length=10, blank=True)
    latitude = models.FloatField("latitude (WGS84)", null=True, blank=True)
    longitude = models.FloatField("longitude (WGS84)", null=True, blank=True)
    coordinates_source = models.CharField("source des coordonnées", max_length=250, blank=True)
    coordinates_epsg = models.PositiveIntegerField("système de coordonnées d'origine (EPSG)", null=True, blank=True)
    geocoded_on = models.DateField("date de géocodage", null=True, blank=True)

    objects = ImportedQuerySet.as_manager()

    class Meta:
        ordering = ["finess_et"]
        verbose_name = "structure (FINESS)"
        verbose_name_plural = "structures (FINESS)"
        indexes = [
            models.Index(fields=["commune", "active"]),
            models.Index(fields=["category_code", "active"]),
            models.Index(fields=["finess_ej"]),
            models.Index(fields=["postal_line"], name="structure_by_postal_line"),
            models.Index(fields=["search_city"], name="structure_by_city"),
            # A `_lastUpdated` delta page: the rows changed since a date, in (updated_at, id) order.
            models.Index(fields=["updated_at", "id"], name="structure_updated_at"),
        ]
        # Constraints rather than unique=True/db_index=True: PostgreSQL then gets no LIKE-only index.
        constraints = [models.UniqueConstraint(fields=["finess_et"], name="unique_structure_finess_et")]

    def __str__(self):
        return f"{self.name} ({self.finess_et})"

    def save(self, *args, **kwargs):
        self.search_city = search_city(self.postal_line)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.long_name or self.short_name
