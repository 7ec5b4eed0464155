"""Qualification, transitions and the priority weights."""

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.models import log_transition
from maillage.doctor_access.actions import AccessError
from maillage.doctor_access.models import AccessSettings, DoctorRequest, PriorityWeight, Proposal, RequestTransition
from maillage.doctor_access.priority import score
from maillage.doctor_access.states import OPEN, CloseReason, Status, allowed

QUALIFICATION_FIELDS = [
    "ald", "c2s_ame", "precarity", "isolation", "pregnancy", "chronic_disease", "disability", "hospital_discharge",
    "notes",
]  # fmt: skip


def move(
    request: DoctorRequest, target: str, actor, *, note: str = "", close_reason: str = "", declared_on=None
) -> DoctorRequest:
    """Moves `request` (inside the caller's transaction) if the table allows it.

    The UPDATE is conditional on the state read, so two people acting at once cannot both move it:
    the second one gets a clear refusal instead of a double move.
    """
    source = request.status
    if not allowed(source, target):
        raise AccessError(
            f"La demande {request.reference} est « {request.get_status_display()} » : "
            f"elle ne peut pas passer à « {Status(target).label} »."
        )
    if target == Status.CLOSED and close_reason not in CloseReason.values:
        raise AccessError("Indiquez le motif de clôture.")
    now = timezone.now()
    changes = {
        "status": target,
        "status_changed_at": now,
        "close_reason": close_reason if target == Status.CLOSED else "",
    }
    if target == Status.DECLARED:
        changes["resolved_at"] = now
        changes["declared_on"] = declared_on or timezone.localdate(now)
    done = DoctorRequest.objects.filter(pk=request.pk, status=source).update(**changes)
    if not done:
        raise AccessError(
            f"La demande {request.reference} vient d'être modifiée par quelqu'un d'autre : rechargez la page."
        )
    for name, value in changes.items():
        setattr(request, name, value)
    reason = note or (CloseReason(close_reason).label if close_reason else "")
    log_transition(RequestTransition, actor=actor, source=source, target=target, note=reason, at=now, request=request)
    return request


def transition(request: DoctorRequest, target: str, actor, *, note: str = "", close_reason: str = "") -> DoctorRequest:
    """A transition made by hand by the coordinator or the regulator."""
    with transaction.atomic():
        if target in (Status.CLOSED, Status.QUALIFIED) and request.status in (Status.PROPOSED, Status.ACCEPTED):
            # The doctor's pending or accepted proposal is withdrawn: their place is given back.
            Proposal.objects.filter(
                request=request, status__in=[Proposal.Status.PENDING, Proposal.Status.ACCEPTED]
            ).update(status=Proposal.Status.WITHDRAWN, decided_at=timezone.now())
        move(request, target, actor, note=note, close_reason=close_reason)
        audit.record(
            "doctor_access.request.transition",
            actor=actor,
            cpts=request.cpts,
            obj=request,
            details={"vers": target, "motif": close_reason or note},
            health_data=True,
        )
    return request


def qualify(request: DoctorRequest, data: dict, actor, *, expected_version: int | None = None) -> DoctorRequest:
    """Saves the situation and notes, recomputes the priority, and qualifies a request just received.

    `expected_version` is the version the form was read at: another person's save since then is
    refused (`versioning.StaleEdit`) rather than erased."""
    if not request.is_open:
        raise AccessError("Cette demande est close : elle ne peut plus être modifiée.")
    with transaction.atomic():
        versioning.check_and_bump(request, expected_version)
        for name in QUALIFICATION_FIELDS:
            if name in data:
                setattr(request, name, data[name])
        request.priority = score(request, AccessSettings.of(request.cpts).weights(), timezone.localdate())
        request.save(update_fields=[*QUALIFICATION_FIELDS, "priority"])
        if request.status == Status.RECEIVED:
            move(request, Status.QUALIFIED, actor)
        audit.record(
            "doctor_access.request.qualified",
            actor=actor,
            cpts=request.cpts,
            obj=request,
            details={"priorité": request.priority},
            health_data=True,
        )
    return request


def update_weights(cpts, weights: list[tuple[str, int]], actor) -> int:
    """Sets the order (list order) and weights of the criteria, then recomputes the priority of
    every open request of the CPTS. Returns how many priorities changed."""
    with transaction.atomic():
        AccessSettings.of(cpts)
        for position, (criterion, weight) in enumerate(weights):
            PriorityWeight.objects.update_or_create(
                cpts=cpts, criterion=criterion, defaults={"weight": weight, "position": position}
            )
        changed = recompute_priorities(cpts)
        audit.record(
            "doctor_access.weights.updated",
            actor=actor,
            cpts=cpts,
            details={"poids": dict(weights), "priorités_recalculées": changed},
        )
    return changed


def recompute_priorities(cpts) -> int:
    weights = AccessSettings.of(cpts).weights()
    today = timezone.localdate()
    changed = []
    for request in DoctorRequest.objects.filter(cpts=cpts, status__in=sorted(OPEN)):
        new = score(request, weights, today)
        if new != request.priority:
            request.priority = new
            changed.append(request)
    DoctorRequest.objects.bulk_update(changed, ["priority"], batch_size=500)
    return len(changed)


def save_settings(cpts, form, actor) -> None:
    """`form` is a valid SettingsForm (a ModelForm on the CPTS's AccessSettings)."""
    with transaction.atomic():
        settings = form.save()
        audit.record(
            "doctor_access.settings.updated",
            actor=actor,
            cpts=cpts,
            obj=settings,
            details={name: form.cleaned_data[name] for name in form.changed_data},
        )
