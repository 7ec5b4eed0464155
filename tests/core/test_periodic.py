"""Periodic jobs: which are due at a given instant (a frozen clock, no sleeping), one run per job
and slot even when two commands start together, failures logged and reported by the exit code."""

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.utils import timezone

from maillage.core import audit, periodic
from maillage.core.models import AuditEntry, PeriodicRun
from tests.factories import UserFactory


def local(*args):
    return timezone.make_aware(datetime(*args))


NOON = local(2026, 6, 10, 12, 0)


@pytest.fixture
def clock(monkeypatch):
    """The command's clock, set by the test."""
    now = {"at": NOON}
    monkeypatch.setattr(periodic, "now", lambda: now["at"])
    return now


@pytest.fixture
def calls():
    return []


@pytest.fixture
def test_jobs(monkeypatch, calls):
    """Only two jobs of the test's own, so that these tests do not depend on the apps' jobs."""
    monkeypatch.setattr(periodic, "REGISTRY", {})
    periodic.register("test.often", label="Souvent", every_minutes=15)(lambda at: calls.append(("often", at)))
    periodic.register("test.nightly", label="La nuit", daily_at="03:00")(lambda at: calls.append(("nightly", at)))
    return periodic.REGISTRY


def run(*args) -> str:
    out = StringIO()
    call_command("run_periodic", *args, stdout=out)
    return out.getvalue()


def test_slots_of_a_job_every_15_minutes(test_jobs):
    job = test_jobs["test.often"]
    assert job.slot(local(2026, 6, 10, 10, 14, 59)) == local(2026, 6, 10, 10, 0)
    assert job.slot(local(2026, 6, 10, 10, 15)) == local(2026, 6, 10, 10, 15)
    assert job.next_slot(local(2026, 6, 10, 10, 14)) == local(2026, 6, 10, 10, 15)


def test_slots_of_a_daily_job_in_local_time(test_jobs):
    job = test_jobs["test.nightly"]
    assert job.slot(local(2026, 6, 10, 2, 59)) == local(2026, 6, 9, 3, 0)  # before 03:00: yesterday's
    assert job.slot(local(2026, 6, 10, 3, 0)) == local(2026, 6, 10, 3, 0)
    assert job.next_slot(local(2026, 6, 10, 3, 0)) == local(2026, 6, 11, 3, 0)
    # Across the change to summer time, still 03:00 local the next day, 23 hours later.
    spring = job.next_slot(local(2026, 3, 28, 12, 0))
    assert spring == local(2026, 3, 29, 3, 0) and spring.timestamp() - local(2026, 3, 28, 3, 0).timestamp() == 23 * 3600


def test_due_and_not_due_as_the_clock_moves(db, clock, test_jobs, calls):
    clock["at"] = local(2026, 6, 10, 2, 50)
    run()
    assert calls == [("nightly", clock["at"]), ("often", clock["at"])]  # yesterday's night was not run: now
    clock["at"] = local(2026, 6, 10, 2, 59)
    run()
    assert len(calls) == 2  # same slots: nothing due
    clock["at"] = local(2026, 6, 10, 3, 0)
    run()
    assert [name for name, _ in calls[2:]] == ["nightly", "often"]  # the night's slot and a new quarter hour
    clock["at"] = local(2026, 6, 10, 3, 14)
    assert run() == "" and len(calls) == 4
    assert list(PeriodicRun.objects.filter(job="test.nightly").values_list("slot", flat=True).order_by("slot")) == [
        local(2026, 6, 9, 3, 0),
        local(2026, 6, 10, 3, 0),
    ]


def test_running_twice_makes_one_run_per_job(db, clock, test_jobs, calls):
    first = run()
    assert "test.often : OK en" in first and "test.nightly : OK en" in first
    assert run() == ""
    assert len(calls) == 2
    assert PeriodicRun.objects.count() == 2
    assert set(PeriodicRun.objects.values_list("outcome", flat=True)) == {"ok"}
    assert all(r.duration is not None for r in PeriodicRun.objects.all())


def test_force_runs_one_job_again_and_list_tells_what_comes(db, clock, test_jobs, calls):
    run()
    assert "déjà lancée pour ce créneau" in run("--job", "test.often")
    assert "test.often : OK" in run("--job", "test.often", "--force")
    assert [name for name, _ in calls] == ["nightly", "often", "often"]
    assert PeriodicRun.objects.filter(job="test.often", forced=True).count() == 1
    listing = run("--list")
    assert "test.often — Souvent" in listing and "toutes les 15 minutes" in listing
    assert "prochaine : 10/06/2026 12:15" in listing and "prochaine : 11/06/2026 03:00" in listing
    with pytest.raises(CommandError, match="Tâche périodique inconnue : « nope »"):
        run("--job", "nope")
    with pytest.raises(CommandError, match="--force s'emploie avec --job"):
        run("--force")


def test_a_failing_job_is_logged_the_others_run_and_the_exit_code_says_so(
    db, clock, test_jobs, calls, capsys, monkeypatch
):
    # The command line closes the connections when done: not the test's, still in its transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def broken(at):
        raise ValueError("plus de place sur le disque")

    periodic.register("test.broken", label="Cassée", every_minutes=5)(broken)
    with pytest.raises(SystemExit) as exit:
        # As from a shell (checks skipped: pytest's template settings fail them on purpose).
        ManagementUtility(["manage.py", "run_periodic", "--skip-checks"]).execute()
    assert exit.value.code == 1
    assert "1 tâche en échec : test.broken." in capsys.readouterr().err
    assert len(calls) == 2  # the jobs after the broken one ran
    failed = PeriodicRun.objects.get(job="test.broken")
    assert failed.outcome == "failed" and failed.summary == "plus de place sur le disque"
    assert "ValueError: plus de place sur le disque" in failed.error
    assert set(PeriodicRun.objects.exclude(job="test.broken").values_list("outcome", flat=True)) == {"ok"}


@pytest.mark.django_db(transaction=True)
def test_two_commands_at_once_run_each_job_once(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite en mémoire : une base par thread, la concurrence se vérifie sur PostgreSQL.")
    monkeypatch.setattr(periodic, "REGISTRY", {})
    counted = {"often": 0, "nightly": 0}
    guard = threading.Lock()
    inside = threading.Event()

    def job(name):
        def function(at):
            with guard:
                counted[name] += 1
            inside.set()
            return name

        return function

    periodic.register("test.often", label="Souvent", every_minutes=15)(job("often"))
    periodic.register("test.nightly", label="La nuit", daily_at="03:00")(job("nightly"))
    start = threading.Barrier(2)
    made = []

    def command():
        try:
            start.wait()
            made.append(len(periodic.run_due(NOON)))
        finally:
            connection.close()

    threads = [threading.Thread(target=command) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert counted == {"often": 1, "nightly": 1}
    assert sorted(made) in ([0, 2], [1, 1])
    assert PeriodicRun.objects.count() == 2


def test_audit_retention_is_off_by_default_and_keeps_health_data_ten_years(db, settings):
    now = timezone.now()

    def entry(days, health):
        kept = audit.record("test.entry", details={"âge": days}, health_data=health)
        AuditEntry.objects.filter(pk=kept.pk).update(at=now - timedelta(days=days))
        return kept.pk

    recent, old, old_health, ancient_health = entry(10, False), entry(500, False), entry(500, True), entry(4000, True)
    assert settings.AUDIT_RETENTION_DAYS == 0
    assert periodic.audit_retention(now) == "conservation illimitée (MAILLAGE_AUDIT_RETENTION_DAYS non défini)"
    assert AuditEntry.objects.filter(action="test.entry").count() == 4
    settings.AUDIT_RETENTION_DAYS = 400
    assert periodic.audit_retention(now) == "2 entrées supprimées"
    left = set(AuditEntry.objects.filter(action="test.entry").values_list("pk", flat=True))
    assert left == {recent, old_health}  # a health-data entry of 500 days stays; of 4000 days, it goes
    purge = AuditEntry.objects.get(action="core.audit.purged")
    assert purge.details == {"entrées": 2, "conservation_jours": 400}
    assert old not in left and ancient_health not in left


def test_the_platform_declares_its_jobs():
    assert {"indicators.current_periods", "indicators.closed_periods", "doctor_access.expire_proposals",
            "doctor_access.purge_requests", "core.clear_sessions", "core.audit_retention"} <= set(periodic.REGISTRY)  # fmt: skip


def test_the_runs_are_read_in_the_admin_and_never_changed_there(db, login, clock, test_jobs):
    def broken(at):
        raise ValueError("plus de place sur le disque")

    periodic.register("test.broken", label="Cassée", every_minutes=5)(broken)
    periodic.run_due(NOON)
    admin = login(UserFactory(is_staff=True, is_superuser=True), with_mfa=True)
    page = admin.get("/admin/core/periodicrun/").content.decode()
    assert "test.broken" in page and "échouée" in page and "test.often" in page and "réussie" in page
    failed = PeriodicRun.objects.get(job="test.broken")
    detail = admin.get(f"/admin/core/periodicrun/{failed.pk}/change/").content.decode()
    assert "ValueError: plus de place sur le disque" in detail and 'name="_save"' not in detail
    assert admin.get("/admin/core/periodicrun/add/").status_code == 403
    assert admin.post(f"/admin/core/periodicrun/{failed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PeriodicRun.objects.filter(pk=failed.pk).exists()


@pytest.mark.parametrize(("raw", "refused"), [("30", True), ("un an", True), ("0", False), ("400", False)])
def test_the_retention_setting_is_read_strictly(raw, refused):
    env = {**os.environ, "MAILLAGE_AUDIT_RETENTION_DAYS": raw}
    done = subprocess.run([sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True)
    assert (done.returncode != 0) is refused
    if refused:
        assert f"MAILLAGE_AUDIT_RETENTION_DAYS='{raw}' : nombre de jours attendu" in done.stderr
