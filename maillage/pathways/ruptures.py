"""Rupture detection (ruptures de parcours), run by the periodic job `pathways.ruptures`.

Set-based and idempotent: each run resolves the open alerts whose cause is gone, raises those
whose cause appeared (one open alert per task and kind, or per pathway and kind: the partial unique
constraints of `RuptureAlert`), then has the new ones emailed (notify.py) — all in one transaction,
the emails enqueued in it. What counts:
- a task still open after its `alert_on` (its due date plus the step's `overdue_after_days`);
- a task of a template step with nobody assigned, due within `UNASSIGNED_NOTICE_DAYS` or past;
- an active pathway past its `contact_due_on` (no task done for the template's `no_contact_days`);
- a re-hospitalisation, raised by its declaration (actions/ruptures.py), resolved by a person or
  when the pathway stops being active.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from maillage.core import mail
from maillage.pathways import notify
from maillage.pathways.models import AlertKind, Pathway, RuptureAlert, Task
from maillage.pathways.states import OPEN_TASKS, PathwayStatus

UNASSIGNED_NOTICE_DAYS = 3
BATCH = 2000


@dataclass
class Outcome:
    raised: int = 0
    resolved: int = 0
    emails: int = 0


def _open_alert(kind, **on):
    return Exists(RuptureAlert.objects.filter(kind=kind, resolved_at__isnull=True, **on))


def _resolve(now, today) -> int:
    alerts = RuptureAlert.objects.open()
    inactive = ~Q(pathway__status=PathwayStatus.ACTIVE)
    closed_task = ~Q(task__status__in=sorted(OPEN_TASKS))
    gone = [
        Q(kind=AlertKind.OVERDUE) & (closed_task | Q(task__alert_on__gte=today) | inactive),
        Q(kind=AlertKind.UNASSIGNED) & (closed_task | Q(task__assignee__isnull=False) | inactive),
        Q(kind=AlertKind.NO_CONTACT) & (Q(pathway__contact_due_on__gte=today) | inactive),
        Q(kind=AlertKind.REHOSPITALISED) & inactive,
    ]
    condition = gone[0] | gone[1] | gone[2] | gone[3]
    ids = list(alerts.filter(condition).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        RuptureAlert.objects.filter(pk__in=ids[start : start + BATCH]).update(resolved_at=now)
    return len(ids)


def _raise(now, today) -> int:
    tasks = Task.objects.open().filter(pathway__status=PathwayStatus.ACTIVE)
    overdue = (
        tasks.filter(alert_on__lt=today)
        .exclude(_open_alert(AlertKind.OVERDUE, task=OuterRef("pk")))
        .values_list("pk", "pathway_id")
    )
    unassigned = (
        tasks.filter(assignee__isnull=True, step__isnull=False, due_on__lte=today + timedelta(UNASSIGNED_NOTICE_DAYS))
        .exclude(_open_alert(AlertKind.UNASSIGNED, task=OuterRef("pk")))
        .values_list("pk", "pathway_id")
    )
    silent = (
        Pathway.objects.filter(status=PathwayStatus.ACTIVE, contact_due_on__lt=today)
        .exclude(_open_alert(AlertKind.NO_CONTACT, pathway=OuterRef("pk"), task__isnull=True))
        .values_list("pk", flat=True)
    )
    new = [RuptureAlert(kind=AlertKind.OVERDUE, task_id=t, pathway_id=p, raised_at=now) for t, p in overdue]
    new += [RuptureAlert(kind=AlertKind.UNASSIGNED, task_id=t, pathway_id=p, raised_at=now) for t, p in unassigned]
    new += [RuptureAlert(kind=AlertKind.NO_CONTACT, pathway_id=p, raised_at=now) for p in silent]
    # A run started at the same moment may have raised some: the unique constraints keep one.
    RuptureAlert.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    return len(new)


def detect(now=None) -> Outcome:
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), mail.batch():
        outcome = Outcome(resolved=_resolve(now, today), raised=_raise(now, today))
        outcome.emails = notify.new_alerts(now)
    return outcome
