"""The Redis (or Valkey) cache shared by several app servers, and what happens when its server is
down (ADR 0033).

Django's RedisCache raises when its server cannot be reached: every page that reads the cache (the
published map, the directory's counts, the rate limits) would answer 500. `ResilientRedisCache`,
which config.operations.cache_from_url selects for a redis:// URL, turns an unreachable server
into misses: a read finds nothing, a write is dropped, `add` adds nothing and `incr` finds no key
(ValueError, as for a key that has just expired). The pages keep being served, slower where the
cache saved work.

What must not go on quietly without the cache is guessing: the login throttles count there.
`throttles_available()` is asked before a login, a second factor, a re-authentication or a password
reset is processed (maillage.accounts.throttle); while the server cannot be reached those answer a
French 503 instead of letting unlimited attempts through (fail closed). The public forms' rate
limits (maillage.www.spam) fail open: a patient's request matters more than a robot's extra posts,
which the honeypot and the timing check still stop.

An outage is logged once per process when it starts and once when it ends, not once per request.
After a failure the server is left alone for RETRY_SECONDS: a server that drops packets instead of
refusing connections would otherwise cost every cache call of every request its connect timeout.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("maillage.cache")

# Refused or dropped connections, slow answers, and a replica promoted to nothing yet during a
# failover (read-only): the server is unavailable. Other Redis errors are bugs and still raise.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)
RETRY_SECONDS = 5.0
# Short enough that a request does not wait long on a dead server; redis-py's own default is none.
# A `?socket_timeout=…` in the URL takes precedence (redis-py reads it).
DEFAULT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class Outage:
    """Whether one server is known down, shared by every thread of the process: Django builds one
    cache object per thread, and an outage is one event, logged once."""

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self._retry_at = 0.0

    def skipping(self) -> bool:
        return self.down_since is not None and time.monotonic() < self._retry_at

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            if self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning(
                    "Serveur de cache %s injoignable (%s) : les lectures sont des absences, les écritures sont "
                    "perdues, les connexions sont refusées jusqu'à son retour.",
                    self.name,
                    type(error).__name__,
                )

    def succeeded(self) -> None:
        if self.down_since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self.down_since is not None:
                logger.warning(
                    "Serveur de cache %s de nouveau joignable après %d s.",
                    self.name,
                    time.monotonic() - self.down_since,
                )
                self.down_since = None


_OUTAGES: dict[tuple[str, ...], Outage] = {}
_OUTAGES_LOCK = threading.Lock()


def _outage_for(servers: list[str]) -> Outage:
    key = tuple(servers)
    with _OUTAGES_LOCK:
        if key not in _OUTAGES:
            _OUTAGES[key] = Outage(", ".join(_without_credentials(server) for server in servers))
        return _OUTAGES[key]


def _without_credentials(url: str) -> str:
    """host:port/db, for the logs: a redis:// URL may carry the server's password."""
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port or 6379}{parts.path}"
    return parts.path or "?"


_MISSING = object()


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.outage = _outage_for(self._servers)

    def _call(self, operation, fallback, *args, **kwargs):
        if self.outage.skipping():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except UNAVAILABLE as error:
            self.outage.failed(error)
            return fallback
        self.outage.succeeded()
        return result

    def add(self, *args, **kwargs):
        return self._call(super().add, False, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, *args, **kwargs):
        return self._call(super().set, None, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call(super().touch, False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call(super().delete, False, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call(super().get_many, {}, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call(super().has_key, False, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        result = self._call(super().incr, _MISSING, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found")  # what Django raises for a missing key
        return result

    def set_many(self, data, *args, **kwargs):
        return self._call(super().set_many, list(data), data, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call(super().delete_many, None, *args, **kwargs)

    def clear(self):
        return self._call(super().clear, False)

    def ping(self) -> None:
        """Raises when the server cannot be reached now (for /healthz: the reason is reported)."""
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE as error:
            self.outage.failed(error)
            raise
        self.outage.succeeded()

    def reachable(self) -> bool:
        """Whether the server answers; a server that failed in the last RETRY_SECONDS is not asked again."""
        if self.outage.skipping():
            return False
        try:
            self.ping()
        except UNAVAILABLE:
            return False
        return True


def throttles_available() -> bool:
    """Whether the login throttles can count: always with the database cache (without the database
    nothing works anyway), with Redis only while its server answers."""
    reachable = getattr(caches["default"], "reachable", None)
    return reachable() if reachable is not None else True
