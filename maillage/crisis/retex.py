"""Issue 17 — the retour d'expérience after a crisis: a dated review (what worked, what did not)
and the actions decided, each with its owner, due date and whether it is done."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import Crisis, Retex, RetexAction


def save_retex(crisis: Crisis, *, held_on: date, worked: str, did_not_work: str, actor,
               expected_version=None, today: date | None = None) -> Retex:  # fmt: skip
    today = today or timezone.localdate()
    errors = []
    if crisis.status != Crisis.Status.CLOSED or crisis.ends_on is None:
        errors.append("Le retour d'expérience se fait après la crise : clôturez-la d'abord.")
    if held_on is None:
        errors.append("Indiquez la date du retour d'expérience.")
    elif crisis.ends_on is not None and held_on < crisis.ends_on:
        errors.append(f"Le retour d'expérience suit la fin de la crise ({crisis.ends_on:%d/%m/%Y}).")
    elif held_on > today:
        errors.append("Le retour d'expérience se note une fois tenu : la date est dans le futur.")
    if not (worked or "").strip() and not (did_not_work or "").strip():
        errors.append("Dites ce qui a fonctionné ou ce qui n'a pas fonctionné.")
    if errors:
        raise CrisisError(errors)
    with transaction.atomic():
        versioning.check_and_bump(Retex.objects.filter(crisis=crisis), expected_version)
        retex, created = Retex.objects.update_or_create(
            crisis=crisis,
            defaults={"held_on": held_on, "worked": worked.strip(), "did_not_work": did_not_work.strip()},
        )
        if created:
            retex.version = 1
            retex.save(update_fields=["version"])
        audit.record("crisis.retex.saved", actor=actor, cpts=crisis.cpts, obj=retex,
                     details={"date": held_on.isoformat()})  # fmt: skip
    return retex


def add_action(crisis: Crisis, *, action: str, owner: str, due_on: date | None, actor) -> RetexAction:
    retex = Retex.objects.filter(crisis=crisis).first()
    errors = [] if retex is not None else ["Enregistrez d'abord le retour d'expérience."]
    if not (action or "").strip():
        errors.append("Décrivez l'action décidée.")
    if not (owner or "").strip():
        errors.append("Indiquez qui en est responsable.")
    if errors:
        raise CrisisError(errors)
    with transaction.atomic():
        row = RetexAction.objects.create(retex=retex, action=action.strip(), owner=owner.strip(), due_on=due_on)
        audit.record("crisis.retex.action_added", actor=actor, cpts=crisis.cpts, obj=retex,
                     details={"action": row.action, "responsable": row.owner})  # fmt: skip
    return row


def mark_done(crisis: Crisis, action_pk: int, actor, *, done_on: date | None = None) -> RetexAction:
    done_on = done_on or timezone.localdate()
    with transaction.atomic():
        row = RetexAction.objects.select_for_update().filter(retex__crisis=crisis, pk=action_pk).first()
        if row is None:
            raise CrisisError("Cette action n'existe plus.")
        if row.done_on is not None:
            raise CrisisError(f"Cette action est déjà réalisée (le {row.done_on:%d/%m/%Y}).")
        row.done_on = done_on
        row.save(update_fields=["done_on"])
        audit.record("crisis.retex.action_done", actor=actor, cpts=crisis.cpts, obj=row.retex,
                     details={"action": row.action})  # fmt: skip
    return row
