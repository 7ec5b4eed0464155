"""Handing a pathway over to another CPTS of the instance (issue 15, item 7), or sharing it.

Asked from the pathway by its coordinator or an active member of its team, with the patient's
consent to sharing outside the care team in force (`reading.require_sharing`, ADR 0028); answered
by a coordinator of the receiving CPTS. On acceptance:
- a transfer moves the pathway itself to the new CPTS: its tasks, alerts and liaison log follow;
  the old team leaves (their open tasks go back to « à affecter »); the old CPTS keeps the
  hand-over row and its audit entries, and no longer sees the patient;
- a share lets the receiving coordination read the pathway's progress (not its clinical content),
  until the patient withdraws that consent (`end_shares`) or the pathway is transferred.
Each step is written in both CPTS's audit logs (one entry per CPTS)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, versioning
from maillage.core.mail import send_after_commit, site_link
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError, require
from maillage.pathways.actions.reading import require_sharing
from maillage.pathways.models import CareTeamMember, HandOver, HandOverKind, HandOverStatus, Pathway, Task
from maillage.pathways.states import PathwayStatus, Scope
from maillage.territory.models import Cpts

REASON_MAX = 500


def receivers(pathway):
    """The CPTS a pathway may be handed over to: the instance's constituted CPTS but its own."""
    return Cpts.objects.filter(status=Cpts.Status.ACTIVE).exclude(pk=pathway.cpts_id).order_by("name")


def _both_sides(action, handover, actor, details=None):
    details = {"parcours": handover.pathway.reference, "nature": handover.kind, "de": handover.from_cpts.name,
               "vers": handover.to_cpts.name, **(details or {})}  # fmt: skip
    for cpts in (handover.from_cpts, handover.to_cpts):
        audit.record(action, actor=actor, cpts=cpts, obj=handover, health_data=True, details=details)


def request_handover(pathway: Pathway, actor, *, to_cpts, kind: str, reason: str = "") -> HandOver:
    if not access.sees(actor, pathway):
        raise NotVisible()
    require(access.may_hand_over(actor, pathway), "Vous ne pouvez pas transmettre ce parcours.")
    require(
        pathway.status == PathwayStatus.ACTIVE,
        f"Ce parcours est « {pathway.get_status_display()} » : il ne peut pas être transmis.",
    )
    require(kind in HandOverKind.values, "Choisissez entre le transfert du parcours et son partage.")
    require(
        isinstance(to_cpts, Cpts) and receivers(pathway).filter(pk=to_cpts.pk).exists(),
        "Choisissez une autre CPTS constituée de Maillage.",
    )
    reason = (reason or "").strip()
    require(len(reason) <= REASON_MAX, f"Le motif est trop long ({REASON_MAX} caractères au plus).")
    require_sharing(pathway, Scope.OUTSIDE)
    if kind == HandOverKind.SHARE:
        require(
            not pathway.handovers.filter(
                to_cpts=to_cpts, kind=HandOverKind.SHARE, status=HandOverStatus.ACCEPTED
            ).exists(),
            f"Ce parcours est déjà partagé avec la {to_cpts.name}.",
        )
    try:
        with transaction.atomic():
            handover = HandOver.objects.create(
                pathway=pathway, from_cpts=pathway.cpts, to_cpts=to_cpts, kind=kind, reason=reason,
                requested_by=audit.user_or_none(actor), requested_by_label=audit.actor_label(actor),
                requested_at=timezone.now(),
            )  # fmt: skip
            _both_sides("pathways.handover.requested", handover, actor, {"motif": reason})
            _tell_receivers(handover)
    except IntegrityError:
        raise PathwayError(
            "Une transmission de ce parcours attend déjà la réponse d'une CPTS : attendez sa réponse."
        ) from None
    return handover


def _tell_receivers(handover) -> None:
    """The receiving coordinators, by email: no identity, only the reference and a link."""
    emails = Role.objects.filter(cpts=handover.to_cpts, kind=RoleKind.COORDINATOR, user__is_active=True).values_list(
        "user__email", flat=True
    )
    link = site_link(reverse("www:pathway_handovers", args=[handover.to_cpts.slug]))
    for email in sorted(set(emails)):
        send_after_commit(
            email,
            f"Transmission d'un parcours — {handover.pathway.reference}",
            f"Bonjour,\n\nLa {handover.from_cpts.name} propose à la {handover.to_cpts.name} "
            f"le {handover.get_kind_display()} {handover.pathway.reference}.\n\n"
            f"Répondez dans Maillage : {link}\n",
        )


def answer_handover(handover: HandOver, actor, *, accept: bool, note: str = "") -> HandOver:
    """The receiving coordinator accepts or declines; accepted, the consent is checked again."""
    if not access.may_answer_handover(actor, handover):
        raise NotVisible("Cette transmission ne vous est pas adressée.")
    note = (note or "").strip()
    require(len(note) <= 255, "La réponse est trop longue (255 caractères au plus).")
    with transaction.atomic():
        locked = (
            HandOver.objects.select_for_update().select_related("pathway", "from_cpts", "to_cpts").get(pk=handover.pk)
        )
        require(locked.is_pending, f"Cette transmission a déjà reçu une réponse : {locked.get_status_display()}.")
        pathway = locked.pathway
        now = timezone.now()
        if accept:
            require(
                pathway.status == PathwayStatus.ACTIVE and pathway.cpts_id == locked.from_cpts_id,
                "Ce parcours n'est plus actif dans la CPTS qui le transmettait : la transmission ne peut pas "
                "être acceptée.",
            )
            require_sharing(pathway, Scope.OUTSIDE)  # withdrawn meanwhile: refused
        locked.status = HandOverStatus.ACCEPTED if accept else HandOverStatus.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_note = audit.user_or_none(actor), now, note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if accept and locked.kind == HandOverKind.TRANSFER:
            _transfer(locked, actor, now)
        _both_sides(
            "pathways.handover.accepted" if accept else "pathways.handover.declined", locked, actor, {"réponse": note}
        )
    return locked


def _transfer(handover, actor, now) -> None:
    pathway = handover.pathway
    versioning.check_and_bump(pathway, None)  # a form read before the move is stale
    team = CareTeamMember.objects.active().filter(pathway=pathway)
    Task.objects.open().filter(pathway=pathway, assignee__in=team).update(assignee=None)
    team.update(left_at=now, left_by=audit.user_or_none(actor))
    # The shares the old CPTS had granted end: the new one decides for itself.
    pathway.handovers.filter(kind=HandOverKind.SHARE, status=HandOverStatus.ACCEPTED).update(
        status=HandOverStatus.ENDED, ended_at=now
    )
    Pathway.objects.filter(pk=pathway.pk).update(cpts=handover.to_cpts)
    pathway.cpts = handover.to_cpts


def end_shares(pathway, actor, *, reason: str) -> int:
    """The patient withdrew (or refused) sharing outside the team: every share in force ends,
    logged on both sides. Inside the caller's transaction."""
    shares = list(
        pathway.handovers.select_for_update()
        .filter(kind=HandOverKind.SHARE, status__in=[HandOverStatus.ACCEPTED, HandOverStatus.PENDING])
        .select_related("from_cpts", "to_cpts", "pathway")
    )
    now = timezone.now()
    for share in shares:
        share.status, share.ended_at = HandOverStatus.ENDED, now
        share.save(update_fields=["status", "ended_at"])
        _both_sides("pathways.handover.ended", share, actor, {"motif": reason})
    return len(shares)


def read_shared(user, cpts, pathway):
    """A pathway shared with `cpts`, read by one of its coordinators (its progress, team and tasks,
    not its clinical content): the read is written in both CPTS's audit logs."""
    if not access.shared_with(user, cpts).filter(pk=pathway.pk).exists():
        raise NotVisible()
    details = {"parcours": pathway.reference, "partagé_avec": cpts.name}
    for side in (pathway.cpts, cpts):
        audit.record_health_read("pathways.handover.shared_viewed", actor=user, cpts=side, obj=pathway, details=details)
    team = list(pathway.team.active().select_related("professional", "partner"))
    tasks = list(pathway.tasks.select_related("assignee__professional", "assignee__partner"))
    return team, tasks
