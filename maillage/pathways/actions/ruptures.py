"""The alerts a person acts on: a re-hospitalisation declared, an alert resolved by hand."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.pathways import access
from maillage.pathways.actions import PathwayError, require
from maillage.pathways.models import AlertKind, Pathway, RuptureAlert
from maillage.pathways.states import PathwayStatus


def declare_rehospitalisation(pathway, actor, *, on: date, note: str = "", expected_version=None) -> RuptureAlert:
    """A team member or the coordinator learns the patient is back in hospital: the alert is
    raised now and signalled to the team and the coordination by the next detection run.
    `expected_version`: the pathway's version the page was read at (None: no form behind it)."""
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    require(pathway.status == PathwayStatus.ACTIVE, f"Ce parcours est « {pathway.get_status_display()} ».")
    require(isinstance(on, date), "Indiquez la date de la réhospitalisation.")
    require(
        MIN_YEAR <= on.year <= MAX_YEAR and on <= timezone.localdate(),
        "La date de réhospitalisation ne peut pas être dans le futur.",
    )
    already = "Une réhospitalisation est déjà signalée pour ce patient : résolvez d'abord cette alerte."
    try:
        with transaction.atomic():
            versioning.check_and_bump(pathway, expected_version)
            Pathway.objects.filter(pk=pathway.pk).update(rehospitalised_on=on)
            pathway.rehospitalised_on = on
            alert = RuptureAlert.objects.create(
                pathway=pathway, kind=AlertKind.REHOSPITALISED, raised_at=timezone.now()
            )
            audit.record(
                "pathways.rehospitalisation.declared", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
                details={"date": on.isoformat(), "motif": (note or "").strip()[:255]},
            )  # fmt: skip
    except IntegrityError:
        raise PathwayError(already) from None
    return alert


def resolve_alert(alert: RuptureAlert, actor, *, note: str = "") -> RuptureAlert:
    pathway = alert.pathway
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    with transaction.atomic():
        now = timezone.now()
        done = RuptureAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=audit.user_or_none(actor)
        )
        require(done, "Cette alerte est déjà résolue.")
        alert.resolved_at, alert.resolved_by = now, audit.user_or_none(actor)
        audit.record(
            "pathways.alert.resolved", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"alerte": alert.kind, "motif": (note or "").strip()[:255]},
        )  # fmt: skip
    return alert
