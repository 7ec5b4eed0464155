"""A Redis (or Valkey) cache for several app servers, and its server going down (issue 19, ADR 0033):
a real redis-server (Debian's) started on a free port, then stopped; and a port where nothing
listens. The site keeps serving, /healthz says the cache fails, the logins are refused in French
(fail closed) and the public forms stay open (fail open). Skipped when redis-server is absent,
except in CI (MAILLAGE_REQUIRE_REDIS=1)."""

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import Client, RequestFactory

from config.operations import cache_from_url
from maillage.core import cache as resilient
from maillage.www.spam import over_rate
from tests.factories import RoleFactory

REDIS_SERVER = Path("/usr/bin/redis-server")
UNAVAILABLE = "La connexion est momentanément indisponible"
THROTTLED = "Trop de tentatives de connexion échouées"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_or_skip() -> Path:
    found = REDIS_SERVER if REDIS_SERVER.is_file() else shutil.which("redis-server")
    if found and os.access(found, os.X_OK):
        return Path(found)
    reason = f"redis-server introuvable ({REDIS_SERVER}) : installez le paquet Debian « redis-server »"
    if os.environ.get("MAILLAGE_REQUIRE_REDIS", "") == "1":
        pytest.fail(f"{reason} (MAILLAGE_REQUIRE_REDIS=1).")
    pytest.skip(reason)


class RedisServer:
    """One redis-server on loopback, in memory only, that a test can stop and start again."""

    def __init__(self, program: Path, workdir: Path):
        self.program, self.workdir, self.port = program, workdir, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [str(self.program), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    # A server that never answered is not left running after the test.
                    self.stop()
                    raise RuntimeError("redis-server n'a pas démarré") from None
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def keys(self, pattern: str) -> list[bytes]:
        return redis.Redis(port=self.port).keys(pattern)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(redis_server_or_skip(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_outages(monkeypatch):
    # An outage is remembered per process (logged once): each test starts with none.
    monkeypatch.setattr(resilient, "_OUTAGES", {})


@pytest.fixture
def redis_cache(redis_server, settings, fresh_outages):
    settings.CACHES = {"default": cache_from_url(redis_server.url)}
    return redis_server


@pytest.fixture
def closed_port_cache(settings, fresh_outages):
    settings.CACHES = {"default": cache_from_url(f"redis://127.0.0.1:{_free_port()}/0")}


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "maillage.cache" and r.levelno == logging.WARNING]


def test_with_its_server_up_the_cache_is_redis(redis_cache):
    cache.set("essai", {"valeur": 1}, 30)
    assert cache.get("essai") == {"valeur": 1}
    assert cache.add("essai", 2) is False  # allauth's lock relies on an atomic add
    assert redis_cache.keys("*essai")  # in the server every app server reads, not in this process


def test_a_server_stopped_mid_run_gives_misses_drops_writes_and_is_logged_once(redis_cache, caplog, monkeypatch):
    cache.set("gardé", "oui", 60)
    redis_cache.stop()
    caplog.set_level(logging.WARNING, logger="maillage.cache")
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0)  # every call tries the server again
    for _ in range(20):
        assert cache.get("gardé") is None
        assert cache.get("gardé", "défaut") == "défaut"
        cache.set("autre", 1, 60)  # dropped, no exception
        assert cache.add("verrou", 1) is False
        assert cache.get_many(["gardé", "autre"]) == {}
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.delete("gardé") is False
        with pytest.raises(ValueError):
            cache.incr("compteur")
    logged = _warnings(caplog)
    assert len(logged) == 1
    assert "injoignable" in logged[0] and f"127.0.0.1:{redis_cache.port}/0" in logged[0]

    redis_cache.start()  # the same port, empty: the value set before is gone with the process
    assert cache.get("gardé") is None
    cache.set("gardé", "de retour", 60)
    assert cache.get("gardé") == "de retour"
    assert "de nouveau joignable" in _warnings(caplog)[-1]


def test_after_a_failure_the_server_is_left_alone_for_a_few_seconds(closed_port_cache, monkeypatch):
    calls = []
    real_get = resilient.RedisCache.get
    monkeypatch.setattr(resilient.RedisCache, "get", lambda *a, **k: calls.append(1) or real_get(*a, **k))
    assert cache.get("x") is None
    assert cache.get("x") is None
    assert len(calls) == 1  # the second read did not wait on a dead server


@pytest.mark.django_db
def test_with_the_server_down_pages_are_served_and_healthz_reports_the_cache(closed_port_cache, idf):
    client = Client()
    assert client.get("/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200  # the form shows; only trying is refused
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is False
    assert "Le serveur de cache ne répond pas (ConnectionError)" in checks["cache"]["detail"]
    assert checks["database"]["ok"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/", "/accounts/2fa/authenticate/"])
def test_with_the_server_down_logins_fail_closed_in_french(closed_port_cache, idf, url):
    user = RoleFactory(cpts=idf["cmv"]).user
    response = Client().post(url, {"login": user.email, "password": "mauvais", "email": user.email, "code": "123456"})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert UNAVAILABLE in page and "Réessayez dans quelques minutes" in page


@pytest.mark.django_db
def test_logins_reopen_when_the_server_is_back(redis_cache, idf, monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0)
    user = RoleFactory(cpts=idf["cmv"]).user
    client = Client()
    redis_cache.stop()
    assert client.post("/accounts/login/", {"login": user.email, "password": "mauvais"}).status_code == 503
    redis_cache.start()
    response = client.post("/accounts/login/", {"login": user.email, "password": "mauvais"})
    assert response.status_code == 200 and UNAVAILABLE not in response.content.decode()


@pytest.mark.django_db
def test_the_login_throttle_counts_in_redis_for_every_app_server(redis_cache, idf, settings):
    # Two clients stand for two app servers; what makes the count shared across processes is that
    # it lives in the server (checked below), the cross-process run is the topology test's.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    accounts = [RoleFactory(cpts=idf["cmv"]).user for _ in range(4)]
    server_a, server_b = Client(), Client()
    for number, user in enumerate(accounts[:3]):
        client = server_a if number % 2 else server_b
        assert THROTTLED not in client.post("/accounts/login/", {"login": user.email, "password": "x"}).content.decode()
    blocked = server_a.post("/accounts/login/", {"login": accounts[3].email, "password": "x"})
    assert THROTTLED in blocked.content.decode()
    assert redis_cache.keys("*allauth:rl:allauth.account:login_failed*")


def test_public_forms_fail_open_when_the_server_is_down(closed_port_cache, settings):
    settings.DOCTOR_ACCESS_PUBLIC_RATE = (2, 3600)
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    assert not any(over_rate(request, "doctor_access") for _ in range(10))


def test_public_forms_are_limited_while_the_server_is_up(redis_cache, settings):
    settings.DOCTOR_ACCESS_PUBLIC_RATE = (2, 3600)
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    assert [over_rate(request, "doctor_access") for _ in range(3)] == [False, False, True]


def test_the_log_never_shows_the_servers_password():
    assert resilient._without_credentials("redis://:s3cret@cache.interne:6380/2") == "cache.interne:6380/2"
    assert resilient._without_credentials("redis://cache") == "cache:6379"
