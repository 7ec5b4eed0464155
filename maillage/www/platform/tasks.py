"""The platform admin's view of the background tasks (core/jobs.py): the failed ones, with their
attempt and error, and those waiting to run. An email that could not be sent is listed here rather
than lost."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from maillage.accounts import policy
from maillage.accounts.policy import Area
from maillage.core import jobs
from maillage.core.french import plural

SHOWN = 200  # rows per table: beyond that the counts say how many there are
LABELS = {"send_email": "Envoi d'un courriel", "send_clinical_email": "Envoi par MSSanté"}
# A clinical message's subject may itself be clinical: the page says only that one is waiting.
SUBJECT_SHOWN = {"send_email"}


def _row(result: DBTaskResult) -> dict:
    kwargs = result.args_kwargs.get("kwargs", {})
    attempt = jobs.attempt_of(result)
    error = result.traceback.strip().splitlines()[-1] if result.traceback.strip() else ""
    name = result.task_path.rsplit(".", 1)[-1]
    return {
        "label": LABELS.get(name, result.task_path),
        "to": kwargs.get("to", ""),
        "subject": kwargs.get("subject", "") if name in SUBJECT_SHOWN else "",
        "attempt": attempt,
        "final": attempt >= jobs.MAX_ATTEMPTS,
        "status": result.status,
        "enqueued_at": result.enqueued_at,
        "finished_at": result.finished_at,
        "run_after": None if result.run_after == get_date_max() else result.run_after,
        "error": error[:300],
    }


def tasks(request):
    if not policy.everywhere(request.user, Area.PLATFORM):
        raise Http404
    failed = DBTaskResult.objects.failed().order_by("-finished_at")
    waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).order_by("run_after", "enqueued_at")
    failed_count, waiting_count = failed.count(), waiting.count()
    context = {
        "failed": [_row(r) for r in failed[:SHOWN]],
        "failed_caption": plural(failed_count, "tentative") + " en échec",
        "failed_cut": failed_count > SHOWN,
        "waiting": [_row(r) for r in waiting[:SHOWN]],
        "waiting_caption": plural(waiting_count, "tâche") + " en attente ou en cours",
        "waiting_cut": waiting_count > SHOWN,
        "shown": SHOWN,
        "max_attempts": jobs.MAX_ATTEMPTS,
        "now": timezone.now(),
    }
    return render(request, "platform/tasks.html", context)
