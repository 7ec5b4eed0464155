"""/healthz: for a load balancer or a monitoring probe, no login. 200 when the database, the cache,
the migrations, the task queue and the periodic runs are all right; 503 otherwise. JSON with English
keys (machines read it) and French details (people read those)."""

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from maillage.core.models import PeriodicRun

logger = logging.getLogger(__name__)

_migrations_done = False  # once all applied, they stay applied for the life of this process


def _database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _cache():
    # The Redis cache turns an unreachable server into misses (maillage.core.cache): ask it first,
    # so that the report names the failure instead of an empty read.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        try:
            ping()
        except Exception as error:
            return {
                "ok": False,
                "detail": f"Le serveur de cache ne répond pas ({type(error).__name__}) : les connexions sont refusées.",
            }
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    read = cache.get(key)
    cache.delete(key)
    if read != value:
        return {"ok": False, "detail": "Le cache ne rend pas la valeur qui vient d'y être écrite."}
    return {}


def _migrations():
    global _migrations_done
    if _migrations_done:
        return {}
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        return {"ok": False, "detail": f"Migrations non appliquées : {', '.join(names[:10])}.", "unapplied": len(plan)}
    _migrations_done = True
    return {}


def _tasks():
    now = timezone.now()
    rows = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after")[:50]
    # A retried task waits for its `run_after`: it is late only from then.
    since = [max(enqueued, run_after if run_after <= now else enqueued) for enqueued, run_after in rows]
    age = int((now - min(since)).total_seconds()) if since else 0
    result = {"oldest_pending_seconds": age}
    if age > settings.HEALTH_MAX_TASK_AGE:
        result.update(ok=False, detail=f"Une tâche attend depuis {age} s : le processus de tâches est-il lancé ?")
    return result


def _periodic():
    last = PeriodicRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is None:
        return {"ok": False, "detail": "Aucune exécution des tâches périodiques (manage.py run_periodic)."}
    age = int((timezone.now() - last).total_seconds())
    result = {"last_run": last.isoformat(), "age_seconds": age}
    if age > settings.HEALTH_MAX_PERIODIC_AGE:
        result.update(ok=False, detail=f"Dernière exécution des tâches périodiques il y a {age} s.")
    return result


CHECKS = {
    "database": _database,
    "cache": _cache,
    "migrations": _migrations,
    "tasks": _tasks,
    "periodic": _periodic,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        try:
            result = {"ok": True, **check()}
        except Exception as error:
            logger.warning("healthz: %s failed: %s", name, type(error).__name__)
            result = {"ok": False, "detail": f"Vérification impossible ({type(error).__name__})."}
        results[name] = result
    return results


@login_not_required
@never_cache
def healthz(request):
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
