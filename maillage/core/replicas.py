"""Read replicas (issue 19, ADR 0034): reads that tolerate a short lag go to a PostgreSQL streaming
replica, everything else to the primary.

A view declares its class once, with `@replica_reads`: its reads may be a few seconds old (public
pages, the public directory, the FHIR Annuaire, regional views, exports). Every other view reads the
primary, as before, and so does a declared view:
- for a browser that wrote in the last `REPLICA_PIN_SECONDS` (the `maillage_primary` cookie, set by
  `ReplicaMiddleware` after a request that wrote): one reads one's own writes;
- inside a transaction on the primary (its reads must see its own rows);
- for the tables that say who one is and what one may do right now (sessions, the cache that counts
  failed logins, second factors, tasks): stale answers there would be a security bug, not a lag;
- when no replica is healthy: a replica that does not answer is set aside for `DOWN_SECONDS`, and one
  whose replay lags more than `REPLICA_MAX_LAG_SECONDS` is skipped until it catches up.

A replica that fails during a declared view (stopped, restarted, network cut) costs the client
nothing: the view is run again on the primary. A declared view only reads, so running it twice is
safe; its own writes (an audit entry of an export) always went to the primary, and the second run
writes them again only if the first did not get that far.

The state is per request (a context variable: gunicorn's threads each have their own) and per
process for the health of the replicas (a few seconds of memory, the same answer on every server
within that time): nothing that makes two app servers behave differently for long.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PIN_COOKIE = "maillage_primary"
# A replica that failed is not tried again before this; one that answered is re-checked (lag) after
# CHECK_SECONDS. Both short: a restarted replica is back in use within seconds.
DOWN_SECONDS = 5.0
CHECK_SECONDS = 1.0
# Apps whose tables are always read on the primary (see the module's docstring). `django_cache` is
# the label of the database cache's model (django.core.cache.backends.db).
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "django_cache", "account", "mfa", "socialaccount", "django_tasks_db", "auth", "accounts"}
)
# Writes that do not pin the browser to the primary: nobody reads them back through a replica view.
BOOKKEEPING_APPS = frozenset({"sessions", "django_cache", "django_tasks_db"})
BOOKKEEPING_MODELS = frozenset({"core.auditentry"})


@dataclass
class _Request:
    pinned: bool = False  # this browser wrote recently: no replica
    replica: str | None = None  # the alias chosen for this view's reads
    wrote: bool = False  # a write other than bookkeeping happened in this request


_state: ContextVar[_Request | None] = ContextVar("maillage_replica_state", default=None)


def aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


# --- Health, per process --------------------------------------------------------------------------

_health_lock = threading.Lock()
_down_until: dict[str, float] = {}
_checked_at: dict[str, float] = {}


def mark_down(alias: str, reason: object) -> None:
    with _health_lock:
        first = _down_until.get(alias, 0.0) < time.monotonic()
        _down_until[alias] = time.monotonic() + DOWN_SECONDS
    if first:
        logger.warning("Replica %s set aside for %.0f s: %s", alias, DOWN_SECONDS, reason)
    _close_quietly(alias)


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


# Replay lag in seconds: zero when everything received is replayed (an idle primary sends nothing,
# and the last replay's timestamp would grow for ever), else the age of the last replayed commit.
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def lag_seconds(alias: str) -> float:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def usable(alias: str) -> bool:
    """Whether `alias` may serve this view's reads: not set aside, and (checked at most every
    CHECK_SECONDS per process) answering with a lag under the limit."""
    now = time.monotonic()
    if _down_until.get(alias, 0.0) > now:
        return False
    if now - _checked_at.get(alias, -CHECK_SECONDS) < CHECK_SECONDS:
        return True
    try:
        lag = lag_seconds(alias)
    except DatabaseError as error:
        mark_down(alias, error)
        return False
    _checked_at[alias] = now
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        with _health_lock:
            _down_until[alias] = now + CHECK_SECONDS
        logger.warning("Replica %s lags %.1f s (limit %s s): reads go to the primary", alias, lag,
                       settings.REPLICA_MAX_LAG_SECONDS)  # fmt: skip
        return False
    return True


def choose() -> str | None:
    """A usable replica for this request, or None (the primary). Replicas share the load at random."""
    candidates = aliases()
    random.shuffle(candidates)
    for alias in candidates:
        if usable(alias):
            return alias
    return None


# --- The router ---------------------------------------------------------------------------------


def _app_of(model) -> str:
    return model._meta.app_label


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads of a declared view on its chosen replica, the rest on the
    primary; migrations only on the primary (a replica replays them)."""

    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or state.replica is None or _app_of(model) in PRIMARY_ONLY_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None
        return state.replica

    def db_for_write(self, model, **hints):
        state = _state.get()
        if (
            state is not None
            and _app_of(model) not in BOOKKEEPING_APPS
            and model._meta.label_lower not in BOOKKEEPING_MODELS
        ):
            state.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias is the same database, at most a few seconds apart.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


# --- Declaring a view, and the middleware --------------------------------------------------------

REPLICA_ERRORS = (OperationalError, InterfaceError)


@contextlib.contextmanager
def on_primary():
    """Reads in this block go to the primary, even in a declared view: for what is cached under a
    version that changes with the primary's rows (maillage/territory/published.py), where a lagging
    replica would file old rows under the new version."""
    state = _state.get()
    if state is None or state.replica is None:
        yield
        return
    alias, state.replica = state.replica, None
    try:
        yield
    finally:
        state.replica = alias


def replica_reads(view):
    """Declares that `view` only reads, and tolerates data a few seconds old: its reads go to a
    replica when one is configured and healthy, unless the browser is pinned to the primary.
    Put it closest to the view (under the access and FHIR decorators), so that it sees a replica's
    failure before anything turns it into an error page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        state = _state.get()
        if state is None or state.pinned or not aliases():
            return view(request, *args, **kwargs)
        state.replica = choose()
        if state.replica is None:
            return view(request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
            # A TemplateResponse reads its lazy querysets while rendering: render here, so that a
            # replica failing then is caught too.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
        except REPLICA_ERRORS as error:
            if not _replica_failed(state.replica):
                raise
            mark_down(state.replica, error)
            state.replica = None
            return view(request, *args, **kwargs)
        finally:
            state.replica = None

    return wrapper


def _replica_failed(alias: str) -> bool:
    """Whether the error came from the replica's connection (rather than from the primary's, which
    running the view again would not cure)."""
    connection = connections[alias]
    if connection.connection is None or connection.errors_occurred:
        return True
    try:
        return not connection.is_usable()
    except DatabaseError:
        return True


class ReplicaMiddleware:
    """Per request: whether this browser is pinned to the primary; after it, pins the browser when
    the request wrote (or was a successful POST, PUT, PATCH or DELETE, whose writes may not all have
    gone through the router)."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not aliases():
            return self.get_response(request)
        state = _Request(pinned=request.COOKIES.get(PIN_COOKIE) == "1")
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote or (request.method not in self.SAFE and response.status_code < 400):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
