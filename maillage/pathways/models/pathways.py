"""One patient's enrolment in a pathway, and the care team around them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.core.identifiers import validate_nir
from maillage.core.models import TransitionLog
from maillage.pathways.states import CareRole, PathwayStatus, ReferrerKind, Sex


class Pathway(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="pathways")
    # The exact version enrolled with: a later version of the template never changes this pathway.
    template = models.ForeignKey(
        "pathways.PathwayTemplate", on_delete=models.PROTECT, related_name="pathways", verbose_name="modèle"
    )
    # The patient's minimal identity.
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="pathways", verbose_name="commune"
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    # The INS (the NIR as the national health identifier), optional; its key is checked.
    ins = models.CharField("INS (NIR)", max_length=15, blank=True, validators=[validate_nir])
    # Who referred the patient.
    referrer_kind = models.CharField("orienté par", max_length=20, choices=ReferrerKind.choices)
    referrer_professional = models.ForeignKey(
        "directory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="professionnel orienteur",
    )
    referrer_structure = models.ForeignKey(
        "directory.Structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="établissement orienteur",
    )
    referrer_service = models.CharField("service", max_length=200, blank=True)
    start_date = models.DateField("début du parcours")
    discharge_date = models.DateField("date de sortie d'hospitalisation", null=True, blank=True)
    status = models.CharField("état", max_length=20, choices=PathwayStatus.choices, default=PathwayStatus.ACTIVE)
    # The last contact with the patient (a task done, later the liaison log) plus the template's
    # `no_contact_days`: past it, the scheduled detection raises a « sans contact » alert.
    contact_due_on = models.DateField("contact attendu au plus tard le")
    rehospitalised_on = models.DateField("réhospitalisé le", null=True, blank=True)
    status_changed_at = models.DateTimeField("état changé le", auto_now_add=True)
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    version = versioning.version_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "parcours d'un patient"
        verbose_name_plural = "parcours des patients"
        indexes = [models.Index(fields=["cpts", "status"])]
        constraints = [
            models.CheckConstraint(
                name="pathway_referrer_matches_kind",
                condition=(
                    Q(referrer_kind="professional", referrer_professional__isnull=False, referrer_structure=None)
                    | Q(referrer_kind="hospital", referrer_professional=None, referrer_structure__isnull=False)
                    | Q(referrer_kind="patient", referrer_professional=None, referrer_structure=None)
                ),
            ),
        ]

    def __str__(self):
        return f"Parcours n° {self.pk}"

    @property
    def reference(self) -> str:
        return f"PA-{self.pk:06d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def outside_territory(self) -> bool:
        """The patient lives outside the CPTS's communes (allowed: territories are not fences)."""
        return not self.cpts.territory.filter(commune_id=self.commune_id).exists()


class PathwayTransition(TransitionLog):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=PathwayStatus.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=PathwayStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'un parcours"
        verbose_name_plural = "changements d'état des parcours"


class CareTeamMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_at__isnull=True)


class CareTeamMember(models.Model):
    """Someone on a patient's care team: a professional of the directory (who, once their account
    is linked, sees the patient while `left_at` is empty) or a partner of the CPTS (a DAC, a
    social service) who has no account here."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="team")
    professional = models.ForeignKey(
        "directory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_teams",
        verbose_name="professionnel",
    )
    partner = models.ForeignKey(
        "directory.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_teams",
        verbose_name="partenaire",
    )
    role = models.CharField("rôle dans le parcours", max_length=20, choices=CareRole.choices)
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_at = models.DateTimeField("a quitté l'équipe le", null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CareTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["pathway", "added_at", "id"]
        verbose_name = "membre d'une équipe de soins"
        verbose_name_plural = "membres des équipes de soins"
        constraints = [
            models.CheckConstraint(
                name="team_member_is_professional_or_partner",
                condition=Q(professional__isnull=False, partner__isnull=True)
                | Q(professional__isnull=True, partner__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["pathway", "professional"],
                condition=Q(left_at__isnull=True, professional__isnull=False),
                name="one_active_membership_per_professional",
            ),
            models.UniqueConstraint(
                fields=["pathway", "partner"],
                condition=Q(left_at__isnull=True, partner__isnull=False),
                name="one_active_membership_per_partner",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def name(self) -> str:
        return self.professional.full_name if self.professional_id else self.partner.name

    @property
    def is_active(self) -> bool:
        return self.left_at is None
