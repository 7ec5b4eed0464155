"""Writing the audit log.

Action functions call `record` once, inside their transaction, so that the entry and the change
commit or roll back together. Views that show a patient's data call `record_health_read`.
Only `purge_expired` (the periodic job `core.audit_retention`, off by default) deletes entries.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from maillage.core.models import AuditEntry
from maillage.core.retention import delete_in_batches

_SECRET_MARKERS = ("password", "secret", "token", "totp", "recovery", "nir")
MASK = "***"


def mask_secrets(details: Mapping[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for key, value in details.items():
        if any(marker in key.lower() for marker in _SECRET_MARKERS):
            masked[key] = MASK
        elif isinstance(value, Mapping):
            masked[key] = mask_secrets(value)
        else:
            masked[key] = value
    return masked


def user_or_none(actor):
    """The user behind `actor`, or None for the system or an anonymous visitor: what a foreign key
    to the user may store."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_label(actor) -> str:
    """Who did it, as the logs show it (kept when the account is deleted)."""
    user = user_or_none(actor)
    return "système" if user is None else user.email or str(user.pk)


def record(action: str, *, actor=None, cpts=None, obj=None, details=None, health_data=False) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=user_or_none(actor),
        actor_label=actor_label(actor),
        cpts=cpts,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        details=mask_secrets(details or {}),
        health_data=health_data,
    )


def record_health_read(action: str, *, actor, cpts, obj, details=None) -> AuditEntry:
    """Every read of a patient's data goes through here (e.g. `doctor_access.request.viewed`)."""
    return record(action, actor=actor, cpts=cpts, obj=obj, details=details, health_data=True)


# Entries about health data (reads of a patient's record, changes to it) are kept at least this
# long whatever the setting says. No single legal text fixes the duration of such traces for a
# CPTS; ten years is a deliberately conservative floor (above the CNIL's usual 6 months–1 year for
# logs, in line with how long the records they trace are kept), to be shortened only on the
# advice of the data protection officer, in code, with this comment.
HEALTH_DATA_MIN_DAYS = 3650


def purge_expired(now) -> int | None:
    """Deletes the entries older than `AUDIT_RETENTION_DAYS` (entries about health data: older
    than `HEALTH_DATA_MIN_DAYS` at least) and records the purge. None when retention is off (0,
    the default: the log is kept for ever)."""
    days = settings.AUDIT_RETENTION_DAYS
    if not days:
        return None
    limit = now - timedelta(days=days)
    health_limit = now - timedelta(days=max(days, HEALTH_DATA_MIN_DAYS))
    # A batch of ids per transaction (maillage.core.retention): a first purge of years of log must
    # not hold one transaction for minutes. The purge's own entry is written once all are gone.
    removed = delete_in_batches(AuditEntry.objects.filter(at__lt=limit, health_data=False))
    removed_health = delete_in_batches(AuditEntry.objects.filter(at__lt=health_limit, health_data=True))
    with transaction.atomic():
        record(
            "core.audit.purged",
            details={"entrées": removed + removed_health, "conservation_jours": days},
        )
    return removed + removed_health
