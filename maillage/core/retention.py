"""Keeping the big tables small (issue 19): the finished background tasks and the periodic runs are
deleted past MAILLAGE_TASK_RETENTION_DAYS, and every purge (the audit log's too) deletes a batch of
ids per transaction.

One DELETE of a few million rows would hold its locks and its undo for minutes, grow the WAL that
the replicas must replay in one go, and make a replica's queries wait; batches of BATCH_SIZE ids keep
each transaction short, and a purge stopped halfway has still removed what it committed."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.core.models import PeriodicRun

BATCH_SIZE = 5_000


def delete_in_batches(queryset, batch_size: int | None = None) -> int:
    """Deletes the rows of `queryset`, BATCH_SIZE ids per transaction; returns how many of them
    (rows of other tables removed by cascade are not counted)."""
    batch_size = batch_size or BATCH_SIZE
    model = queryset.model
    ids_query = queryset.order_by().values_list("pk", flat=True)
    removed = 0
    while True:
        ids = list(ids_query[:batch_size])
        if not ids:
            return removed
        with transaction.atomic(using=queryset.db):
            _, per_model = model._base_manager.using(queryset.db).filter(pk__in=ids).delete()
        removed += per_model.get(model._meta.label, 0)


def purge_finished_tasks(now) -> tuple[int, int] | None:
    """Deletes the background tasks that succeeded or failed more than TASK_RETENTION_DAYS ago (never
    one waiting or running: a failed task retried is waiting again) and the periodic runs started
    before then. None when retention is off (0)."""
    days = settings.TASK_RETENTION_DAYS
    if not days:
        return None
    limit = now - timedelta(days=days)
    tasks = delete_in_batches(
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=limit
        )
    )
    runs = delete_in_batches(PeriodicRun.objects.filter(started_at__lt=limit))
    return tasks, runs
