"""Rupture detection (ruptures de parcours), run by the periodic job `pathways.ruptures`.

Set-based and idempotent: each run resolves the open alerts whose cause is gone, raises those
whose cause appeared (one open alert per task and kind, or per pathway and kind: the partial unique
constraints of `RuptureAlert`), then has the new ones emailed (notify.py) — all in one transaction,
the emails enqueued in it. No alert comes through Python as a model instance: the resolutions are
UPDATEs by batches of keys, the new alerts INSERT … SELECT, the emails are counted from tuples
(bench/pathways.py: a région of 100,000 pathways and 1,500,000 tasks). What counts:
- a task still open after its `alert_on` (its due date plus the step's `overdue_after_days`);
- a task of a template step with nobody assigned, due within `UNASSIGNED_NOTICE_DAYS` or past;
- an active pathway past its `contact_due_on` (no task done for the template's `no_contact_days`);
- a re-hospitalisation, raised by its declaration (actions/ruptures.py), resolved by a person or
  when the pathway stops being active.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, Q, Value
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


def _insert_alerts(kind, rows, fields: list[str], now) -> int:
    """INSERT … SELECT: the alerts of `kind` for `rows` (tasks: `fields` task and pathway; or
    pathways: `fields` pathway), written by the database without a row coming through Python — the
    first run over a région raises tens of thousands. What already has an open alert is skipped by
    the partial unique constraints (one open alert per task and kind, per pathway and kind) with
    ON CONFLICT DO NOTHING, which also settles a run started at the same moment; PostgreSQL and
    SQLite ≥ 3.24 both read it (« WHERE true » settles SQLite's parsing of INSERT … SELECT … ON
    CONFLICT). Not a NOT EXISTS on the alerts: planned from statistics that say the table is empty,
    it became a nested loop over the rows the statement itself was writing (106 s instead of 3 s
    at 100,000 pathways, bench/pathways.py). Returns the number of alerts written."""
    rows = rows.order_by().annotate(alert_kind=Value(kind, CharField()), alert_at=Value(now, DateTimeField()))
    # The model's fields come first in the SELECT, then the annotations in their order.
    select, params = rows.values_list(*fields, "alert_kind", "alert_at").query.sql_with_params()
    qn = connection.ops.quote_name
    targets = ["task_id", "pathway_id"] if len(fields) == 2 else ["pathway_id"]
    columns = ", ".join(qn(RuptureAlert._meta.get_field(name).column) for name in [*targets, "kind", "raised_at"])
    table = qn(RuptureAlert._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM ({select}) AS new WHERE true "  # noqa: S608 (names quoted, values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql + "ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


def _raise(now, today) -> int:
    tasks = Task.objects.open().filter(pathway__status=PathwayStatus.ACTIVE)
    overdue = tasks.filter(alert_on__lt=today)
    unassigned = tasks.filter(
        assignee__isnull=True, step__isnull=False, due_on__lte=today + timedelta(UNASSIGNED_NOTICE_DAYS)
    )
    silent = Pathway.objects.filter(status=PathwayStatus.ACTIVE, contact_due_on__lt=today)
    return (
        _insert_alerts(AlertKind.OVERDUE, overdue, ["pk", "pathway_id"], now)
        + _insert_alerts(AlertKind.UNASSIGNED, unassigned, ["pk", "pathway_id"], now)
        + _insert_alerts(AlertKind.NO_CONTACT, silent, ["pk"], now)
    )


def detect(now=None) -> Outcome:
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), mail.batch():
        outcome = Outcome(resolved=_resolve(now, today), raised=_raise(now, today))
        outcome.emails = notify.new_alerts(now)
    return outcome
