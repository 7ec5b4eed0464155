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
    return _holds_coordinator_role(user, cpts)


def _holds_coordinator_role(user, cpts) -> bool:
    """The role row itself (remembered for the request, as the policy's answers are)."""
    return policy.remembered(
        ("coordinator", user.pk, cpts.pk),
        lambda: Role.objects.filter(user=user, cpts=cpts, kind=RoleKind.COORDINATOR).exists(),
    )


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
    if is_coordinator(user, cpts):
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


# Issue 15 — RCP: a meeting (réunion de concertation pluriprofessionnelle) is seen through its
# patients' pathways. A coordinator sees every meeting of the CPTS and all its patients (their
# questions and decisions only where `sees_clinical`); a member sees a meeting only if one of its
# patients is theirs, and of it only the patients whose pathway they see.


def meetings_visible_to(user, cpts):
    """The meetings of `cpts` that `user` may open."""
    from maillage.pathways.models import Meeting, MeetingPatient

    meetings = Meeting.objects.filter(cpts=cpts)
    if user is None or is_coordinator(user, cpts):
        return meetings
    visible = visible_to(user, cpts)
    if not visible.exists():
        return Meeting.objects.none()
    entries = MeetingPatient.objects.filter(meeting=OuterRef("pk"), pathway__in=visible.values("pk"))
    return meetings.filter(Exists(entries))


def meeting_entries_for(user, meeting):
    """The patients of `meeting` that `user` may see (`MeetingPatient` rows, pathway loaded)."""
    entries = meeting.patients.select_related("pathway", "pathway__template").order_by("pathway__last_name", "pk")
    if user is None or is_coordinator(user, meeting.cpts):
        return entries
    return entries.filter(pathway__in=visible_to(user, meeting.cpts).values("pk"))


def shown_patients(user, cpts):
    """How many of a meeting's patients `user` sees (as `meeting_entries_for` counts them), as an
    annotation of the meetings of `cpts`: one query for a whole list."""
    from django.db.models import Count

    if user is None or is_coordinator(user, cpts):
        return Count("patients", distinct=True)
    return Count("patients", filter=Q(patients__pathway__in=visible_to(user, cpts).values("pk")), distinct=True)


def sees_meeting(user, meeting) -> bool:
    return meetings_visible_to(user, meeting.cpts).filter(pk=meeting.pk).exists()


def may_schedule(user, cpts) -> bool:
    """Who programmes an RCP: the coordination, or a member linked to their directory entry (for
    the patients whose care team they are on)."""
    return may_enrol(user, cpts)


def may_organise(user, meeting) -> bool:
    """Who changes the meeting itself (date, place, patients, participants, its state): the
    coordination, or a member who sees every one of its patients."""
    if user is None or is_coordinator(user, meeting.cpts):
        return True
    if not sees_meeting(user, meeting):
        return False
    hidden = meeting.patients.exclude(pathway__in=visible_to(user, meeting.cpts).values("pk"))
    return not hidden.exists()


def may_record_for(user, pathway) -> bool:
    """Who writes a patient's questions and decisions (clinical content): who may act on the
    pathway and read its clinical content."""
    return may_act(user, pathway) and sees_clinical(user, pathway)


def may_export_participation(user, cpts) -> bool:
    """The participation export (for paying professionals) is the coordination's."""
    return user is None or is_coordinator(user, cpts)


# Issue 15 — liaison log, alerts list and hand-over.


def may_use_liaison(user, pathway) -> bool:
    """The liaison log is clinical content: read and written by the active care team, and by the
    coordinator while the patient's consent to sharing with the coordination is in force."""
    return sees_clinical(user, pathway)


def liaison_pathways(user, cpts):
    """The pathways of `cpts` whose liaison log `user` reads (`may_use_liaison`, as a queryset)."""
    pathways = visible_to(user, cpts)
    if user is None or not is_coordinator(user, cpts):
        return pathways  # a member sees only the pathways whose team they are on, log included
    granted = _granting(Scope.COORDINATION)
    professional = professional_of(user)
    if professional is not None:
        granted |= Q(Exists(CareTeamMember.objects.active().filter(pathway=OuterRef("pk"), professional=professional)))
    return pathways.filter(granted)


def may_hand_over(user, pathway) -> bool:
    """The coordinator or an active member of the care team."""
    return may_act(user, pathway)


def may_answer_handover(user, handover) -> bool:
    """Only a coordinator of the receiving CPTS answers a hand-over."""
    return user is None or is_coordinator(user, handover.to_cpts)


def shared_with(user, cpts):
    """The pathways of other CPTS shared with `cpts` (accepted, not ended) that `user`, one of its
    coordinators, reads — only while the patient's consent to sharing outside the team is in force."""
    from maillage.pathways.models import HandOver, HandOverKind, HandOverStatus

    if user is not None and not is_coordinator(user, cpts):
        return Pathway.objects.none()
    shares = HandOver.objects.filter(
        pathway=OuterRef("pk"), to_cpts=cpts, kind=HandOverKind.SHARE, status=HandOverStatus.ACCEPTED
    )
    return Pathway.objects.exclude(cpts=cpts).filter(Exists(shares)).filter(_granting(Scope.OUTSIDE))


# Issue 15 — care requests (demandes de prise en charge). Who sees a request: the CPTS's
# coordinator, whoever sent it, the professionals it was offered to (its recipients: need,
# commune, date and distance only), and the care team of its pathway. Who sees the patient's
# identity on it: the coordinator, the requester, the pathway's team, and the winner once accepted.


def request_cpts(user, slug):
    """The CPTS `slug` for the care requests pages: reached through the policy (its coordinators
    and members), or by a professional of a neighbouring CPTS a request of it was offered to.
    None when neither."""
    from maillage.pathways.models import CareRequestRecipient
    from maillage.territory.models import Cpts

    if user is None or not user.is_authenticated:
        return None
    found = policy.cpts(user, Area.CARE_REQUESTS, READ).filter(slug=slug).first()
    if found is not None:
        return found
    professional = professional_of(user)
    if professional is None:
        return None
    offered = CareRequestRecipient.objects.filter(professional=professional, request__cpts__slug=slug)
    return Cpts.objects.filter(slug=slug).first() if offered.exists() else None


def coordinates_requests(user, cpts) -> bool:
    if user is None:
        return True
    return (
        user.is_authenticated
        and policy.may(user, Area.CARE_REQUESTS, READ, cpts)
        and _holds_coordinator_role(user, cpts)
    )


def structure_of(user, cpts):
    """The establishment (FINESS) a « structure » role of `cpts` speaks for, or None."""
    if user is None or not user.is_authenticated:
        return None
    role = Role.objects.filter(user=user, cpts=cpts, kind=RoleKind.STRUCTURE).select_related("structure").first()
    return role.structure if role is not None else None


def may_request(user, cpts) -> bool:
    """Who may send a care request for `cpts`: its coordinator, a member linked to their directory
    entry, or the staff of an establishment (a hospital's discharge team)."""
    if user is None or coordinates_requests(user, cpts):
        return True
    from maillage.accounts.policy import WRITE

    if not policy.may(user, Area.CARE_REQUESTS, WRITE, cpts):
        return False
    return professional_of(user) is not None or structure_of(user, cpts) is not None


def recipient_of(user, care_request):
    """The user's recipient row on the request (they were offered it), or None."""
    from maillage.pathways.models import CareRequestRecipient

    professional = professional_of(user)
    if professional is None:
        return None
    return CareRequestRecipient.objects.filter(request=care_request, professional=professional).first()


def sent_request(user, care_request) -> bool:
    return user is not None and user.is_authenticated and care_request.requested_by_id == user.pk


def won_request(user, care_request) -> bool:
    professional = professional_of(user)
    return professional is not None and care_request.accepted_by_id == professional.pk


def sees_request(user, care_request) -> bool:
    if user is None:
        return True
    if coordinates_requests(user, care_request.cpts) or sent_request(user, care_request):
        return True
    if recipient_of(user, care_request) is not None:
        return True
    return care_request.pathway_id is not None and sees(user, care_request.pathway)


def sees_request_identity(user, care_request) -> bool:
    """Whether the patient's name, phone and address are shown on the request."""
    if user is None:
        return True
    if coordinates_requests(user, care_request.cpts) or sent_request(user, care_request):
        return True
    if won_request(user, care_request):
        return True
    return care_request.pathway_id is not None and sees(user, care_request.pathway)


def may_manage_request(user, care_request) -> bool:
    """Cancel: the requester or the coordinator."""
    return user is None or coordinates_requests(user, care_request.cpts) or sent_request(user, care_request)


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
