from django.db import models
from django.db.models import Count, Sum
from django.urls import reverse

from maillage.core import versioning
from maillage.core.identifiers import validate_finess
from maillage.core.text import normalize
from maillage.territory.tiers import tier_for


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    # The outline for the maps' background (GeoJSON), kept by maillage.territory.background.
    outline = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "région"
        verbose_name_plural = "régions"

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    outline = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"
        verbose_name_plural = "départements"

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def units(self):
        """The building blocks of a territory: current communes, and the arrondissements of
        Paris, Lyon and Marseille instead of those three communes (no population counted twice)."""
        return self.filter(active=True, is_unit=True)


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", "commune"
        ARRONDISSEMENT = "arrondissement", "arrondissement municipal"

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=150)
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    is_unit = models.BooleanField("unité de territoire", default=True)
    parent_code = models.CharField("commune parente", max_length=5, blank=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="communes")
    population = models.PositiveIntegerField("population", default=0)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Simplified outline as a GeoJSON geometry string; empty where the source has none.
    shape = models.TextField(blank=True)
    active = models.BooleanField("en vigueur", default=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="former_communes"
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        verbose_name = "commune"
        verbose_name_plural = "communes"
        indexes = [models.Index(fields=["region", "is_unit", "active"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_codes_label(self):
        return ", ".join(self.postal_codes)


class CptsQuerySet(models.QuerySet):
    def with_population(self):
        return self.annotate(
            population_total=Sum("territory__commune__population", default=0),
            commune_count=Count("territory", distinct=True),
        )

    def exposed_to_sas(self):
        """The CPTS the SAS is served: the guide knows a CPTS by its FINESS (1 + FINESS, 1..1), so a
        CPTS without one exposes nothing (issue 18). The field's validator keeps it 9 characters."""
        return self.exclude(finess="")

    def of_regions(self, regions):
        """The CPTS with a commune (a unit of territory) in one of `regions` (codes or a queryset)."""
        inside = CptsCommune.objects.filter(commune__region__in=regions, commune__is_unit=True)
        return self.filter(pk__in=inside.values("cpts_id"))


class Cpts(models.Model):
    class Status(models.TextChoices):
        PROJECT = "projet", "en projet"
        ACTIVE = "active", "constituée"

    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField("adresse", max_length=80, unique=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.PROJECT)
    description = models.TextField("présentation", blank=True)
    # The association's FINESS number, once registered: the SAS identifies the CPTS by it.
    finess = models.CharField("FINESS", max_length=9, blank=True, validators=[validate_finess])
    # Shown on the public page: how patients and partners reach the CPTS.
    contact_email = models.EmailField("adresse de contact", blank=True)
    phone = models.CharField("téléphone du numéro unique", max_length=20, blank=True)
    # Optimistic concurrency: every territory edit bumps it, so that two coordinators editing at
    # once cannot silently overwrite each other.
    territory_version = models.PositiveIntegerField(default=0, editable=False)
    # Optimistic concurrency of the CPTS's own fields (its public contacts).
    version = versioning.version_field()
    # The territory's outline for the maps (GeoJSON), kept by maillage.territory.published.
    outline = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CptsQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "CPTS"
        verbose_name_plural = "CPTS"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("www:cpts_public", args=[self.slug])

    @property
    def exposed_to_sas(self) -> bool:
        """One CPTS's reading of `CptsQuerySet.exposed_to_sas`: served to the SAS when it has a FINESS."""
        return bool(self.finess)

    def population(self) -> int:
        if hasattr(self, "population_total"):
            return self.population_total
        return self.territory.aggregate(p=Sum("commune__population", default=0))["p"]

    def tier(self):
        return tier_for(self.population())

    def communes(self):
        return Commune.objects.filter(cpts_links__cpts=self).select_related("departement")

    def overlaps(self):
        """{commune: [other CPTS…]} for the communes this CPTS shares with others."""
        links = (
            CptsCommune.objects.filter(commune__cpts_links__cpts=self)
            .exclude(cpts=self)
            .select_related("commune", "cpts")
            .order_by("commune__name", "cpts__name")
        )
        shared: dict[Commune, list[Cpts]] = {}
        for link in links:
            shared.setdefault(link.commune, []).append(link.cpts)
        return shared


class CptsCommune(models.Model):
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="territory")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="cpts_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts", "commune"], name="unique_cpts_commune")]
        verbose_name = "commune du territoire"
        verbose_name_plural = "communes du territoire"

    def __str__(self):
        return f"{self.cpts} — {self.commune}"


class ReferenceInstall(models.Model):
    """What reference data is installed, so that a second install with the same sources is a no-op."""

    source = models.CharField(max_length=50, unique=True)
    fingerprint = models.CharField(max_length=64)
    installed_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = "installation des données de référence"
        verbose_name_plural = "installations des données de référence"

    def __str__(self):
        return f"{self.source} {self.fingerprint[:8]}"
