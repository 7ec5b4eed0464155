from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from maillage.core.identifiers import validate_rpps


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in; what they may see comes from their roles, never from this row."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    def __str__(self):
        return self.get_full_name() or self.email


class RoleKind(models.TextChoices):
    ADMIN = "admin", "administrateur de la plateforme"
    REGIONAL_VIEWER = "regional_viewer", "observateur régional (ARS, CPAM, URPS)"
    # An ARS agent who creates the CPTS of their région and invites their first coordinator.
    REGIONAL_ADMIN = "regional_admin", "administrateur régional (ARS)"
    COORDINATOR = "coordinator", "coordinateur de CPTS"
    MEMBER = "member", "professionnel membre"
    REGULATOR = "regulator", "régulateur du numéro unique"
    # Issue 15 — care requests: a hospital's discharge staff send care requests to the CPTS.
    STRUCTURE = "structure", "personnel d'un établissement (sortie d'hospitalisation)"
    # Issue 16 — a member of the association who is not on the CPTS's team (a commune's or an
    # association's representative, a patient): the members' space only, no patient data.
    ADHERENT = "adherent", "adhérent de l'association"
    # Issue 18 — a regulator of the SAS (médecin régulateur, OSNP) who opens a slot's booking URL
    # from the national platform: books slots of the CPTS of their région, reads nothing else.
    SAS_REGULATOR = "sas_regulator", "régulateur du SAS"


# Roles that can read patient data: members too (the patients proposed to them, their bookings).
# A regulator of the SAS enters the patient's identity when booking (issue 18).
HEALTH_DATA_ROLES = frozenset(
    {RoleKind.COORDINATOR, RoleKind.REGULATOR, RoleKind.MEMBER, RoleKind.STRUCTURE, RoleKind.SAS_REGULATOR}
)
# They must use a second factor, and so must the platform admin, who can grant any of them. Regional
# viewers read aggregates only.
SECOND_FACTOR_ROLES = HEALTH_DATA_ROLES | {RoleKind.ADMIN}
CPTS_ROLES = frozenset(
    {RoleKind.COORDINATOR, RoleKind.MEMBER, RoleKind.REGULATOR, RoleKind.STRUCTURE, RoleKind.ADHERENT}
)
REGION_ROLES = frozenset({RoleKind.REGIONAL_VIEWER, RoleKind.REGIONAL_ADMIN, RoleKind.SAS_REGULATOR})


class Role(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField("rôle", max_length=20, choices=RoleKind.choices)
    cpts = models.ForeignKey("territory.Cpts", null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="viewers"
    )
    organisation = models.CharField("organisme", max_length=100, blank=True)
    # Issue 15 — the establishment (FINESS) a « structure » role speaks for; empty for every other kind.
    structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="établissement",
    )  # fmt: skip
    # Issue 18 — a regulator of the SAS as the SAS knows them: the appointments Maillage reports back
    # name the regulator who booked. Pro Santé Connect gives it at login; a local account (the
    # demo, or a regulator without a CPS card) has it registered here by the platform's admin.
    rpps = models.CharField(
        "RPPS du régulateur",
        max_length=11,
        blank=True,
        validators=[validate_rpps],
        help_text="Régulateur du SAS connecté sans Pro Santé Connect : son RPPS, transmis au SAS avec ses rendez-vous.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        ordering = ["kind", "cpts__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "cpts", "region"], name="unique_role"),
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    models.Q(kind__in=sorted(CPTS_ROLES), cpts__isnull=False, region__isnull=True)
                    | models.Q(kind__in=sorted(REGION_ROLES), cpts__isnull=True, region__isnull=False)
                    | models.Q(kind="admin", cpts__isnull=True, region__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="role_rpps_only_for_sas_regulator",
                condition=models.Q(kind="sas_regulator") | models.Q(rpps=""),
            ),
            models.CheckConstraint(
                name="role_structure_matches_kind",
                condition=models.Q(kind="structure", structure__isnull=False)
                | (~models.Q(kind="structure") & models.Q(structure__isnull=True)),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        scope = self.cpts or self.region
        kind = self.get_kind_display()
        return f"{kind} — {scope}" if scope else kind

    @property
    def reads_health_data(self):
        return self.kind in HEALTH_DATA_ROLES


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An email address asked to take a role in a CPTS. Only a digest of the link's token is kept:
    a leaked database gives no working link. Accepting, revoking or resending ends the old link."""

    class State(models.TextChoices):
        PENDING = "pending", "en attente"
        ACCEPTED = "accepted", "acceptée"
        REVOKED = "revoked", "annulée"
        EXPIRED = "expired", "expirée"

    email = models.EmailField("adresse électronique")
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField("rôle", max_length=20, choices=[(k.value, k.label) for k in RoleKind if k in CPTS_ROLES])
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("envoyée le")
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)
    # Issue 15 — for a « structure » role: the establishment the person will speak for.
    structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="établissement",
    )  # fmt: skip

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.email} — {self.get_kind_display()} — {self.cpts}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        """Neither revoked nor expired: the tokens that open the API (if their owner may still log in)."""
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        return self.filter(unexpired, revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for /api/v1/ (ADR 0026): it acts as its owner, with their roles, read-only or
    read-write. Only a SHA-256 digest of the secret is kept, and a few characters to recognise it."""

    class Scope(models.TextChoices):
        READ = "read", "lecture seule"
        WRITE = "write", "lecture et écriture"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=80)
    scope = models.CharField("droits", max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField("début du jeton", max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def live(self) -> bool:
        return self.revoked_at is None and not self.expired


class SecondFactor(Authenticator):
    """allauth's authenticator (TOTP, recovery codes) under a French name in the admin: a proxy,
    the same table; allauth's own model is unregistered there (maillage/accounts/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "second facteur"
        verbose_name_plural = "seconds facteurs"
