"""What a CPTS adds to the national directory. These tables are never written by an import: they
point to imported rows by key, so they survive every re-import and every deactivation."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from maillage.core import versioning
from maillage.core.identifiers import validate_siren


class Skill(models.Model):
    code = models.SlugField("code", max_length=50, unique=True)
    label = models.CharField("libellé", max_length=150)

    class Meta:
        ordering = ["label"]
        verbose_name = "compétence"
        verbose_name_plural = "compétences"

    def __str__(self):
        return self.label


class DirectoryEntryQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def listed(self):
        """What the public directory may show: opted in, and still in the national register."""
        return self.filter(public_listing=True, professional__active=True)


class DirectoryEntry(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="directory_entries")
    # PROTECT: a professional with enrichment is never deleted, only deactivated by the import.
    professional = models.ForeignKey(
        "directory.Professional", on_delete=models.PROTECT, related_name="directory_entries"
    )
    is_member = models.BooleanField("adhérent de la CPTS", default=False)
    skills = models.ManyToManyField(Skill, blank=True, related_name="entries", verbose_name="compétences")
    languages = models.JSONField("langues parlées", default=list, blank=True)
    accepts_new_patients = models.BooleanField("accepte de nouveaux patients", default=False)
    new_patient_capacity = models.PositiveIntegerField(
        "nouveaux patients acceptés", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    takes_part_in_snp = models.BooleanField("participe aux soins non programmés", default=False)
    mssante_address = models.EmailField("messagerie sécurisée (MSSanté)", blank=True)
    public_listing = models.BooleanField("visible dans l'annuaire public", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectoryEntryQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        verbose_name = "fiche d'annuaire"
        verbose_name_plural = "fiches d'annuaire"
        constraints = [
            models.UniqueConstraint(fields=["cpts", "professional"], name="unique_directory_entry"),
        ]

    def __str__(self):
        return f"{self.cpts} — {self.professional}"


class PartnerQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)


class Partner(models.Model):
    """An actor of the territory in neither national file: town hall, CCAS, DAC, association…"""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", "mairie"
        CCAS = "ccas", "CCAS"
        DAC = "dac", "DAC (dispositif d'appui à la coordination)"
        ASSOCIATION = "association", "association"
        PATIENT_ASSOCIATION = "patient_association", "association de patients"
        OTHER = "other", "autre"

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField("type", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField("nom", max_length=250)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="partners"
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    website = models.URLField("site internet", blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]
        verbose_name = "partenaire"
        verbose_name_plural = "partenaires"

    def __str__(self):
        return self.name


class ProfessionalAccount(models.Model):
    """Who a Maillage account is in the national register: lets a member edit their own entry.

    Set by the platform admin or the demo, once the person's identity is checked (in production,
    Pro Santé Connect gives the RPPS number of whoever logs in).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="professional_account")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="accounts")
    linked_at = models.DateTimeField("lié le", auto_now_add=True)

    class Meta:
        verbose_name = "compte de professionnel"
        verbose_name_plural = "comptes de professionnels"

    def __str__(self):
        return f"{self.user} — {self.professional}"
