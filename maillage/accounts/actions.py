"""Writes to accounts, roles, invitations and second factors. One transaction and one audit entry per
action; the invitation emails leave once the transaction commits (maillage.core.mail)."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage.accounts import api_tokens, invitations
from maillage.accounts.models import CPTS_ROLES, ApiToken, Invitation, Role, RoleKind, User
from maillage.accounts.roles import is_admin, needs_second_factor
from maillage.core import audit
from maillage.core.french import agree
from maillage.core.identifiers import is_valid_rpps
from maillage.core.mail import send_after_commit
from maillage.directory.models import Professional, ProfessionalAccount
from maillage.territory.models import Commune, Cpts, CptsCommune
from maillage.territory.signals import territory_set


class AccountsError(Exception):
    """A refused write; the message is shown to the user as is."""


class InvitationGone(AccountsError):
    """The link was used, revoked or has expired: `state` says which."""

    MESSAGES = {
        Invitation.State.ACCEPTED: "Cette invitation a déjà été utilisée. Connectez-vous avec votre compte.",
        Invitation.State.REVOKED: "Cette invitation a été annulée par la coordination de la CPTS.",
        Invitation.State.EXPIRED: (
            "Cette invitation a expiré. Demandez à la coordination de la CPTS de vous l'envoyer à nouveau."
        ),
    }

    def __init__(self, state):
        self.state = state
        super().__init__(self.MESSAGES[state])


def _kind(kind: str) -> RoleKind:
    if kind not in CPTS_ROLES:
        raise AccountsError(
            "Choisissez un rôle dans la CPTS : coordinateur, professionnel membre, régulateur ou personnel "
            "d'un établissement."
        )
    return RoleKind(kind)


def _issue(invitation: Invitation, site_url: str) -> None:
    """New token, new expiry, email on commit: any link sent before stops working."""
    token, invitation.token_digest = invitations.new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + invitations.VALIDITY
    invitation.save()
    subject, body = invitations.email_body(invitation, invitations.link(site_url, token))
    send_after_commit(invitation.email, subject, body)


def _check_structure(kind, structure) -> None:
    """Issue 15: a « structure » role names its establishment (FINESS); no other role does."""
    from maillage.directory.models import Structure

    if kind == RoleKind.STRUCTURE and not isinstance(structure, Structure):
        raise AccountsError("Indiquez le numéro FINESS de l'établissement pour lequel cette personne travaille.")
    if kind != RoleKind.STRUCTURE and structure is not None:
        raise AccountsError("Seul le personnel d'un établissement est invité au nom d'un établissement.")


def _new_invitation(cpts: Cpts, email: str, kind: str, actor, site_url: str, structure=None) -> Invitation:
    email = User.objects.normalize_email(email).strip().lower()
    kind = _kind(kind)
    _check_structure(kind, structure)
    if Role.objects.filter(cpts=cpts, kind=kind, user__email__iexact=email).exists():
        raise AccountsError(f"{email} a déjà le rôle « {kind.label} » dans la {cpts.name}.")
    if Invitation.objects.pending().filter(cpts=cpts, kind=kind, email__iexact=email).exists():
        raise AccountsError(
            f"{email} a déjà une invitation en attente pour ce rôle : renvoyez-la plutôt que d'en créer une autre."
        )
    invitation = Invitation(
        cpts=cpts, email=email, kind=kind, invited_by=audit.user_or_none(actor), structure=structure
    )
    _issue(invitation, site_url)
    return invitation


@transaction.atomic
def invite(cpts: Cpts, email: str, kind: str, *, actor, site_url: str, structure=None) -> Invitation:
    invitation = _new_invitation(cpts, email, kind, actor, site_url, structure)
    details = {"email": invitation.email, "kind": kind}
    if structure is not None:
        details["finess"] = structure.finess_et
    audit.record("accounts.invitation.sent", actor=actor, cpts=cpts, obj=invitation, details=details)
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def resend_invitation(invitation: Invitation, *, actor, site_url: str) -> Invitation:
    """A new link for an invitation not yet accepted nor revoked (an expired one gets 7 more days)."""
    invitation = _locked(invitation)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise AccountsError(
            f"L'invitation de {invitation.email} est {invitation.get_state_display()} : rien à renvoyer."
        )
    _issue(invitation, site_url)
    audit.record("accounts.invitation.resent", actor=actor, cpts=invitation.cpts, obj=invitation)
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor) -> Invitation:
    invitation = _locked(invitation)
    if invitation.state == Invitation.State.ACCEPTED:
        raise AccountsError(f"{invitation.email} a déjà accepté l'invitation : retirez plutôt son rôle.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    audit.record("accounts.invitation.revoked", actor=actor, cpts=invitation.cpts, obj=invitation)
    return invitation


def _open(token: str) -> Invitation:
    """The pending invitation of a link, locked; InvitationGone otherwise (LookupError if unknown)."""
    invitation = Invitation.objects.select_for_update().filter(token_digest=invitations.digest(token)).first()
    if invitation is None:
        raise LookupError(token)
    if invitation.state != Invitation.State.PENDING:
        raise InvitationGone(invitation.state)
    return invitation


def _grant(invitation: Invitation, user, *, new_account: bool) -> Role:
    """The invitation's role given to `user`, the invitation used up, the acceptance audited."""
    role, _ = Role.objects.get_or_create(
        user=user, kind=invitation.kind, cpts=invitation.cpts, defaults={"structure": invitation.structure}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        "accounts.invitation.accepted",
        actor=user,
        cpts=invitation.cpts,
        obj=invitation,
        details={"kind": invitation.kind, "new_account": new_account},
    )
    return role


@transaction.atomic
def accept_as_new_user(token: str, *, password: str, first_name: str, last_name: str) -> Role:
    """The link proves the address: the account is created with it, its password already checked
    against the validators by the form."""
    from allauth.account.models import EmailAddress

    invitation = _open(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountsError(f"Un compte existe déjà pour {invitation.email} : connectez-vous pour accepter.")
    user = User.objects.create_user(invitation.email, password, first_name=first_name, last_name=last_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return _grant(invitation, user, new_account=True)


@transaction.atomic
def accept_as_existing_user(token: str, user) -> Role:
    """A person with roles elsewhere keeps one account: the role is added to it."""
    invitation = _open(token)
    if user.email.lower() != invitation.email.lower():
        raise AccountsError(
            f"Cette invitation est adressée à {invitation.email}, la session ouverte est celle de {user.email}. "
            "Déconnectez-vous puis ouvrez à nouveau le lien."
        )
    return _grant(invitation, user, new_account=False)


def _keep_a_coordinator(role: Role) -> None:
    # Lock every coordinator role of the CPTS: two coordinators demoting each other at once must
    # not leave the CPTS with none.
    coordinators = list(Role.objects.select_for_update(of=("self",)).filter(cpts=role.cpts, kind=RoleKind.COORDINATOR))
    if role.kind == RoleKind.COORDINATOR and all(r.pk == role.pk for r in coordinators):
        raise AccountsError(
            f"La {role.cpts.name} doit garder au moins un coordinateur : "
            "invitez ou nommez d'abord un autre coordinateur."
        )


@transaction.atomic
def change_role(role: Role, kind: str, *, actor) -> Role:
    role = Role.objects.select_for_update(of=("self",)).select_related("cpts", "user").get(pk=role.pk)
    kind = _kind(kind)
    if kind == role.kind:
        raise AccountsError(f"{role.user} a déjà le rôle « {kind.label} ».")
    if RoleKind.STRUCTURE in (kind, role.kind):
        raise AccountsError(
            "Le rôle « personnel d'un établissement » se donne par une invitation qui nomme l'établissement : "
            "retirez ce rôle et envoyez une invitation."
        )
    if Role.objects.filter(user=role.user, cpts=role.cpts, kind=kind).exists():
        raise AccountsError(f"{role.user} a déjà le rôle « {kind.label} » : retirez plutôt celui-ci.")
    _keep_a_coordinator(role)
    before = role.kind
    role.kind = kind
    role.save(update_fields=["kind"])
    audit.record(
        "accounts.role.changed",
        actor=actor,
        cpts=role.cpts,
        obj=role,
        details={"user": role.user.email, "from": before, "to": kind},
    )
    return role


@transaction.atomic
def revoke_role(role: Role, *, actor) -> None:
    role = Role.objects.select_for_update(of=("self",)).select_related("cpts", "user").get(pk=role.pk)
    _keep_a_coordinator(role)
    audit.record(
        "accounts.role.revoked",
        actor=actor,
        cpts=role.cpts,
        obj=role,
        details={"user": role.user.email, "kind": role.kind},
    )
    role.delete()


def take_professional_identity(user, professional) -> bool:
    """A member linked to their RPPS entry is one person: the account's name becomes the entry's, so
    the team list, the header and the directory, proposals and slots all say the same name."""
    names = {"first_name": professional.first_name.strip(), "last_name": professional.last_name.strip()}
    if all(not value for value in names.values()) or all(getattr(user, k) == v for k, v in names.items()):
        return False
    for name, value in names.items():
        setattr(user, name, value)
    user.save(update_fields=list(names))
    return True


@transaction.atomic
def link_professional(user, rpps: str, *, actor, cpts=None, source: str = "declared") -> ProfessionalAccount:
    """Link an account to its professional of the national register, checked there.

    Pro Santé Connect hook: once PSC logs people in, its identity carries the RPPS number; the login
    handler then calls `link_professional(user, rpps, actor=user, source="pro_sante_connect")`
    instead of anyone typing it."""
    rpps = "".join((rpps or "").split())
    if not is_valid_rpps(rpps):
        raise AccountsError(f"« {rpps} » n'est pas un numéro RPPS valide : 11 chiffres dont une clé de contrôle.")
    professional = Professional.objects.filter(national_id=Professional.IdType.RPPS + rpps).first()
    if professional is None:
        raise AccountsError(
            f"Aucun professionnel ne porte le numéro RPPS {rpps} dans l'annuaire national : vérifiez le numéro."
        )
    if not professional.active:
        raise AccountsError(
            f"Le numéro RPPS {rpps} ({professional.full_name}) n'est plus actif dans l'annuaire national : "
            "il n'est pas possible d'y lier un compte."
        )
    if ProfessionalAccount.objects.filter(professional=professional).exclude(user=user).exists():
        raise AccountsError(f"Le numéro RPPS {rpps} est déjà lié au compte d'une autre personne.")
    previous = ProfessionalAccount.objects.filter(user=user).values_list("professional__national_id", flat=True).first()
    link, _ = ProfessionalAccount.objects.update_or_create(user=user, defaults={"professional": professional})
    take_professional_identity(user, professional)
    audit.record(
        "accounts.professional.linked",
        actor=actor,
        cpts=cpts,
        obj=link,
        details={"user": user.email, "national_id": professional.national_id, "previous": previous, "source": source},
    )
    return link


@transaction.atomic
def create_cpts(
    *, name: str, slug: str, codes, coordinator_email: str, actor, site_url: str, regions=None, **fields
) -> tuple[Cpts, Invitation]:
    """A new CPTS on its communes, its first coordinator invited. `regions`: the région codes the
    actor may create in (None: all, the platform admin). `fields`: finess, contact_email, phone,
    description."""
    wanted = sorted({code.strip().upper() for code in codes if code and code.strip()})
    if not wanted:
        raise AccountsError("Un territoire ne peut pas être vide : indiquez au moins une commune.")
    communes = list(Commune.objects.units().filter(code__in=wanted))
    unknown = sorted(set(wanted) - {c.code for c in communes})
    if unknown:
        raise AccountsError(
            f"{agree(len(unknown), 'Commune inconnue', 'Communes inconnues')} : {', '.join(unknown)}. "
            "Indiquez le code INSEE à 5 caractères."
        )
    outside = [str(c) for c in communes if regions is not None and c.region_id not in regions]
    if outside:
        raise AccountsError(f"Ces communes sont hors de votre région : {', '.join(outside)}.")
    if Cpts.objects.filter(Q(name__iexact=name) | Q(slug=slug)).exists():
        raise AccountsError("Une CPTS porte déjà ce nom ou cette adresse : choisissez-en d'autres.")
    cpts = Cpts.objects.create(name=name, slug=slug, **fields)
    CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune=c) for c in communes])
    territory_set.send(sender=Cpts, cpts=cpts)  # bulk_create sends no post_save
    invitation = _new_invitation(cpts, coordinator_email, RoleKind.COORDINATOR, actor, site_url)
    audit.record(
        "accounts.cpts.created",
        actor=actor,
        cpts=cpts,
        obj=cpts,
        details={"communes": wanted, "finess": cpts.finess, "coordinator_invited": invitation.email},
    )
    return cpts, invitation


@transaction.atomic
def reset_second_factor(user, *, actor) -> list[str]:
    """The lost-device procedure: the platform admin removes every authenticator of `user` (TOTP,
    recovery codes), who must set up a new one at their next login (RequireSecondFactorMiddleware).
    Whoever knows the password can then do it: the admin checks who is asking before calling this.
    Returns the kinds removed (empty when there was nothing to remove, which is still recorded)."""
    if not is_admin(actor):
        raise PermissionDenied("Seul l'administrateur de la plateforme peut réinitialiser un second facteur.")
    authenticators = Authenticator.objects.filter(user=user)
    removed = sorted(set(authenticators.values_list("type", flat=True)))
    authenticators.delete()
    # Whoever held the second factor may have made API tokens with it: they stop working too.
    revoked = ApiToken.objects.live().filter(user=user).update(revoked_at=timezone.now())
    details = {"removed": removed, **({"api_keys_revoked": revoked} if revoked else {})}
    audit.record("accounts.second_factor_reset", actor=actor, obj=user, details=details)
    return removed


@transaction.atomic
def create_api_token(user: User, *, name: str, scope: str, lifetime: str, second_factor: bool) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret, to show once: it is not stored. `second_factor`: the
    session has one (a TOTP authenticator or a Pro Santé Connect login), which the roles that read
    patient data require before a token can be made."""
    name = (name or "").strip()
    if not name:
        raise AccountsError("Donnez un nom au jeton, par exemple celui du logiciel qui l'utilisera.")
    if len(name) > 80:
        raise AccountsError("Le nom du jeton est trop long : 80 caractères au plus.")
    if scope not in ApiToken.Scope.values:
        raise AccountsError("Choisissez les droits du jeton : lecture seule, ou lecture et écriture.")
    if lifetime not in api_tokens.LIFETIMES:
        raise AccountsError("Choisissez une durée de validité proposée : 30 jours, 90 jours, un an ou sans limite.")
    if not user.is_active:
        raise AccountsError("Ce compte est désactivé.")
    if needs_second_factor(user) and not second_factor:
        raise AccountsError("Activez d'abord la double authentification : vos rôles l'exigent pour créer un jeton.")
    if ApiToken.objects.live().filter(user=user).count() >= api_tokens.MAX_LIVE_TOKENS:
        raise AccountsError(
            f"Vous avez déjà {api_tokens.MAX_LIVE_TOKENS} jetons actifs : révoquez-en un avant d'en créer un autre."
        )
    secret = api_tokens.new_secret()
    duration = api_tokens.LIFETIMES[lifetime]
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=secret[: api_tokens.PREFIX_LENGTH],
        digest=api_tokens.digest(secret),
        expires_at=timezone.now() + duration if duration else None,
    )
    audit.record(
        "accounts.api_token.created",
        actor=user,
        obj=token,
        details={
            "name": name,
            "scope": scope,
            "expires": token.expires_at and timezone.localtime(token.expires_at).isoformat(),
        },
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    """Revoke one of the actor's own tokens (idempotent: a second revocation changes nothing)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise AccountsError("Ce jeton n'existe pas ou ne vous appartient pas.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("accounts.api_token.revoked", actor=actor, obj=token, details={"name": token.name})
    return token
