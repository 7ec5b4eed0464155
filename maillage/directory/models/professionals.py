from django.db import connections, models

from maillage.core.text import normalize
from maillage.directory.models.imports import ImportedQuerySet, ImportedRow


class ProfessionalQuerySet(ImportedQuerySet):
    def search(self, text: str):
        """Accent- and case-insensitive prefix search on « nom prénom », on an indexed column."""
        prefix = normalize(text)
        if not prefix:
            return self.none()
        return self.filter(name_prefix(prefix, self.db))


class Professional(ImportedRow):
    """A health professional of the RPPS or ADELI register; identity comes from the national file."""

    class IdType(models.TextChoices):
        RPPS = "8", "RPPS"
        ADELI = "0", "ADELI"

    id_type = models.CharField("type d'identifiant", max_length=1, choices=IdType.choices)
    identifier = models.CharField("identifiant", max_length=11)
    national_id = models.CharField("identification nationale", max_length=12)
    exercise_civility_code = models.CharField("code civilité d'exercice", max_length=5, blank=True)
    exercise_civility_label = models.CharField("civilité d'exercice", max_length=50, blank=True)
    civility_code = models.CharField("code civilité", max_length=5, blank=True)
    civility_label = models.CharField("civilité", max_length=50, blank=True)
    last_name = models.CharField("nom d'exercice", max_length=150, blank=True)
    first_name = models.CharField("prénom d'exercice", max_length=150, blank=True)
    # Indexed below, with `active`. Byte collation on PostgreSQL (migration 0005).
    search_name = models.CharField(max_length=300, editable=False)
    # « prénom nom », normalized: a search by first name is a prefix search on its own index too
    # (a LIKE '% term%' on `search_name` reads the whole table: seconds at national scale).
    search_given = models.CharField(max_length=300, editable=False, default="")
    profession_code = models.CharField("code profession", max_length=5, blank=True)
    profession_label = models.CharField("profession", max_length=150, blank=True)
    category_code = models.CharField("code catégorie professionnelle", max_length=5, blank=True)
    category_label = models.CharField("catégorie professionnelle", max_length=100, blank=True)
    savoir_faire_type_code = models.CharField("code type savoir-faire", max_length=5, blank=True)
    savoir_faire_type_label = models.CharField("type savoir-faire", max_length=100, blank=True)
    savoir_faire_code = models.CharField("code savoir-faire", max_length=10, blank=True)
    savoir_faire_label = models.CharField("savoir-faire", max_length=200, blank=True)
    # The fingerprint of the line that gave this identity (the professional's first line): a cache
    # for re-imports, see `Activity.line_hash`.
    line_hash = models.BigIntegerField("empreinte de la ligne source", null=True, editable=False)

    objects = ProfessionalQuerySet.as_manager()

    class Meta:
        ordering = ["search_name", "national_id"]
        verbose_name = "professionnel de santé"
        verbose_name_plural = "professionnels de santé"
        # The name indexes hold what a national search counts its matches by (`active`, the
        # profession, and for those whose first name starts with the text, whether their name does
        # too): on PostgreSQL such a count is read from the index alone, not from thousands of
        # table pages. The specialty alone has its own.
        indexes = [
            models.Index(fields=["profession_code", "active"]),
            models.Index(fields=["savoir_faire_code", "active"], name="professional_by_specialty"),
            # A FHIR role search by profession and specialty reads the professionals in id order
            # from it, and their activities in turn, up to the page (fhir/search.py, `_roles`).
            # With the id (SQLite's indexes hold it anyway): PostgreSQL counts from the index alone.
            models.Index(
                fields=["profession_code", "savoir_faire_code"], include=["id"], name="professional_by_qualification"
            ),
            # With the first name: a FHIR search by family and given name tests the first name of
            # each name in the range from the index, not from the table (19,765 « Blanchard »: 80 ms).
            models.Index(
                fields=["search_name", "active", "profession_code", "search_given"], name="professional_by_name"
            ),
            models.Index(
                fields=["search_given", "active", "search_name", "profession_code"], name="professional_by_given"
            ),
            # A `_lastUpdated` delta page: the rows changed since a date, in (updated_at, id) order.
            models.Index(fields=["updated_at", "id"], name="professional_updated_at"),
        ]
        # A constraint rather than unique=True: PostgreSQL then gets no second, LIKE-only index.
        constraints = [models.UniqueConstraint(fields=["national_id"], name="unique_professional_national_id")]

    def __str__(self):
        return f"{self.full_name} ({self.national_id})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def save(self, *args, **kwargs):
        self.search_name = search_name(self.last_name, self.first_name)
        self.search_given = search_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)


def search_name(last_name: str, first_name: str) -> str:
    return normalize(f"{last_name} {first_name}")


def starts_with(column: str, prefix: str, using: str = "default") -> models.Q:
    """`column` starts with `prefix` (normalized), in a form both databases answer from the
    column's plain index, in its order — which lets a search walk the index from the prefix for
    its first page. On PostgreSQL the search columns compare bytes (COLLATE "C", migration
    directory/0005), so LIKE 'prefix%' is such a range. SQLite's LIKE ignores case and so cannot
    use an index, but a range can (its default collation compares bytes)."""
    if connections[using].vendor == "sqlite":
        return models.Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + "\uffff"})
    return models.Q(**{f"{column}__startswith": prefix})


def name_prefix(text: str, using: str = "default") -> models.Q:
    """Professionals whose « nom prénom » or « prénom nom » starts with `text` (normalized)."""
    return starts_with("search_name", text, using) | starts_with("search_given", text, using)


KEY_LENGTH = 120


class Activity(ImportedRow):
    """One line of the RPPS file: a professional exercising at a site, in a mode, in a sector.

    `key` is the natural key that lets a re-import update the row instead of adding one: the
    professional's national id, the structure's technical id, the mode of exercise, the sector, the
    pharmacists' section, the role and the activity genre, joined by `|`. Readable rather than a
    digest, and starting with the national id: the extraction is sorted by professional, so the
    lookups of a batch fall on neighbouring index pages. Addresses, phones and names are not part
    of it — a change there updates the activity. The site's FINESS number is kept as given: the
    search/FHIR layer joins it to `Structure`, which only the FINESS import writes.
    """

    key = models.CharField("clé", max_length=KEY_LENGTH, editable=False)
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="activities")
    mode_code = models.CharField("code mode d'exercice", max_length=5, blank=True)
    mode_label = models.CharField("mode d'exercice", max_length=50, blank=True)
    siret = models.CharField("SIRET du site", max_length=14, blank=True)
    siren = models.CharField("SIREN du site", max_length=9, blank=True)
    finess_site = models.CharField("FINESS du site", max_length=9, blank=True)
    finess_ej = models.CharField("FINESS de l'entité juridique", max_length=9, blank=True)
    structure_id = models.CharField("identifiant technique de la structure", max_length=40, blank=True)
    structure_old_id = models.CharField("ancien identifiant de la structure", max_length=40, blank=True)
    company_name = models.CharField("raison sociale", max_length=250, blank=True)
    trade_name = models.CharField("enseigne commerciale", max_length=250, blank=True)
    recipient_complement = models.CharField("complément destinataire", max_length=250, blank=True)
    place_complement = models.CharField("complément point géographique", max_length=250, blank=True)
    street_number = models.CharField("numéro de voie", max_length=10, blank=True)
    repetition_index = models.CharField("indice de répétition", max_length=10, blank=True)
    street_type_code = models.CharField("code type de voie", max_length=10, blank=True)
    street_type_label = models.CharField("type de voie", max_length=50, blank=True)
    street_label = models.CharField("libellé de voie", max_length=250, blank=True)
    distribution_mention = models.CharField("mention de distribution", max_length=250, blank=True)
    cedex_office = models.CharField("bureau cedex", max_length=150, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    # Indexed by (commune, active) below: a second index on the column alone would only slow imports.
    commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
    )
    # As given by the source, kept when the commune is unknown to the reference (then `commune` is null).
    commune_code = models.CharField("code commune (source)", max_length=10, blank=True)
    commune_label = models.CharField("commune (source)", max_length=150, blank=True)
    country_code = models.CharField("code pays", max_length=10, blank=True)
    country_label = models.CharField("pays", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    phone2 = models.CharField("téléphone 2", max_length=30, blank=True)
    fax = models.CharField("télécopie", max_length=30, blank=True)
    email = models.CharField("adresse électronique", max_length=254, blank=True)
    departement_code = models.CharField("code département", max_length=5, blank=True)
    departement_label = models.CharField("département", max_length=100, blank=True)
    registration_authority = models.CharField("autorité d'enregistrement", max_length=100, blank=True)
    sector_code = models.CharField("code secteur d'activité", max_length=10, blank=True)
    sector_label = models.CharField("secteur d'activité", max_length=150, blank=True)
    pharmacist_section_code = models.CharField("code section tableau pharmaciens", max_length=10, blank=True)
    pharmacist_section_label = models.CharField("section tableau pharmaciens", max_length=150, blank=True)
    role_code = models.CharField("code rôle", max_length=10, blank=True)
    role_label = models.CharField("rôle", max_length=150, blank=True)
    genre_code = models.CharField("code genre d'activité", max_length=10, blank=True)
    genre_label = models.CharField("genre d'activité", max_length=150, blank=True)
    # The fingerprint of the raw line this row was last read from (`rpps_import.line_fingerprint`):
    # a re-import finds an unchanged line by it, before parsing it. A cache, not data: refreshed
    # without counting a change when the values are the same, null for rows never fingerprinted.
    line_hash = models.BigIntegerField("empreinte de la ligne source", null=True, db_index=True, editable=False)

    objects = ImportedQuerySet.as_manager()

    class Meta:
        ordering = ["professional_id", "id"]
        verbose_name = "activité"
        verbose_name_plural = "activités"
        # With the professional: an area search reads who works there from the index alone.
        indexes = [
            models.Index(fields=["commune", "active", "professional"]),
            models.Index(fields=["finess_site"]),
            # A `_lastUpdated` delta page: the rows changed since a date, in (updated_at, id) order.
            models.Index(fields=["updated_at", "id"], name="activity_updated_at"),
        ]
        constraints = [models.UniqueConstraint(fields=["key"], name="unique_activity_key")]

    def __str__(self):
        site = self.trade_name or self.company_name or self.commune_label or "sans site"
        return f"{self.professional_id} — {self.mode_label or 'mode inconnu'} — {site}"

    @property
    def street(self) -> str:
        """« 3 bis Avenue PIERRE LAROUSSE »: the street line of the site, as letters and FHIR write it."""
        parts = (
            self.street_number,
            self.repetition_index,
            self.street_type_label or self.street_type_code,
            self.street_label,
        )
        return " ".join(part.strip() for part in parts if part and part.strip())
