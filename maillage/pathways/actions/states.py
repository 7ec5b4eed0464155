"""A pathway's own state (states.PATHWAY_TRANSITIONS): closed with its outcome and a reason,
reopened. Each write checks the version the page was read at (ADR 0017: a stale save is refused)
and logs the transition. The hand-over to another CPTS is actions/handover.py's."""

from datetime import timedelta

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.models import log_transition
from maillage.pathways import access
from maillage.pathways.actions import require
from maillage.pathways.models import Pathway, PathwayTransition
from maillage.pathways.states import PathwayStatus, pathway_allowed

REASON_MAX = 200


class ClosureOutcome(models.TextChoices):
    COMPLETED = "completed", "parcours terminé"
    DECEASED = "deceased", "patient décédé"
    MOVED = "moved", "patient parti du territoire"
    INSTITUTION = "institution", "patient entré en établissement"
    DECLINED = "declined", "le patient ne souhaite plus être suivi"
    OTHER = "other", "autre motif"


def _move(pathway: Pathway, target: str, actor, *, note: str, details: dict, expected_version, **changes) -> Pathway:
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    source = pathway.status
    require(
        pathway_allowed(source, target) and target != PathwayStatus.TRANSFERRED,
        f"Ce parcours est « {pathway.get_status_display()} » : il ne peut pas passer à cet état.",
    )
    with transaction.atomic():
        versioning.lock_and_check(pathway, expected_version)
        now = timezone.now()
        done = Pathway.objects.filter(pk=pathway.pk, status=source).update(
            status=target, status_changed_at=now, version=F("version") + 1, **changes
        )
        require(done, "Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page.")
        pathway.status, pathway.status_changed_at = target, now
        pathway.version += 1
        for name, value in changes.items():
            setattr(pathway, name, value)
        log_transition(PathwayTransition, actor=actor, source=source, target=target, note=note, at=now, pathway=pathway)
        audit.record(
            "pathways.pathway.transition", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"de": source, "vers": target, **details},
        )  # fmt: skip
    return pathway


def close_pathway(pathway: Pathway, actor, *, outcome: str, reason: str = "", expected_version=None) -> Pathway:
    """Closes the pathway (its tasks stay as they are; the open alerts are resolved by the next
    detection run, as for any pathway no longer active)."""
    require(outcome in ClosureOutcome.values, "Choisissez pourquoi le parcours est clos.")
    reason = (reason or "").strip()
    require(len(reason) <= REASON_MAX, f"La précision est trop longue ({REASON_MAX} caractères au plus).")
    require(outcome != ClosureOutcome.OTHER or reason, "Précisez le motif de la clôture.")
    label = ClosureOutcome(outcome).label
    note = f"{label} : {reason}" if reason else label
    return _move(
        pathway, PathwayStatus.CLOSED, actor, note=note, details={"issue": outcome, "motif": reason},
        expected_version=expected_version,
    )  # fmt: skip


def reopen_pathway(pathway: Pathway, actor, *, reason: str = "", expected_version=None) -> Pathway:
    """Reopens a closed pathway (the patient comes back); the « sans contact » delay starts again."""
    reason = (reason or "").strip()
    require(reason, "Indiquez pourquoi le parcours est rouvert.")
    require(len(reason) <= REASON_MAX, f"Le motif est trop long ({REASON_MAX} caractères au plus).")
    contact_due = timezone.localdate() + timedelta(days=pathway.template.no_contact_days)
    return _move(
        pathway, PathwayStatus.ACTIVE, actor, note=reason, details={"motif": reason},
        expected_version=expected_version, contact_due_on=contact_due,
    )  # fmt: skip
