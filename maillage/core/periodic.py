"""Periodic jobs, declared in one place and run by one command (ADR 0021).

Each app declares its jobs in its own `periodic.py` (loaded when Django starts, as the indicator
registry loads `indicators.py`), with `register`: a name, a French label, how often — every N
minutes, or daily at HH:MM local time — and the function, called with the run's `now` and
returning a short French summary (or None). `manage.py run_periodic`, started every few minutes by
a systemd timer or cron, runs the jobs that are due (`run_due`).

A job's time is cut into slots: every N minutes from the epoch, or one a day from HH:MM local
time. A job is due when its current slot has no `PeriodicRun` row. The row is inserted before the
job runs and is unique on (job, slot): that insert is the lock, so two commands started at once
run each job once, on SQLite as on PostgreSQL, and a second run in the same slot does nothing.
Missed slots are not caught up one by one: the jobs recompute or purge everything due, so the
current slot's run does the work of those missed.
"""

import logging
import time as monotonic_time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, retention
from maillage.core.french import agree, plural
from maillage.core.models import PeriodicRun

logger = logging.getLogger("maillage.periodic")
ERROR_MAX_CHARS = 10_000


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    function: Callable[[datetime], str | None]
    every_minutes: int | None = None
    daily_at: time | None = None

    @property
    def schedule(self) -> str:
        if self.every_minutes:
            return "toutes les minutes" if self.every_minutes == 1 else f"toutes les {self.every_minutes} minutes"
        return f"chaque jour à {self.daily_at:%H:%M}"

    def slot(self, now: datetime) -> datetime:
        """The start of the slot `now` falls in."""
        if self.every_minutes:
            step = self.every_minutes * 60
            return datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=UTC)
        today = timezone.localtime(now).date()
        start = _local(today, self.daily_at)
        return start if start <= now else _local(today - timedelta(days=1), self.daily_at)

    def next_slot(self, now: datetime) -> datetime:
        """The start of the slot after the one `now` falls in."""
        current = self.slot(now)
        if self.every_minutes:
            return current + timedelta(minutes=self.every_minutes)
        return _local(timezone.localtime(current).date() + timedelta(days=1), self.daily_at)


def _local(day, at: time) -> datetime:
    # On the night clocks go forward, 02:30 does not exist: zoneinfo reads it as 03:30, still once a day.
    return timezone.make_aware(datetime.combine(day, at))


REGISTRY: dict[str, Job] = {}


def register(name: str, *, label: str, every_minutes: int | None = None, daily_at: str | None = None):
    """Declares the decorated function as the periodic job `name`: `every_minutes=15`, or
    `daily_at="03:00"` (local time)."""
    if (every_minutes is None) == (daily_at is None):
        raise ValueError(f"Tâche « {name} » : every_minutes ou daily_at, l'un des deux.")
    if every_minutes is not None and not 1 <= every_minutes <= 24 * 60:
        raise ValueError(f"Tâche « {name} » : every_minutes entre 1 et 1440.")
    at = time.fromisoformat(daily_at) if daily_at is not None else None

    def decorator(function):
        if name in REGISTRY and REGISTRY[name].function is not function:
            raise ValueError(f"Tâche périodique déclarée deux fois : « {name} ».")
        REGISTRY[name] = Job(name, label, function, every_minutes, at)
        return function

    return decorator


def get(name: str) -> Job:
    try:
        return REGISTRY[name]
    except KeyError:
        raise LookupError(f"Tâche périodique inconnue : « {name} ». Voir run_periodic --list.") from None


def now() -> datetime:
    """The clock of `run_periodic` (tests replace it: no sleeping to reach a slot)."""
    return timezone.now()


def is_due(job: Job, at: datetime) -> bool:
    return not PeriodicRun.objects.filter(job=job.name, slot=job.slot(at)).exists()


def run_due(at: datetime | None = None) -> list[PeriodicRun]:
    """Runs every job due at `at`, one after the other; a failing job is logged and the others
    still run. Returns the runs made by this call (jobs run elsewhere or already run are left out)."""
    at = at or now()
    runs = []
    for job in sorted(REGISTRY.values(), key=lambda job: job.name):
        run = run_job(job, at)
        if run is not None:
            runs.append(run)
    return runs


def run_job(job: Job, at: datetime, *, force: bool = False) -> PeriodicRun | None:
    """Runs `job` for the slot of `at` (for `at` itself when forced), unless that slot already has
    a run, finished or in progress in another process: then None."""
    slot = at if force else job.slot(at)
    try:
        with transaction.atomic():  # a savepoint: the refused insert leaves the caller's transaction usable
            run = PeriodicRun.objects.create(job=job.name, slot=slot, forced=force, started_at=at)
    except IntegrityError:
        return None
    started = monotonic_time.monotonic()
    try:
        summary = job.function(at) or ""
    except Exception as exc:  # one job's failure must not stop the others: it is logged and reported
        logger.exception("Tâche périodique %s en échec", job.name)
        run.outcome, run.summary = PeriodicRun.Outcome.FAILED, str(exc)[:255]
        run.error = traceback.format_exc()[-ERROR_MAX_CHARS:]
    else:
        run.outcome, run.summary = PeriodicRun.Outcome.OK, str(summary)[:255]
    run.duration = timedelta(seconds=monotonic_time.monotonic() - started)
    run.save(update_fields=["outcome", "summary", "error", "duration"])
    return run


# The platform's own jobs. The apps' jobs are in their `periodic.py`.


@register("core.clear_sessions", label="Suppression des sessions expirées", daily_at="04:00")
def clear_sessions(at):
    call_command("clearsessions")
    return "sessions expirées supprimées"


@register(
    "core.audit_retention",
    label="Purge du journal d'audit au-delà de sa durée de conservation",
    daily_at="04:30",
)
def audit_retention(at):
    removed = audit.purge_expired(at)
    if removed is None:
        return "conservation illimitée (MAILLAGE_AUDIT_RETENTION_DAYS non défini)"
    return f"{plural(removed, 'entrée')} {agree(removed, 'supprimée')}"


@register(
    "core.task_retention",
    label="Purge des tâches terminées et des exécutions périodiques au-delà de leur durée de conservation",
    daily_at="04:45",
)
def task_retention(at):
    removed = retention.purge_finished_tasks(at)
    if removed is None:
        return "conservation illimitée (MAILLAGE_TASK_RETENTION_DAYS=0)"
    tasks, runs = removed
    return (
        f"{plural(tasks, 'tâche terminée', 'tâches terminées')} {agree(tasks, 'supprimée')}, "
        f"{plural(runs, 'exécution périodique', 'exécutions périodiques')} {agree(runs, 'supprimée')}"
    )
