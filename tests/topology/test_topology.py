"""Issue 19: the production topology on one machine (tests/topology/harness.py), seen from a client.
A PostgreSQL primary and its streaming replica, PgBouncer in transaction mode, Redis, two gunicorn
servers (A and B) and nginx in front: reads of replica-class pages reach the replica, writes the
primary; what one server does the other sees (a booking, a login throttle, a session, an uploaded
file); and the faults of the issue — replica lag, replica down, PgBouncer restarted, the cache down,
the primary restarted during a booking — leave the client with an answer, never a doubled booking.

One topology for the module (starting it is most of the time). Each fault test puts the topology
back as it found it, so the tests hold in any order. Skipped when a Debian program is missing,
except in CI (MAILLAGE_REQUIRE_TOPOLOGY=1)."""

import html
import http.cookiejar
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.topology.harness import ROOT, Topology, missing_programs

pytestmark = pytest.mark.topology

BASE_PORT = int(os.environ.get("MAILLAGE_TOPOLOGY_PORT", "56400"))
REQUIRED = os.environ.get("MAILLAGE_REQUIRE_TOPOLOGY") == "1"
HAS_REDIS_CLIENT = importlib.util.find_spec("redis") is not None
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
THROTTLED = "Trop de tentatives de connexion échouées"
TAKEN = "Ce créneau vient d'être pris"
BOOKED = "Rendez-vous réservé"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _skip_or_fail(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (MAILLAGE_REQUIRE_TOPOLOGY=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def topology():
    missing = missing_programs()
    if missing:
        _skip_or_fail(f"paquets Debian absents : {', '.join(missing)}")
    # Without the `redis` client in the virtual environment, the database cache stands in (the
    # Redis fault test is then skipped): the rest of the topology is still worth checking.
    env = {} if HAS_REDIS_CLIENT else {"MAILLAGE_CACHE_URL": ""}
    if not HAS_REDIS_CLIENT and REQUIRED:
        pytest.fail("le paquet Python « redis » est absent de l'environnement virtuel")
    # Not under pytest's temporary folder: each pytest run (another one on the machine too) sets
    # /tmp/pytest-of-<user> back to 0700, and the `postgres` user would lose its way to the data.
    workdir = Path(tempfile.mkdtemp(prefix="maillage-topologie-"))
    try:
        with Topology(workdir, base_port=BASE_PORT, env=env) as topo:
            topo.migrate(reference=False)
            # The data is written while the app servers boot: two processes, two cores.
            world = _start_world(topo)
            try:
                topo.start_apps()
            finally:
                topo.world = _world(world)
            topo.wait_replica_caught_up()
            yield topo
    finally:
        # MAILLAGE_TOPOLOGY_KEEP=1 keeps the servers' logs (workdir/logs) to read after a failure.
        if os.environ.get("MAILLAGE_TOPOLOGY_KEEP") == "1":
            print(f"\nTopologie conservée dans {workdir} (journaux : {workdir}/logs)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _start_world(topo) -> subprocess.Popen:
    env = topo.app_env(0, {"DATABASE_URL": topo.primary_url, "MAILLAGE_CACHE_URL": ""})
    env.pop("DATABASE_REPLICA_URLS", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    command = [sys.executable, "-m", "tests.topology.world"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _world(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


class Answer:
    def __init__(self, status: int, url: str, body: bytes, headers):
        self.status, self.url, self.body, self.headers = status, url, body, headers

    @property
    def text(self) -> str:
        return html.unescape(self.body.decode(errors="replace"))


class Browser:
    """One person: a cookie jar, and an address of their own in X-Forwarded-For (the servers trust
    one proxy, so a direct request's header is taken as nginx's): throttles count per person."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(self, base: str, path: str, data: dict | None = None, *, files=None, timeout=60) -> Answer:
        url = base + path
        headers = {"X-Forwarded-For": self.address, "Referer": url}
        body = None
        if data is not None or files:
            data = {"csrfmiddlewaretoken": self._csrf(base), **(data or {})}
            if files:
                body, content_type = _multipart(data, files)
                headers["Content-Type"] = content_type
            else:
                body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (our own http:// URL)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.geturl(), response.read(), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.geturl(), error.read(), error.headers)

    def get(self, base, path, **kwargs) -> Answer:
        return self.request(base, path, **kwargs)

    def post(self, base, path, data=None, **kwargs) -> Answer:
        return self.request(base, path, data or {}, **kwargs)

    def _csrf(self, base: str) -> str:
        if not self.cookie("csrftoken"):
            self.get(base, "/accounts/login/")
        return self.cookie("csrftoken")

    def log_in(self, base: str, email: str, password: str, secret: str | None = None) -> Answer:
        answer = self.post(base, "/accounts/login/", {"login": email, "password": password})
        if secret and answer.url.endswith("/accounts/2fa/authenticate/"):
            from allauth.mfa.totp.internal.auth import hotp_value

            code = format(hotp_value(secret, int(time.time()) // 30), "06d")
            answer = self.post(base, "/accounts/2fa/authenticate/", {"code": code})
        return answer


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def staff(topology):
    """The regulator and the coordinator, each logged in once on server A with their second factor
    (a TOTP code is accepted once: logging in again within 30 s would be refused)."""
    a = topology.app_urls[0]
    world = topology.world
    browsers = {}
    for name in ("regulator", "coordinator"):
        browser = Browser()
        user = world["users"][name]
        answer = browser.log_in(a, user["email"], world["password"], user["secret"])
        assert answer.status == 200 and "/accounts/" not in answer.url, answer.text[:2000]
        browsers[name] = browser
    return browsers


def _replica_class_paths(world) -> list[str]:
    identifier = urllib.parse.quote(f"{IDNPS}|{world['gp']}")
    return [
        "/",
        "/cpts/cmv/",
        "/cpts/cmv/annuaire/",
        f"/fhir/Practitioner?identifier={identifier}",
    ]


def _bookings(topology, slot: int) -> int:
    sql = "SELECT count(*) FROM unscheduled_booking WHERE slot_id = %s"
    return topology.query(topology.primary_url, sql, [slot])[0][0]


def _book(browser, base, care: int, slot: int) -> Answer:
    data = {"slot": slot, "confirme": "1", "hors_delai": "1"}
    return browser.post(base, f"/c/cmv/snp/{care}/reserver/", data)


def _wait_for(condition, timeout: float, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


# --- one instance on two servers ------------------------------------------------------------


def test_a_session_opened_on_server_a_works_on_server_b(topology, staff):
    answer = staff["regulator"].get(topology.app_urls[1], "/c/cmv/snp/")
    assert answer.status == 200 and "/accounts/login/" not in answer.url


def test_replica_class_reads_reach_the_replica_and_writes_the_primary(topology, staff):
    before = topology.xact_commits()["replica"]
    reader = Browser()
    for _ in range(5):
        for path in _replica_class_paths(topology.world):
            assert reader.get(topology.lb_url, path).status == 200, path
    # Each backend reports its counts when idle, within a second or up to ten (PostgreSQL 15's
    # pgstat). Each reading here is a transaction of its own on the replica: not counted.
    readings = 0

    def served_by_replica():
        nonlocal readings
        readings += 1
        return topology.xact_commits()["replica"] - before - 2 * readings

    assert _wait_for(lambda: served_by_replica() >= 20, timeout=15, step=1), served_by_replica()

    written = staff["regulator"].post(
        topology.lb_url,
        "/c/cmv/snp/nouvelle/",
        {"last_name": "Écrite", "first_name": "Jeanne", "phone": "0611223344", "doublon": "1", "commune": "92020",
         "reason": "fièvre depuis trois jours", "urgency": "24h", "profession_code": "10"},
    )  # fmt: skip
    assert written.status == 200, written.text[:2000]
    sql = "SELECT count(*) FROM unscheduled_carerequest WHERE last_name = 'Écrite'"
    assert topology.query(topology.primary_url, sql)[0][0] == 1
    topology.wait_replica_caught_up()
    assert topology.query(topology.replica_url, sql)[0][0] == 1  # streamed, not written there


def test_a_booking_made_on_server_a_is_refused_on_server_b(topology, staff):
    a, b = topology.app_urls
    slot = topology.world["slots"][0]
    first, second = topology.world["requests"][:2]
    made = _book(staff["regulator"], a, first, slot)
    assert made.status == 200 and BOOKED in made.text, made.text[:2000]
    refused = _book(staff["regulator"], b, second, slot)
    assert refused.status == 200 and TAKEN in refused.text and BOOKED not in refused.text
    assert _bookings(topology, slot) == 1


def test_the_login_throttle_holds_across_both_servers(topology):
    a, b = topology.app_urls
    browser = Browser()
    email = topology.world["member"]
    pages = [browser.log_in((a, b)[attempt % 2], email, "mauvais mot de passe").text for attempt in range(6)]
    # Each server alone saw 3 failures, under the limit of 5: only a shared count refuses the 6th.
    assert [THROTTLED in page for page in pages] == [False] * 5 + [True]
    assert THROTTLED in browser.log_in(b, email, topology.world["password"]).text


def test_a_file_uploaded_through_server_a_is_downloaded_through_server_b(topology, staff):
    a, b = topology.app_urls
    coordinator = staff["coordinator"]
    uploaded = coordinator.post(
        a, "/c/cmv/parcours/documents/", {"kind": "statutes"}, files={"file": ("statuts.pdf", PDF)}
    )
    assert uploaded.status == 200 and "Document « statuts.pdf » déposé." in uploaded.text, uploaded.text[:2000]
    [(document,)] = topology.query(topology.primary_url, "SELECT max(id) FROM lifecycle_document")
    download = coordinator.get(b, f"/c/cmv/parcours/documents/{document}/")
    assert download.status == 200 and download.body == PDF


# --- faults -----------------------------------------------------------------------------------


def test_with_a_lagging_replica_a_writer_reads_their_write_and_others_the_past(topology, staff):
    """Read your own writes: after a write, the browser holds the `maillage_primary` pin and its
    replica-class reads go to the primary, while an anonymous reader still sees the lagging replica."""
    # A commit replayed just now: the replica's lag is measured from its last replayed commit, and
    # must stay under MAILLAGE_REPLICA_MAX_LAG_SECONDS for the replica to be read at all.
    topology.query(topology.primary_url, "SELECT txid_current()")
    topology.wait_replica_caught_up()
    topology.set_replica_delay(6)
    try:
        coordinator = staff["coordinator"]
        language = f"occitan{uuid.uuid4().hex[:6]}"
        page = f"/c/cmv/annuaire/pro/{topology.world['gp']}/"
        version = re.search(r'name="version" value="(\d+)"', coordinator.get(topology.lb_url, page).text).group(1)
        edited = coordinator.post(
            topology.lb_url, page + "fiche/", {"public_listing": "on", "languages": language, "version": version}
        )
        assert edited.status == 200 and "a été mise à jour" in edited.text, edited.text[:2000]
        assert coordinator.cookie("maillage_primary"), "no read-your-writes pin after a write"
        assert language in coordinator.get(topology.lb_url, "/cpts/cmv/annuaire/").text
        assert language not in Browser().get(topology.lb_url, "/cpts/cmv/annuaire/").text
    finally:
        topology.set_replica_delay(0)
    topology.wait_replica_caught_up()
    assert language in Browser().get(topology.lb_url, "/cpts/cmv/annuaire/").text


def test_a_replica_stopped_mid_test_makes_reads_fall_back_to_the_primary(topology, staff):
    reader = Browser()
    paths = _replica_class_paths(topology.world)
    assert all(reader.get(topology.lb_url, path).status == 200 for path in paths)
    topology.stop_replica()
    try:
        statuses = [reader.get(topology.lb_url, path).status for _ in range(3) for path in paths]
        assert statuses == [200] * len(statuses)
        assert staff["regulator"].get(topology.lb_url, "/c/cmv/snp/").status == 200
    finally:
        topology.start_replica()
    topology.wait_replica_caught_up()


def test_after_pgbouncer_restarts_the_next_requests_succeed(topology, staff):
    reader = Browser()
    paths = _replica_class_paths(topology.world)
    assert all(reader.get(topology.lb_url, path).status == 200 for path in paths)
    topology.restart_pgbouncer()
    # Every thread of every worker holds a connection PgBouncer dropped: Django's health check
    # notices at the next request and opens another; nobody sees an error.
    statuses = [reader.get(topology.lb_url, path).status for _ in range(4) for path in paths]
    statuses += [staff["regulator"].get(base, "/c/cmv/snp/").status for base in topology.app_urls * 4]
    assert statuses == [200] * len(statuses)


def test_the_primary_restarted_during_a_booking_never_doubles_it(topology, staff):
    """The booking is made once or reported failed; the regulator's retry (what a person does on
    an error page) then books it once or is told the slot is taken."""
    slot = topology.world["slots"][1]
    care = topology.world["requests"][2]
    regulator = staff["regulator"]
    answers = []
    # The slot's row held by another transaction: the booking's UPDATE waits on it, so the restart
    # surely falls in the middle of the booking's transaction, not before or after it.
    holder = psycopg.connect(topology.primary_url)
    holder.execute("SELECT 1 FROM unscheduled_slot WHERE id = %s FOR UPDATE", [slot])
    booking = threading.Thread(target=lambda: answers.append(_book(regulator, topology.lb_url, care, slot)))
    booking.start()
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%%unscheduled_slot%%'"
    )
    assert _wait_for(lambda: topology.query(topology.primary_url, waiting)[0][0], timeout=20, step=0.1)
    try:
        topology.restart_primary()
    finally:
        holder.close()
    booking.join(timeout=120)
    assert answers, "the booking request got no answer"
    first = answers[0]
    assert first.status in (200, 500, 502, 503), first.status
    retry = _book(regulator, topology.lb_url, care, slot)
    assert retry.status == 200, retry.text[:2000]
    successes = [BOOKED in answer.text for answer in (first, retry)]
    assert successes.count(True) <= 1
    assert _bookings(topology, slot) == 1
    topology.wait_replica_caught_up()


def test_with_the_cache_down_public_pages_serve_and_logins_are_refused_in_french(topology):
    if not HAS_REDIS_CLIENT:
        _skip_or_fail("le paquet Python « redis » est absent : le cache est la base de données")
    reader = Browser()
    topology.stop_redis()
    try:
        statuses = [reader.get(topology.lb_url, path).status for path in _replica_class_paths(topology.world)]
        assert statuses == [200] * len(statuses)
        login = reader.log_in(topology.lb_url, topology.world["member"], topology.world["password"])
        assert login.status == 503 and re.search(r'<html[^>]+lang="fr"', login.text), login.text[:2000]
        assert "La connexion est momentanément indisponible" in html.unescape(login.text)
    finally:
        topology.start_redis()
