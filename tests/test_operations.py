"""Several processes behind a proxy: the shared cache, the client's address, /healthz, the request
id in the logs (issue 13, ADR 0023). The two-process login limit is tests/test_two_processes.py."""

import io
import json
import logging

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, RequestFactory

from config.operations import cache_from_url, logging_config, seconds, trusted_proxies
from maillage.core.client_ip import client_ip
from maillage.core.observability import JsonFormatter, RequestIdFilter, RequestIdMiddleware, _forget_request_id
from maillage.www import health
from tests.factories import RoleFactory

THROTTLED = "Trop de tentatives de connexion échouées"
DB_CACHE = {"default": cache_from_url("")}


# --- The cache from the environment ------------------------------------------------------------


def test_the_default_cache_is_the_database_shared_by_every_process():
    assert cache_from_url("") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "maillage_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")


def test_a_redis_or_valkey_url_selects_the_cache_that_survives_its_server():
    # The client is a dependency (ADR 0033); what the backend does when the server is down is
    # tests/core/test_cache_down.py.
    assert cache_from_url("valkey://h:6379/1") == {
        "BACKEND": "maillage.core.cache.ResilientRedisCache",
        "LOCATION": "redis://h:6379/1",
    }
    assert cache_from_url("rediss://:secret@h:6380/0")["LOCATION"] == "rediss://:secret@h:6380/0"


@pytest.mark.parametrize("url", ["redis://", "redis://h:port/0", "redis://h:6379/zéro", "redis://h,memcached://x"])
def test_an_unreadable_redis_url_is_refused_in_french_at_start(url):
    with pytest.raises(ImproperlyConfigured, match="MAILLAGE_CACHE_URL : « "):
        cache_from_url(url)


def test_the_refusal_does_not_repeat_the_password():
    with pytest.raises(ImproperlyConfigured) as refused:
        cache_from_url("redis://:s3cret@h:99999/0")
    assert "s3cret" not in str(refused.value)
    assert "redis://:***@h:99999/0" in str(refused.value)


def test_an_unknown_cache_url_is_refused():
    with pytest.raises(ImproperlyConfigured, match="adresse non reconnue"):
        cache_from_url("memcached://127.0.0.1")


@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table(settings):
    settings.CACHES = DB_CACHE
    cache.set("essai", {"valeur": 1}, 30)
    assert cache.get("essai") == {"valeur": 1}
    assert cache.add("essai", 2) is False  # allauth's lock relies on an atomic add


# --- Trusted proxies and the client's address --------------------------------------------------


def test_trusted_proxies_are_a_number_or_addresses():
    assert trusted_proxies("") == 0
    assert trusted_proxies("2") == 2
    assert [str(n) for n in trusted_proxies("127.0.0.1, 10.0.0.0/8")] == ["127.0.0.1/32", "10.0.0.0/8"]
    with pytest.raises(ImproperlyConfigured, match="n'est ni une adresse IP ni un réseau"):
        trusted_proxies("nginx")
    with pytest.raises(ImproperlyConfigured, match="durée en secondes"):
        seconds("MAILLAGE_HEALTH_MAX_TASK_AGE", "15 min")


def _request(remote="203.0.113.7", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forwarded_address_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_is_used_not_a_forged_one(settings):
    settings.TRUSTED_PROXIES = 1
    # nginx appends the peer it saw ($proxy_add_x_forwarded_for) to what the client sent.
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"  # no header: the peer itself


def test_with_proxy_addresses_the_rightmost_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = trusted_proxies("127.0.0.1, 10.0.0.0/8")
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    # A peer that is not one of ours: its header is not believed.
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    # A garbled entry beyond our proxies: the last address our proxies wrote counts.
    assert client_ip(_request("127.0.0.1", "pas-une-adresse, 10.1.2.3")) == "10.1.2.3"


def _fail_login(client, email, xff):
    return client.post("/accounts/login/", {"login": email, "password": "mauvais"}, HTTP_X_FORWARDED_FOR=xff)


def test_behind_the_proxy_failures_of_one_client_do_not_lock_out_the_others(idf, settings):
    settings.TRUSTED_PROXIES = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    accounts = [RoleFactory(cpts=idf["cmv"]).user for _ in range(4)]
    client = Client()
    for user in accounts[:3]:
        assert THROTTLED not in _fail_login(client, user.email, "198.51.100.1").content.decode()
    assert THROTTLED in _fail_login(client, accounts[3].email, "198.51.100.1").content.decode()
    # Another client behind the same nginx is not locked out.
    assert THROTTLED not in _fail_login(client, accounts[3].email, "198.51.100.2").content.decode()


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(idf, settings):
    settings.TRUSTED_PROXIES = 0
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    accounts = [RoleFactory(cpts=idf["cmv"]).user for _ in range(4)]
    client = Client()
    for number, user in enumerate(accounts[:3]):
        _fail_login(client, user.email, f"198.51.100.{number}")
    assert THROTTLED in _fail_login(client, accounts[3].email, "198.51.100.99").content.decode()


# --- /healthz ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_green_without_login(settings):
    from django.utils import timezone

    from maillage.core.models import PeriodicRun

    settings.CACHES = DB_CACHE
    now = timezone.now()
    PeriodicRun.objects.create(job="core.clear_sessions", slot=now, started_at=now)
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "migrations", "tasks", "periodic"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(LocMemCache, "set", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"] == {"ok": False, "detail": "Vérification impossible (ConnectionError)."}
    assert body["checks"]["database"]["ok"]


@pytest.mark.django_db
def test_healthz_answers_503_with_unapplied_migrations(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    class Pending:
        app_label, name = "core", "9999_future"

    monkeypatch.setattr(health, "_migrations_done", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(Pending(), False)])
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["detail"] == "Migrations non appliquées : core.9999_future."


@pytest.mark.django_db
def test_healthz_reports_a_missing_then_stale_then_fresh_periodic_run(settings):
    from datetime import timedelta

    from django.utils import timezone

    from maillage.core.models import PeriodicRun

    response = Client().get("/healthz")
    assert response.status_code == 503  # never run: the timer is not set up
    assert response.json()["checks"]["periodic"]["detail"] == (
        "Aucune exécution des tâches périodiques (manage.py run_periodic)."
    )
    long_ago = timezone.now() - timedelta(hours=3)
    run = PeriodicRun.objects.create(job="core.clear_sessions", slot=long_ago, started_at=long_ago)
    settings.HEALTH_MAX_PERIODIC_AGE = 3600
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["periodic"]["detail"].startswith(
        "Dernière exécution des tâches périodiques il y a"
    )
    PeriodicRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    assert Client().get("/healthz").json()["checks"]["periodic"]["ok"] is True


# --- The request id ----------------------------------------------------------------------------


def _run(request, handler_stream):
    logger = logging.getLogger("maillage.test.request_id")
    handler = logging.StreamHandler(handler_stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    try:

        def view(request):
            logger.warning("dans la vue")
            return HttpResponse("ok")

        return RequestIdMiddleware(view)(request)
    finally:
        logger.removeHandler(handler)
        _forget_request_id()  # what `request_finished` does after a real request


def test_every_log_line_of_a_request_carries_the_id_sent_back(settings):
    settings.TRUSTED_PROXIES = 0
    stream = io.StringIO()
    response = _run(RequestFactory().get("/", HTTP_X_REQUEST_ID="forge\nligne"), stream)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and request_id != "forge\nligne"  # a client's header is not believed
    line = json.loads(stream.getvalue())
    assert line["request_id"] == request_id and line["message"] == "dans la vue" and line["level"] == "WARNING"


def test_a_trusted_proxy_s_request_id_is_kept(settings):
    settings.TRUSTED_PROXIES = 1
    stream = io.StringIO()
    response = _run(RequestFactory().get("/", HTTP_X_REQUEST_ID="nginx-4f2a"), stream)
    assert response["X-Request-ID"] == "nginx-4f2a"
    assert json.loads(stream.getvalue())["request_id"] == "nginx-4f2a"


@pytest.mark.django_db
def test_pages_carry_a_request_id():
    assert len(Client().get("/healthz")["X-Request-ID"]) == 32


def test_the_log_format_is_chosen_by_the_environment():
    assert logging_config("json", "INFO")["formatters"]["main"]["()"].endswith("JsonFormatter")
    assert "%(request_id)s" in logging_config("text", "INFO")["formatters"]["main"]["format"]
    with pytest.raises(ImproperlyConfigured, match="attendu « text » ou « json »"):
        logging_config("xml", "INFO")


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_per_account_limit_does_not_depend_on_the_host_header(idf, settings):
    """allauth keyed it by host and port: « site:1 », « site:2 »… each had 5 attempts."""
    settings.ALLOWED_HOSTS = ["testserver"]
    member = RoleFactory(cpts=idf["cmv"]).user
    client = Client()
    for port in range(5):
        client.post("/accounts/login/", {"login": member.email, "password": "mauvais"}, HTTP_HOST=f"testserver:{port}")
    blocked = client.post("/accounts/login/", {"login": member.email, "password": "mauvais"}, HTTP_HOST="testserver:9")
    assert THROTTLED in blocked.content.decode()


@pytest.mark.django_db
def test_healthz_reports_a_task_waiting_too_long(settings):
    """Read from django-tasks' database backend: a task's lateness counts from its `run_after`."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from maillage.core.mail import send_email

    now = timezone.now()
    waiting = send_email.enqueue(to="a@exemple.fr", subject="s", body="b")
    retried = send_email.enqueue(to="b@exemple.fr", subject="s", body="b")
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=now - timedelta(minutes=30))
    DBTaskResult.objects.filter(pk=retried.id).update(
        enqueued_at=now - timedelta(hours=5), run_after=now - timedelta(minutes=1)
    )
    settings.HEALTH_MAX_TASK_AGE = 900
    # The retried task became ready a minute ago; the other waits for 30 minutes: too long.
    result = health._tasks()
    assert result["ok"] is False and result["oldest_pending_seconds"] == pytest.approx(1800, abs=5)
    assert result["detail"].startswith("Une tâche attend depuis")
    DBTaskResult.objects.filter(pk=waiting.id).delete()
    assert "ok" not in health._tasks()  # a minute: fine
