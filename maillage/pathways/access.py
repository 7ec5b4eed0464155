"""Who sees which pathway, and how much of it: decided here and nowhere else (ADR 0028).

The policy (`accounts/policy.py`, Area.PATHWAYS) says who may reach the pathways of a CPTS at all:
its coordinators and its members. Within that:
- a coordinator sees every pathway of the CPTS: its progress, team and tasks; its clinical content
  (task notes, later the liaison log) only while the patient's consent to sharing with the
  coordination is in force — the coordination's staff are not all health professionals, and are
  outside the care team (CSP L1110-12);
- a member sees a pathway only while they are an active member of its care team (through the
  professional their account is linked to) and the patient does not object to exchange within
  the team (CSP L1110-4);
- anybody else (regulators, regional viewers, the platform admin, another CPTS) sees none.
`actor=None` is the system (the demo loader, the shell): it passes every check.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from maillage.accounts import policy
from maillage.accounts.models import Role, RoleKind
from maillage.accounts.policy import READ, Area
from maillage.pathways.models import CareTeamMember, Pathway, SharingDecision
from maillage.pathways.states import GRANTING, Scope


def professional_of(user):
    """The directory's professional a user's account is linked to, or None."""
    account = getattr(user, "professional_account", None) if user is not None else None
    return account.professional if account is not None else None


def is_coordinator(user, cpts) -> bool:
    if user is None or not user.is_authenticated or not policy.may(user, Area.PATHWAYS, READ, cpts):
        return False
    return Role.objects.filter(user=user, cpts=cpts, kind=RoleKind.COORDINATOR).exists()


def _granting(scope) -> Q:
    decisions = SharingDecision.objects.filter(
        pathway=OuterRef("pk"), scope=scope, withdrawn_at__isnull=True, decision__in=sorted(GRANTING)
    )
    return Q(Exists(decisions))


def visible_to(user, cpts):
    """The pathways of `cpts` that `user` may open (the queryset every view starts from)."""
    if user is None or not user.is_authenticated or not policy.may(user, Area.PATHWAYS, READ, cpts):
        return Pathway.objects.none()
    pathways = Pathway.objects.filter(cpts=cpts)
    if Role.objects.filter(user=user, cpts=cpts, kind=RoleKind.COORDINATOR).exists():
        return pathways
    professional = professional_of(user)
    if professional is None:
        return Pathway.objects.none()
    on_team = CareTeamMember.objects.filter(pathway=OuterRef("pk"), professional=professional, left_at__isnull=True)
    return pathways.filter(Exists(on_team)).filter(_granting(Scope.TEAM))


def sharing_in_force(pathway, scope) -> bool:
    return SharingDecision.objects.granting(scope).filter(pathway=pathway).exists()


def membership(user, pathway):
    """The user's active membership of the pathway's care team, or None."""
    professional = professional_of(user)
    if professional is None:
        return None
    return CareTeamMember.objects.active().filter(pathway=pathway, professional=professional).first()


def sees(user, pathway) -> bool:
    if user is None:
        return True
    return visible_to(user, pathway.cpts).filter(pk=pathway.pk).exists()


def sees_clinical(user, pathway) -> bool:
    """Whether the pathway's clinical content (task notes, later the liaison log) is shown."""
    if user is None:
        return True
    if not sees(user, pathway):
        return False
    if membership(user, pathway) is not None:
        return True  # visible as a member: the team's sharing is in force
    return sharing_in_force(pathway, Scope.COORDINATION)


def may_act(user, pathway) -> bool:
    """Whether the user may change the pathway (team, consent, tasks): its CPTS's coordinator, or
    an active member of its care team."""
    return sees(user, pathway)


def may_enrol(user, cpts) -> bool:
    """A coordinator, or a member linked to their directory entry (who refers their patient)."""
    if user is None:
        return True
    if is_coordinator(user, cpts):
        return True
    return policy.may(user, Area.PATHWAYS, READ, cpts) and professional_of(user) is not None


def may_edit_templates(user, cpts) -> bool:
    return user is None or is_coordinator(user, cpts)


# Issue 15 — FHIR read (CarePlan, CareTeam, Task) ------------------------------------------------


def fhir_visible_to(user):
    """Every pathway `user` may open, in every CPTS where they hold a role (the FHIR interface is not
    about one CPTS): the union of `visible_to` over those CPTS, in one query. Each row is annotated
    `clinical`, as `sees_clinical` would answer for it: the reader is on its active care team, or
    the patient's consent to sharing with the coordination is in force."""
    if user is None or not user.is_authenticated:
        return Pathway.objects.none()
    reachable = Q(cpts__in=policy.cpts(user, Area.PATHWAYS, READ))
    coordinated = Q(cpts__in=Role.objects.filter(user=user, kind=RoleKind.COORDINATOR).values("cpts_id"))
    professional = professional_of(user)
    condition = coordinated
    clinical = _granting(Scope.COORDINATION)
    if professional is not None:
        on_team = Q(
            Exists(
                CareTeamMember.objects.filter(pathway=OuterRef("pk"), professional=professional, left_at__isnull=True)
            )
        )
        condition |= on_team & _granting(Scope.TEAM)
        clinical = on_team | clinical
    return Pathway.objects.filter(reachable & condition).annotate(
        clinical=ExpressionWrapper(clinical, output_field=BooleanField())
    )
