"""The read-replica router (maillage/core/replicas.py): which database a request reads.

Here a "replica" is a second connection to the test database (a real streaming replica is started
by the topology test, tests/topology/): the tests count each alias's queries to see where reads
went. They run with `transaction=True`, so that the second connection sees committed rows.
"""

import pytest
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maillage.core import replicas
from maillage.territory.models import Cpts
from tests.factories import CptsFactory, RoleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _add_alias(alias: str, **changes) -> None:
    # A connection made here, not declared in settings: Django's test case allows it (it forbids
    # only the declared aliases a test did not ask for) and forgets it with the thread.
    settings_dict = {**connections["default"].settings_dict, **changes}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    setattr(connections._connections, alias, wrapper)


def _drop_alias(alias: str) -> None:
    connections[alias].close()
    delattr(connections._connections, alias)


@pytest.fixture(autouse=True)
def _healthy():
    replicas._down_until.clear()
    replicas._checked_at.clear()
    yield
    replicas._down_until.clear()
    replicas._checked_at.clear()


@pytest.fixture
def replica(settings):
    """One replica, `replica1`: the test database through a second connection."""
    _add_alias("replica1")
    settings.DATABASE_REPLICAS = ["replica1"]
    yield "replica1"
    _drop_alias("replica1")


@pytest.fixture
def broken_replica(settings, tmp_path):
    """A replica that cannot be reached: PostgreSQL on a closed port, SQLite in a missing folder."""
    if connections["default"].vendor == "postgresql":
        _add_alias("replica1", PORT="1", HOST="127.0.0.1")
    else:
        _add_alias("replica1", NAME=str(tmp_path / "missing" / "replica.sqlite3"))
    settings.DATABASE_REPLICAS = ["replica1"]
    yield "replica1"
    _drop_alias("replica1")


@pytest.fixture
def cpts():
    return CptsFactory(name="CPTS du Val", slug="val")


def _queries(alias):
    return CaptureQueriesContext(connections[alias])


def test_a_declared_view_reads_the_replica(replica, cpts):
    client = Client()
    with _queries("default") as primary, _queries(replica) as read:
        response = client.get("/api/v1/cpts/val")
    assert response.status_code == 200
    assert response.json()["nom"] == "CPTS du Val"
    assert any("territory_cpts" in q["sql"] for q in read.captured_queries)
    assert not any("territory_cpts" in q["sql"] for q in primary.captured_queries)
    # Nothing was written: the browser is not pinned to the primary.
    assert replicas.PIN_COOKIE not in response.cookies


def test_other_views_read_the_primary(replica, cpts, login):
    coordinator = RoleFactory(coordinator=True, cpts=cpts).user
    client = login(coordinator)
    with _queries(replica) as read:
        response = client.get("/espace/")
    assert response.status_code in (200, 302)
    assert read.captured_queries == []


def test_without_replicas_nothing_changes(settings, cpts):
    settings.DATABASE_REPLICAS = []
    response = Client().get("/api/v1/cpts/val")
    assert response.status_code == 200
    assert replicas.PIN_COOKIE not in response.cookies


def test_a_write_pins_the_browser_to_the_primary_for_a_while(replica, cpts, settings, login):
    settings.REPLICA_PIN_SECONDS = 7
    client = login(RoleFactory(coordinator=True, cpts=cpts).user)
    # A refused request wrote nothing: no pin.
    response = client.post("/api/v1/cpts/val", {})
    assert response.status_code == 405
    assert replicas.PIN_COOKIE not in response.cookies
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    cookie = response.cookies[replicas.PIN_COOKIE]
    assert (cookie.value, cookie["max-age"], cookie["httponly"]) == ("1", 7, True)

    # A browser that wrote reads its own write from the primary, even if the replica has not
    # replayed it yet.
    Cpts.objects.filter(slug="val").update(name="CPTS du Val renommée")
    with _queries(replica) as read:
        response = client.get("/api/v1/cpts/val")
    assert response.json()["nom"] == "CPTS du Val renommée"
    assert read.captured_queries == []


def test_a_write_in_a_get_is_noticed():
    state = replicas._Request()
    token = replicas._state.set(state)
    try:
        Cpts.objects.filter(slug="none").update(name="x")
    finally:
        replicas._state.reset(token)
    assert state.wrote


def test_bookkeeping_writes_do_not_pin():
    state = replicas._Request()
    token = replicas._state.set(state)
    try:
        from maillage.core import audit

        audit.record("core.test")
    finally:
        replicas._state.reset(token)
    assert not state.wrote


def test_identity_tables_and_transactions_read_the_primary(replica, cpts):
    router = replicas.ReplicaRouter()
    from django.contrib.sessions.models import Session

    from maillage.accounts.models import User

    state = replicas._Request(replica=replica)
    token = replicas._state.set(state)
    try:
        assert router.db_for_read(Cpts) == replica
        assert router.db_for_read(Session) is None
        assert router.db_for_read(User) is None
        with transaction.atomic():
            assert router.db_for_read(Cpts) is None
        assert router.db_for_write(Cpts) == "default"
    finally:
        replicas._state.reset(token)
    assert router.db_for_read(Cpts) is None  # outside a request
    assert router.allow_migrate(replica, "territory") is False
    assert router.allow_migrate("default", "territory") is True


def test_a_replica_that_fails_costs_the_client_nothing(broken_replica, cpts, caplog):
    client = Client()
    response = client.get("/api/v1/cpts/val")
    assert response.status_code == 200
    assert response.json()["nom"] == "CPTS du Val"
    assert "set aside" in caplog.text
    # Set aside: the next requests do not try it again.
    assert not replicas.usable(broken_replica)
    response = client.get("/fhir/metadata")
    assert response.status_code == 200


def test_a_lagging_replica_is_skipped(replica, cpts, settings, monkeypatch):
    settings.REPLICA_MAX_LAG_SECONDS = 3
    monkeypatch.setattr(replicas, "lag_seconds", lambda alias: 12.5)
    with _queries(replica) as read:
        response = Client().get("/api/v1/cpts/val")
    assert response.status_code == 200
    assert not any("territory_cpts" in q["sql"] for q in read.captured_queries)
    monkeypatch.setattr(replicas, "lag_seconds", lambda alias: 0.5)
    replicas._down_until.clear()
    replicas._checked_at.clear()
    with _queries(replica) as read:
        Client().get("/api/v1/cpts/val")
    assert any("territory_cpts" in q["sql"] for q in read.captured_queries)


def test_fhir_directory_reads_the_replica_and_the_sas_search_does_not(replica, cpts):
    client = Client()
    with _queries(replica) as read:
        response = client.get("/fhir/Organization?name=val")
    assert response.status_code == 200
    assert read.captured_queries
    with _queries(replica) as read:
        response = client.get("/fhir/Slot?start=ge2026-01-01")
    assert read.captured_queries == []
