"""The big tables kept small (issue 19): finished tasks and periodic runs purged after
MAILLAGE_TASK_RETENTION_DAYS by the job core.task_retention, waiting and running tasks never; every
purge deletes a batch of ids per transaction."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from maillage.core import audit, periodic, retention
from maillage.core.models import AuditEntry, PeriodicRun

NOW = timezone.now()


def task(status: str, days_ago: float | None) -> int:
    finished = NOW - timedelta(days=days_ago) if days_ago is not None else None
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="maillage.core.jobs.essai",
        queue_name="default",
        run_after=get_date_max(),
        backend_name="default",
        status=status,
        finished_at=finished,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=(finished or NOW) - timedelta(minutes=1))
    return row.pk


def run(days_ago: float, job: str = "test.job") -> int:
    at = NOW - timedelta(days=days_ago)
    return PeriodicRun.objects.create(job=job, slot=at, started_at=at, outcome=PeriodicRun.Outcome.OK).pk


def deletes(queries, table: str) -> int:
    return sum(1 for query in queries if query["sql"].upper().startswith("DELETE") and table in query["sql"])


def test_finished_tasks_and_old_runs_go_waiting_and_running_tasks_stay(db, settings):
    assert settings.TASK_RETENTION_DAYS == 30
    old_ok, old_failed = task("SUCCESSFUL", 31), task("FAILED", 45)
    recent_ok, recent_failed = task("SUCCESSFUL", 29), task("FAILED", 1)
    # Enqueued long ago but still waiting or running: never purged, whatever their age.
    waiting, running = task("READY", None), task("RUNNING", None)
    DBTaskResult.objects.filter(pk__in=[waiting, running]).update(enqueued_at=NOW - timedelta(days=90))
    old_run, recent_run = run(31), run(2)

    assert periodic.task_retention(NOW) == "2 tâches terminées supprimées, 1 exécution périodique supprimée"

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent_ok, recent_failed, waiting, running}
    assert old_ok not in left and old_failed not in left
    runs = set(PeriodicRun.objects.values_list("pk", flat=True))
    assert recent_run in runs and old_run not in runs
    assert periodic.task_retention(NOW) == "0 tâche terminée supprimée, 0 exécution périodique supprimée"


def test_retention_zero_keeps_everything(db, settings):
    settings.TASK_RETENTION_DAYS = 0
    task("SUCCESSFUL", 400)
    run(400)
    assert periodic.task_retention(NOW) == "conservation illimitée (MAILLAGE_TASK_RETENTION_DAYS=0)"
    assert DBTaskResult.objects.count() == 1 and PeriodicRun.objects.count() == 1


def test_a_purge_deletes_a_batch_of_ids_per_statement(db, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    for _ in range(5):
        task("SUCCESSFUL", 40)
    for days in range(31, 36):
        run(days)
    with CaptureQueriesContext(connection) as captured:
        assert retention.purge_finished_tasks(NOW) == (5, 5)
    # 5 rows, 2 ids a batch: 3 DELETEs per table, each in its own transaction (savepoint here).
    assert deletes(captured.captured_queries, DBTaskResult._meta.db_table) == 3
    assert deletes(captured.captured_queries, PeriodicRun._meta.db_table) == 3
    assert not DBTaskResult.objects.exists() and not PeriodicRun.objects.exists()


def test_the_audit_purge_deletes_in_batches_and_records_itself_once(db, settings, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    settings.AUDIT_RETENTION_DAYS = 400
    for _ in range(5):
        entry = audit.record("test.old")
        AuditEntry.objects.filter(pk=entry.pk).update(at=NOW - timedelta(days=500))
    kept = audit.record("test.recent")
    with CaptureQueriesContext(connection) as captured:
        assert audit.purge_expired(NOW) == 5
    assert deletes(captured.captured_queries, AuditEntry._meta.db_table) == 3
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"test.recent", "core.audit.purged"}
    assert AuditEntry.objects.get(action="core.audit.purged").details == {"entrées": 5, "conservation_jours": 400}
    assert AuditEntry.objects.filter(pk=kept.pk).exists()


def test_the_job_is_declared_daily():
    job = periodic.get("core.task_retention")
    assert job.schedule == "chaque jour à 04:45"


@pytest.mark.parametrize("raw", ["trente", "-1", "30j"])
def test_a_bad_retention_is_refused_in_french_at_start(raw):
    env = {**os.environ, "MAILLAGE_TASK_RETENTION_DAYS": raw, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "MAILLAGE_TASK_RETENTION_DAYS" in done.stderr and "nombre entier attendu" in done.stderr
