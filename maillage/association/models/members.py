"""The association's statutes, collèges and members, and the yearly fee of each collège."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.core.identifiers import validate_siren
from maillage.core.models import TransitionLog


def _percent(default: int):
    return models.PositiveSmallIntegerField(default=default, validators=[MinValueValidator(0), MaxValueValidator(100)])


class Statutes(models.Model):
    """The rules of a CPTS's statutes that the software applies (one row per CPTS, made with
    defaults by `maillage.association.statutes.of`)."""

    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="statutes")
    # The membership year starts on the first day of this month (1: the calendar year).
    year_start_month = models.PositiveSmallIntegerField(
        "mois de début de l'année d'adhésion", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    grace_days = models.PositiveIntegerField(
        "délai de grâce après l'échéance (jours)", default=90, validators=[MaxValueValidator(365)]
    )
    convocation_days = models.PositiveIntegerField(
        "délai de convocation des assemblées (jours)", default=15, validators=[MaxValueValidator(90)]
    )
    max_proxies = models.PositiveSmallIntegerField(
        "pouvoirs au plus par adhérent", default=2, validators=[MaxValueValidator(20)]
    )
    quorum_ordinary = models.PositiveSmallIntegerField(
        "quorum de l'assemblée ordinaire (%)", default=25, validators=[MaxValueValidator(100)]
    )
    quorum_extraordinary = models.PositiveSmallIntegerField(
        "quorum de l'assemblée extraordinaire (%)", default=50, validators=[MaxValueValidator(100)]
    )
    quorum_board = models.PositiveSmallIntegerField(
        "quorum du conseil d'administration (%)", default=50, validators=[MaxValueValidator(100)]
    )
    majority_extraordinary = models.PositiveSmallIntegerField(
        "majorité requise en assemblée extraordinaire (% des suffrages exprimés)",
        default=66,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    weighted_votes = models.BooleanField("voix pondérées par collège", default=False)
    version = versioning.version_field()

    class Meta:
        verbose_name = "statuts de l'association"
        verbose_name_plural = "statuts des associations"

    def __str__(self):
        return f"Statuts — {self.cpts}"


class College(models.Model):
    """A collège of the statutes: every member belongs to exactly one."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="colleges")
    code = models.SlugField("code", max_length=40)
    name = models.CharField("nom", max_length=150)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    # The share of the assembly's votes the collège carries when the statutes weigh votes by
    # collège (the shares of a CPTS's collèges add up to 100).
    vote_weight = models.PositiveSmallIntegerField("part des voix (%)", default=0, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["cpts", "order", "name"]
        verbose_name = "collège"
        verbose_name_plural = "collèges"
        constraints = [models.UniqueConstraint(fields=["cpts", "code"], name="unique_college_code")]

    def __str__(self):
        return self.name


class MemberStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    CURRENT = "current", "à jour"
    GRACE = "grace", "en période de grâce"
    EXPIRED = "expired", "expirée"
    CANCELLED = "cancelled", "radiée"


VOTING_STATUSES = (MemberStatus.CURRENT, MemberStatus.GRACE)


class MemberQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def voting(self):
        """Members whose membership is in force (up to date, or in the grace period)."""
        return self.filter(status__in=VOTING_STATUSES)


class Member(models.Model):
    """A member of the association: a natural person (a professional of the directory when there
    is one) or a legal person (an establishment, a commune, an association) and who represents it."""

    class Kind(models.TextChoices):
        PERSON = "person", "personne physique"
        LEGAL = "legal", "personne morale"

    class LegalKind(models.TextChoices):
        STRUCTURE = "structure", "établissement ou service (FINESS)"
        COMMUNE = "commune", "commune ou intercommunalité"
        ASSOCIATION = "association", "association"
        OTHER = "other", "autre personne morale"

    Status = MemberStatus

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="association_members")
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="members", verbose_name="collège")
    kind = models.CharField("nature", max_length=10, choices=Kind.choices, default=Kind.PERSON)
    # A natural person.
    last_name = models.CharField("nom", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    professional = models.ForeignKey(
        "directory.Professional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="association_memberships",
        verbose_name="professionnel de l'annuaire",
    )
    profession_code = models.CharField("profession (code RPPS)", max_length=5, blank=True)
    # A legal person and who represents it.
    name = models.CharField("dénomination", max_length=200, blank=True)
    legal_kind = models.CharField("type de personne morale", max_length=20, choices=LegalKind.choices, blank=True)
    structure = models.ForeignKey(
        "directory.Structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="association_memberships",
        verbose_name="établissement (FINESS)",
    )
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    represented_commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="commune adhérente",
    )
    representative_name = models.CharField("représentant", max_length=200, blank=True)
    representative_email = models.EmailField("courriel du représentant", blank=True)
    # Both.
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="commune d'exercice ou de siège",
    )
    # The account that acts for the member: votes online, reads the members' space.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="association_memberships",
        verbose_name="compte",
    )
    status = models.CharField("adhésion", max_length=10, choices=MemberStatus.choices, default=MemberStatus.PENDING)
    applied_online = models.BooleanField("demande faite en ligne", default=False)
    application_note = models.TextField("message joint à la demande", blank=True)
    validated_on = models.DateField("adhésion validée le", null=True, blank=True)
    # The last day of the last membership year paid for (or of a year whose fee is free).
    paid_until = models.DateField("cotisation réglée jusqu'au", null=True, blank=True)
    cancelled_on = models.DateField("radié le", null=True, blank=True)
    cancel_reason = models.CharField("motif de la radiation", max_length=255, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = MemberQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["cpts", "last_name", "first_name", "name", "id"]
        verbose_name = "adhérent"
        verbose_name_plural = "adhérents"
        indexes = [models.Index(fields=["cpts", "status"])]
        constraints = [
            # A natural person has a name; a legal person a name and someone who represents it.
            models.CheckConstraint(
                name="member_identity_matches_kind",
                condition=(
                    Q(kind="person") & ~Q(last_name="")
                    | Q(kind="legal") & ~Q(name="") & ~Q(representative_name="") & ~Q(legal_kind="")
                ),
            ),
            # A professional is a member of a CPTS's association once.
            models.UniqueConstraint(
                fields=["cpts", "professional"],
                condition=Q(professional__isnull=False) & ~Q(status="cancelled"),
                name="unique_member_professional",
            ),
            models.UniqueConstraint(
                fields=["cpts", "structure"],
                condition=Q(structure__isnull=False) & ~Q(status="cancelled"),
                name="unique_member_structure",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.LEGAL:
            return self.name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def reference(self) -> str:
        return f"AD-{self.pk:06d}"

    @property
    def votes(self) -> bool:
        return self.status in VOTING_STATUSES

    @property
    def contact_email(self) -> str:
        """Where the association writes to the member: a legal person's own address, or its
        representative's."""
        return self.email or self.representative_email


class MemberTransition(TransitionLog):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=10, choices=MemberStatus.choices, blank=True)
    target = models.CharField("vers", max_length=10, choices=MemberStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'adhésion"
        verbose_name_plural = "changements d'adhésion"


class FeeRate(models.Model):
    """The yearly fee of a collège (0: free), per membership year (named by the year it starts in)."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="fee_rates")
    college = models.ForeignKey(College, on_delete=models.CASCADE, related_name="fee_rates", verbose_name="collège")
    year = models.PositiveSmallIntegerField("année", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    amount_cents = models.PositiveIntegerField("montant (centimes)", validators=[MaxValueValidator(10_000_00)])

    class Meta:
        ordering = ["cpts", "-year", "college__order"]
        verbose_name = "cotisation d'un collège"
        verbose_name_plural = "cotisations des collèges"
        constraints = [models.UniqueConstraint(fields=["college", "year"], name="unique_fee_rate")]

    def __str__(self):
        return f"{self.college} {self.year}"
