"""Background jobs on the Django tasks API (django-tasks with its database backend, ADR 0020).

A write enqueues its side effects (emails) inside its own transaction, so the worker sees them only
once it commits and none is lost between a commit and an enqueueing; `manage.py worker` runs them.
django-tasks does not retry, so a task that may fail transiently runs its body inside `retrying`: on
failure it enqueues itself again, `BACKOFF[attempt - 1]` later, with the next attempt number, and
re-raises so that the failed attempt is recorded with its traceback. After
`MAX_ATTEMPTS` the task stays failed, listed on the platform admin's page (/plateforme/taches/);
nothing is dropped silently.

Delivery is at least once: a worker killed between sending and recording the success leaves the task
"running"; `recover_stalled` (run by the worker at start) puts such tasks back in the queue.
"""

import contextlib
import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A task still "running" after this long belongs to a worker that died (an email takes seconds; the
# SMTP timeout is far shorter than this).
STALLED_AFTER = timedelta(minutes=15)


@contextlib.contextmanager
def retrying(task, attempt: int, **kwargs):
    """Run the block; if it raises, enqueue `task` again later (up to MAX_ATTEMPTS) and re-raise."""
    try:
        yield
    except Exception:
        if attempt < MAX_ATTEMPTS:
            when = timezone.now() + BACKOFF[attempt - 1]
            task.using(run_after=when).enqueue(**kwargs, attempt=attempt + 1)
            logger.warning("Task %s failed (attempt %d of %d), retried at %s", task.name, attempt, MAX_ATTEMPTS, when)
        else:
            logger.error("Task %s failed for good after %d attempts", task.name, attempt)
        raise


def enqueue_many(task, calls: list[dict]) -> None:
    """Enqueue `task` once per keyword arguments in `calls`, in one INSERT: the rows
    `task.enqueue(**kwargs)` writes one by one (django-tasks-db's backend `_task_to_db_task`), for
    the hundreds of emails of a matching. No `task_enqueued` signal is sent (nothing listens)."""
    if not calls:
        return
    backend = task.get_backend()
    backend.validate_task(task)
    DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                args_kwargs={"args": [], "kwargs": kwargs},
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
            for kwargs in calls
        ],
        batch_size=1000,
    )


def attempt_of(result: DBTaskResult) -> int:
    return result.args_kwargs.get("kwargs", {}).get("attempt", 1)


def recover_stalled(now=None, after: timedelta = STALLED_AFTER) -> int:
    """Put back in the queue the tasks a dead worker had claimed (running for longer than `after`);
    returns how many."""
    now = now or timezone.now()
    stalled = DBTaskResult.objects.running().filter(started_at__lt=now - after)
    count = stalled.update(status="READY", started_at=None)
    if count:
        logger.warning("Stalled tasks put back in the queue: %d", count)
    return count


def run_pending(max_tasks: int | None = None, worker_id: str = "inline") -> int:
    """Run the ready tasks in this process, one by one as the worker does (claim, run, record), and
    return how many ran. For tests and benchmarks; production runs `manage.py worker`. Unlike the
    worker's loop it never closes the database connection, so it also runs inside a test's
    transaction."""
    # The worker's own task runner: same signals, same success and failure recording.
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while max_tasks is None or ran < max_tasks:
        with exclusive_transaction(DBTaskResult.objects.db):
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                break
            result.claim(worker_id)
        worker.run_task(result)
        ran += 1
    return ran
