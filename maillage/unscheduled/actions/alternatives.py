"""The territory's alternatives to a slot, kept by the CPTS: added, edited (version-checked),
removed; each write one transaction and one audit entry."""

from django.db import transaction

from maillage.core import audit, versioning
from maillage.unscheduled.models import Alternative

FIELDS = ("kind", "name", "phone", "hours", "order")


def add_alternative(cpts, data: dict, actor) -> Alternative:
    with transaction.atomic():
        alternative = Alternative.objects.create(cpts=cpts, **{name: data[name] for name in FIELDS if name in data})
        audit.record(
            "unscheduled.alternative.added", actor=actor, cpts=cpts, obj=alternative, details={"nom": alternative.name}
        )
    return alternative


def update_alternative(alternative: Alternative, data: dict, actor, *, expected_version: int | None) -> Alternative:
    """Refused (`versioning.StaleEdit`) if someone changed it since the form was read."""
    with transaction.atomic():
        versioning.check_and_bump(alternative, expected_version)
        for name in FIELDS:
            if name in data:
                setattr(alternative, name, data[name])
        alternative.save(update_fields=list(FIELDS))
        audit.record(
            "unscheduled.alternative.updated",
            actor=actor,
            cpts=alternative.cpts,
            obj=alternative,
            details={"nom": alternative.name},
        )
    return alternative


def remove_alternative(alternative: Alternative, actor) -> None:
    with transaction.atomic():
        audit.record(
            "unscheduled.alternative.removed",
            actor=actor,
            cpts=alternative.cpts,
            obj=alternative,
            details={"nom": alternative.name},
        )
        alternative.delete()
