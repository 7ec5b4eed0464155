"""The access policy: who may read or write what, and in which CPTS. Decided here and nowhere else.

`RULES` is the declared table: for an area of the application and an action, the role kinds that
may, each with its scope:
- OWN: the CPTS in which the person holds that role;
- REGION: the CPTS that have a commune in a région where the person holds that role (regional
  viewers: aggregates only, never a person — `reads_as_region` tells a view to hide small numbers);
- ALL: every CPTS (the platform admin).
Anything not granted is refused, and a refused CPTS answers 404 as if it did not exist. Views and
API endpoints ask `cpts_for` / `cpts` / `may` / `regions`; the permission-matrix test
(tests/test_permissions.py) reads its expectations from `RULES` too.
"""

from contextvars import ContextVar
from enum import StrEnum

from django.db.models import Exists, Q
from django.http import Http404

from maillage.accounts.models import Role, RoleKind
from maillage.territory.models import Cpts, Region


class Area(StrEnum):
    COORDINATION = "coordination"  # the coordinator's dashboard
    TERRITORY = "territory"
    AUDIT = "audit"
    ACCOUNTS = "accounts"  # the CPTS's team: invitations, roles, RPPS links
    DIRECTORY = "directory"  # the CPTS's directory, professionals' pages, partners, enrichment
    DIRECTORY_EXPORT = "directory_export"
    DOCTOR_ACCESS_LIST = "doctor_access_list"  # the waiting list for a médecin traitant (patients)
    DOCTOR_ACCESS_MATCHING = "doctor_access_matching"  # weights, settings, matching
    DOCTOR_ACCESS_OWN = "doctor_access_own"  # a doctor's own proposals, a member's referrals
    UNSCHEDULED_DESK = "unscheduled_desk"  # the SNP desk (patients)
    OWN_SLOTS = "own_slots"  # a professional's own slots and calendar
    INDICATORS = "indicators"
    FUNDING = "funding"
    PROJET = "projet"  # projet de santé and territorial diagnostic
    LIFECYCLE = "lifecycle"
    LIFECYCLE_DOCUMENTS = "lifecycle_documents"
    LIFECYCLE_ARS_DECISION = "lifecycle_ars_decision"  # the ARS reads a filed projet and answers it
    COVERAGE = "coverage"  # the pages of a région or a département (scoped by région)
    CPTS_CREATION = "cpts_creation"  # a new CPTS on communes of a région (scoped by région)
    PLATFORM = "platform"  # the running of the platform itself: background tasks
    # Patients' pathways (parcours pluriprofessionnels): which ones a person sees, and how much of
    # each, is decided object by object in maillage/pathways/access.py (care team, consent).
    PATHWAYS = "pathways"
    # Issue 15 — care requests: finding a professional for a patient. Which requests a person sees
    # (their own, those offered to them) is maillage/pathways/access.py's `sees_request`.
    CARE_REQUESTS = "care_requests"
    # Issue 16 — the association: the coordination manages members, fees, assemblies, the board,
    # announcements (ASSOCIATION); members read and act in « l'espace adhérent » (ASSOCIATION_SPACE:
    # which member they act for is maillage/association/access.py `member_of`); the ARS reads the
    # representativeness report (ASSOCIATION_REPORT: counts only, small ones hidden).
    ASSOCIATION = "association"
    ASSOCIATION_SPACE = "association_space"
    ASSOCIATION_REPORT = "association_report"
    # Issue 17 — the other ACI missions. Each part adds its areas under its own line.
    # Issue 17 — prévention (maillage/prevention/):
    PREVENTION = "prevention"  # campaigns, their actions and results, the campaign report
    # Issue 17 — qualité et pertinence (maillage/quality/):
    # The coordination manages the peer groups, the protocols' library and the adverse events'
    # analysis (QUALITY); the team reads the protocols in use, sees its own groups (object level: the
    # person's linked professional is a member) and declares adverse events (QUALITY_SPACE).
    QUALITY = "quality"
    QUALITY_SPACE = "quality_space"
    # Issue 17 — accompagnement des professionnels (maillage/support/):
    # SUPPORT: the coordination's pages (offers to validate, newcomers and their welcome, setting);
    # SUPPORT_OFFERS: members and communes' representatives (adherents) post installation offers and
    # follow their own (which ones are theirs: maillage/www/support/space.py). The attractiveness
    # map and the published offers are public pages (no area).
    SUPPORT = "support"
    SUPPORT_OFFERS = "support_offers"
    # Issue 17 — crise: plan, activation, home follow-up, RETEX (maillage/crisis/):
    CRISIS = "crisis"  # the crisis plan, the crises' pages for the team, the RETEX (coordinator writes)
    CRISIS_DECLARE = "crisis_declare"  # declaring, closing a crisis and alerting: the CPTS or the ARS
    CRISIS_RECOGNISE = "crisis_recognise"  # the ARS recognises a crisis the CPTS declared (the ACI's flag)
    # Issue 17 — crise: centres and shifts, supplies, case map (maillage/crisis/):
    # the coordination runs the centres and the stock, the team reads them (CRISIS_RESPONSE);
    # members and coordinators sign up for shifts (CRISIS_VOLUNTEER: a member for themselves);
    # case counts by commune are written by the coordination and the région's ARS and read by the
    # team and the ARS, small counts hidden from whoever does not write them (CRISIS_CASES).
    CRISIS_RESPONSE = "crisis_response"
    CRISIS_VOLUNTEER = "crisis_volunteer"
    CRISIS_CASES = "crisis_cases"
    # Issue 18 — a slot's booking page, opened from the SAS platform by a regulator of the SAS.
    SAS_BOOKING = "sas_booking"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


class Scope(StrEnum):
    OWN = "own"
    REGION = "region"
    ALL = "all"


READ, WRITE = Action.READ, Action.WRITE
OWN, REGION, ALL = Scope.OWN, Scope.REGION, Scope.ALL
ADMIN, VIEWER, REGIONAL_ADMIN = RoleKind.ADMIN, RoleKind.REGIONAL_VIEWER, RoleKind.REGIONAL_ADMIN
COORDINATOR, MEMBER, REGULATOR = RoleKind.COORDINATOR, RoleKind.MEMBER, RoleKind.REGULATOR
STRUCTURE = RoleKind.STRUCTURE  # issue 15: a hospital's discharge staff (care requests only)
ADHERENT = RoleKind.ADHERENT  # issue 16: a member of the association off the CPTS's team
SAS_REGULATOR = RoleKind.SAS_REGULATOR  # issue 18: a regulator of the SAS, scoped to a région

_COORDINATOR = {COORDINATOR: OWN}
_TEAM = {COORDINATOR: OWN, MEMBER: OWN, REGULATOR: OWN}
_DESK = {COORDINATOR: OWN, REGULATOR: OWN}
# Aggregates of a CPTS (no person in them): its coordinators, the admin, the région's viewers.
_AGGREGATES = {COORDINATOR: OWN, ADMIN: ALL, VIEWER: REGION}
_COORDINATOR_OR_ADMIN = {COORDINATOR: OWN, ADMIN: ALL}
# The ARS: its people in the région of the CPTS (viewers and regional admins), and the admin.
_ARS = {VIEWER: REGION, REGIONAL_ADMIN: REGION, ADMIN: ALL}

RULES: dict[Area, dict[Action, dict[RoleKind, Scope]]] = {
    Area.COORDINATION: {READ: _COORDINATOR},
    Area.TERRITORY: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    Area.AUDIT: {READ: _COORDINATOR},
    # The team of a CPTS: its coordinators invite, change and revoke roles, link RPPS records.
    Area.ACCOUNTS: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    Area.DIRECTORY: {READ: _TEAM, WRITE: _COORDINATOR},
    Area.DIRECTORY_EXPORT: {READ: _COORDINATOR},
    Area.DOCTOR_ACCESS_LIST: {READ: _DESK, WRITE: _DESK},
    Area.DOCTOR_ACCESS_MATCHING: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    # The team's own page; which proposals and patients it shows is the doctor's own (object level).
    Area.DOCTOR_ACCESS_OWN: {READ: _TEAM, WRITE: _TEAM},
    Area.UNSCHEDULED_DESK: {READ: _DESK, WRITE: _DESK},
    Area.OWN_SLOTS: {READ: _TEAM, WRITE: _TEAM},
    Area.INDICATORS: {READ: {**_AGGREGATES, MEMBER: OWN}, WRITE: _COORDINATOR_OR_ADMIN},
    Area.FUNDING: {READ: _AGGREGATES, WRITE: _COORDINATOR_OR_ADMIN},
    Area.PROJET: {READ: {**_AGGREGATES, **_TEAM}, WRITE: _COORDINATOR},
    Area.LIFECYCLE: {READ: _AGGREGATES, WRITE: _COORDINATOR_OR_ADMIN},
    Area.LIFECYCLE_DOCUMENTS: {READ: _COORDINATOR_OR_ADMIN, WRITE: _COORDINATOR_OR_ADMIN},
    # The ARS's answer to a filed projet de santé is the ARS's own: coordinators file, never answer.
    Area.LIFECYCLE_ARS_DECISION: {READ: _ARS, WRITE: _ARS},
    Area.COVERAGE: {READ: {ADMIN: ALL, VIEWER: REGION, REGIONAL_ADMIN: REGION}},
    # The platform admin creates a CPTS anywhere, an ARS's regional admin on communes of its région.
    Area.CPTS_CREATION: {READ: {ADMIN: ALL, REGIONAL_ADMIN: REGION}, WRITE: {ADMIN: ALL, REGIONAL_ADMIN: REGION}},
    Area.PLATFORM: {READ: {ADMIN: ALL}},
    # Coordinators see their CPTS's pathways (progress and tasks; clinical content with the
    # patient's consent), members only those whose care team they are on. Regulators, regional
    # viewers and the platform admin see no pathway (regional counts come from the registry).
    # WRITE (enrol, team, consent, tasks) for the same roles; which pathway a person may change is
    # pathways/access.py's `may_act` and `may_enrol` (object level).
    Area.PATHWAYS: {READ: {COORDINATOR: OWN, MEMBER: OWN}, WRITE: {COORDINATOR: OWN, MEMBER: OWN}},
    # Issue 15 — care requests: the coordinator (all of the CPTS's), members (theirs, and those
    # offered to them — a professional in reach who is a member of a neighbouring CPTS reaches
    # the ones offered to them through pathways/access.py `request_cpts`), and the staff of an
    # establishment (a « structure » role): they send requests and see their own, nothing else.
    Area.CARE_REQUESTS: {
        READ: {COORDINATOR: OWN, MEMBER: OWN, STRUCTURE: OWN},
        WRITE: {COORDINATOR: OWN, MEMBER: OWN, STRUCTURE: OWN},
    },
    # Issue 16 — the association.
    Area.ASSOCIATION: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    Area.ASSOCIATION_SPACE: {
        READ: {COORDINATOR: OWN, MEMBER: OWN, ADHERENT: OWN},
        WRITE: {COORDINATOR: OWN, MEMBER: OWN, ADHERENT: OWN},
    },
    Area.ASSOCIATION_REPORT: {READ: _AGGREGATES},
    # Issue 17 — prévention: the coordinator runs the campaigns; the team reads them (professionals
    # take part in the actions). Regional viewers read the mission's figures in the registry
    # (Area.INDICATORS: small counts hidden), not the campaigns themselves.
    Area.PREVENTION: {READ: _TEAM, WRITE: _COORDINATOR},
    # Issue 17 — qualité et pertinence:
    Area.QUALITY: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    Area.QUALITY_SPACE: {READ: _TEAM, WRITE: _TEAM},
    # Issue 17 — accompagnement des professionnels:
    Area.SUPPORT: {READ: _COORDINATOR, WRITE: _COORDINATOR},
    Area.SUPPORT_OFFERS: {
        READ: {COORDINATOR: OWN, MEMBER: OWN, ADHERENT: OWN},
        WRITE: {COORDINATOR: OWN, MEMBER: OWN, ADHERENT: OWN},
    },
    # Issue 17 — crise: plan, activation, home follow-up, RETEX:
    # The plan holds professionals' contacts: the team reads it, the coordinator writes it. A crisis is
    # declared by the CPTS's coordinator or by the ARS (its people of the CPTS's région, who may pick
    # several CPTS of it at once); only the ARS recognises one (the ACI's « crise reconnue »).
    Area.CRISIS: {READ: _TEAM, WRITE: _COORDINATOR},
    Area.CRISIS_DECLARE: {READ: {COORDINATOR: OWN, **_ARS}, WRITE: {COORDINATOR: OWN, **_ARS}},
    Area.CRISIS_RECOGNISE: {WRITE: _ARS},
    # Issue 17 — crise: centres and shifts, supplies, case map:
    Area.CRISIS_RESPONSE: {READ: _TEAM, WRITE: _COORDINATOR},
    Area.CRISIS_VOLUNTEER: {READ: {COORDINATOR: OWN, MEMBER: OWN}, WRITE: {COORDINATOR: OWN, MEMBER: OWN}},
    Area.CRISIS_CASES: {READ: {**_TEAM, **_ARS}, WRITE: {COORDINATOR: OWN, **_ARS}},
    # Issue 18 — booking from the SAS: the regulators of the SAS of the CPTS's région (the CPTS's own
    # desk books through its own pages).
    Area.SAS_BOOKING: {READ: {SAS_REGULATOR: REGION}, WRITE: {SAS_REGULATOR: REGION}},
}


def grants(area: Area, action: Action) -> dict[RoleKind, Scope]:
    """The role kinds that may `action` in `area`, with their scope (empty: nobody)."""
    return RULES.get(area, {}).get(action, {})


def _granted(user, granted: dict[RoleKind, Scope]) -> Q:
    """The condition on a CPTS that `user` holds one of the `granted` roles over, in one query."""
    condition = Q(pk__in=[])
    by_scope = {scope: [kind for kind, s in granted.items() if s == scope] for scope in Scope}
    if by_scope[ALL]:
        condition |= Q(Exists(Role.objects.filter(user=user, kind__in=by_scope[ALL])))
    if by_scope[OWN]:
        condition |= Q(pk__in=Role.objects.filter(user=user, kind__in=by_scope[OWN]).values("cpts_id"))
    if by_scope[REGION]:
        regions = Role.objects.filter(user=user, kind__in=by_scope[REGION]).values("region_id")
        condition |= Q(pk__in=Cpts.objects.of_regions(regions).values("pk"))
    return condition


def _superuser_reaches_all(user, granted: dict[RoleKind, Scope]) -> bool:
    # A superuser is a platform admin even without the role row (createsuperuser makes none).
    return user.is_superuser and granted.get(ADMIN) == ALL


def cpts(user, area: Area, action: Action = READ):
    """The CPTS this user may `action` in `area`: the queryset every scoped lookup starts from."""
    if not user.is_authenticated:
        return Cpts.objects.none()
    granted = grants(area, action)
    if _superuser_reaches_all(user, granted):
        return Cpts.objects.all()
    return Cpts.objects.filter(_granted(user, granted))


def cpts_for(request, slug: str, area: Area, action: Action = READ) -> Cpts:
    """The CPTS `slug` if the user may `action` in `area` there; otherwise 404, as if it did not exist."""
    found = cpts(request.user, area, action).filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


# One request asks the same question many times (a pathways page: the view, the access module,
# the navigation — 15 identical queries before this memo). The answers are remembered for the
# request only (`PolicyMemoMiddleware`), and forgotten as soon as a role is saved or deleted
# (maillage/accounts/signals.py), so that a role granted during the request counts at once.
# Outside a request (workers, the shell, tests calling functions directly) nothing is remembered.
_memo: ContextVar[dict | None] = ContextVar("maillage_policy_memo", default=None)


def remembered(key: tuple, compute):
    """`compute()`, remembered for the current request under `key` (its first item names the
    question: "may", "coordinator"…)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drops the request's remembered answers (a role changed)."""
    memo = _memo.get()
    if memo:
        memo.clear()


class PolicyMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def may(user, area: Area, action: Action, target: Cpts) -> bool:
    """Whether the user may `action` in `area` of `target` (for links and buttons on a page)."""
    return remembered(
        ("may", user.pk, area, action, target.pk), lambda: cpts(user, area, action).filter(pk=target.pk).exists()
    )


def everywhere(user, area: Area, action: Action = READ) -> bool:
    """Whether the user may `action` in `area` of every CPTS and région (the platform admin)."""
    if not user.is_authenticated:
        return False
    granted = grants(area, action)
    every = [kind for kind, scope in granted.items() if scope == ALL]
    return _superuser_reaches_all(user, granted) or Role.objects.filter(user=user, kind__in=every).exists()


def reads_as_region(user, area: Area, target: Cpts) -> bool:
    """True when the user reads `target` only as a regional viewer: aggregates with small numbers
    hidden, never a person. False for the CPTS's own people and the admin."""
    beyond_region = {kind: scope for kind, scope in grants(area, READ).items() if scope != REGION}
    if _superuser_reaches_all(user, beyond_region):
        return False
    return not Cpts.objects.filter(_granted(user, beyond_region), pk=target.pk).exists()


def regions(user, area: Area = Area.COVERAGE, action: Action = READ):
    """The régions whose pages the user may `action` in `area`."""
    if not user.is_authenticated:
        return Region.objects.none()
    granted = grants(area, action)
    if _superuser_reaches_all(user, granted):
        return Region.objects.all()
    every = [kind for kind, scope in granted.items() if scope == ALL]
    regional = [kind for kind, scope in granted.items() if scope == REGION]
    condition = Q(code__in=Role.objects.filter(user=user, kind__in=regional).values("region_id"))
    if every:
        condition |= Q(Exists(Role.objects.filter(user=user, kind__in=every)))
    return Region.objects.filter(condition)


def region_for(request, code: str, area: Area = Area.COVERAGE) -> Region:
    found = regions(request.user, area).filter(code=code).first()
    if found is None:
        raise Http404
    return found
