"""Booking contention benchmark: 200 regulators race for 50 slots through a live HTTP server.

Each database (a fresh PostgreSQL database; a fresh SQLite file as a bonus, not in quick runs) is migrated and gets
one CPTS on one commune, ten GPs with an activity and slots tomorrow evening, twenty regulators
(role `regulator`, a TOTP authenticator, so that the second factor is satisfied) and one open
care request per client. Each client gets its own logged-in session (created in the database, as
a login would) and then, like a regulator, opens its request's page on the server (the desk's
search runs; the CSRF cookie and token come from that page). Then gunicorn (several processes
with several threads each, on a free loopback port) serves the project and:

- baseline: a few bookings made one at a time, each for its own request and slot (no contention);
- the race: 200 clients (threads with `http.client`) wait on a barrier, then each POSTs the desk's
  booking form (`www:snp_book`, the "Réserver" button) for its own request and a random one of
  the 50 slots — every slot is drawn by four clients, in random order, so that each is contended.

The desk books with one conditional UPDATE free → booked behind a partial unique constraint:
exactly one client per slot must win. Checked in the database afterwards: live bookings made
(must equal the number of slots), slots with more than one live booking (must be 0), requests
booked (must equal the bookings), and the message each client was shown (success or "just
taken") must agree with the database. Any HTTP error fails the run too. Printed: bookings per
second over the burst, p50/p95 latency of a POST, and their ratio to the uncontended baseline.

    .venv/bin/python bench/booking_contention.py            # 200 clients, 50 slots
    .venv/bin/python bench/booking_contention.py --quick    # 40 clients, 10 slots (CI)
    .venv/bin/python bench/booking_contention.py --postgres postgres://user@host:port/db
"""

import http.client
import random
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BenchError,
    databases,
    live_server,
    log,
    number,
    parse_options,
    percentile,
    print_table,
    run_targets,
    stopwatch,
    worker_entry,
)

FULL = {"clients": 200, "slots": 50, "baseline": 20}
QUICK = {"clients": 40, "slots": 10, "baseline": 10}
SERVER = {"workers": 4, "threads": 8}
SEED = 20260306
REGULATORS = 20
DOCTORS = 10
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Data (worker process) ---------------------------------------------------------------------


def make_data(clients: int, race_slots: int, baseline: int) -> dict:
    """The CPTS, its doctors and slots, the regulators and one open request per client."""
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from maillage.accounts.models import Role, RoleKind, User
    from maillage.directory.models import Activity, Professional
    from maillage.directory.synthetic import rpps_number
    from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region
    from maillage.unscheduled.models import CareRequest, Slot

    region = Region.objects.create(code="11", name="Île-de-France")
    departement = Departement.objects.create(code="92", name="Hauts-de-Seine", region=region)
    commune = Commune.objects.create(
        code="92046",
        name="Malakoff",
        search_name="malakoff",
        departement=departement,
        region=region,
        population=30_000,
        latitude=48.8169,
        longitude=2.2967,
    )
    cpts = Cpts.objects.create(name="CPTS Banc de réservation", slug="banc-reservation", status=Cpts.Status.ACTIVE)
    CptsCommune.objects.create(cpts=cpts, commune=commune)
    doctors, sites = [], []
    for i in range(DOCTORS):
        rpps = rpps_number(800_000_000 + i)
        doctors.append(
            Professional(
                source_hash=f"{i:032x}",
                id_type="8",
                identifier=rpps,
                national_id=f"8{rpps}",
                last_name=f"MEDECIN{i}",
                first_name="Claire",
                search_name=f"medecin{i} claire",
                profession_code="10",
                profession_label="Médecin",
            )
        )
    doctors = Professional.objects.bulk_create(doctors)
    for doctor in doctors:
        sites.append(
            Activity(
                source_hash=doctor.source_hash,
                key=f"{doctor.national_id}|banc",
                professional=doctor,
                commune=commune,
                commune_code="92046",
                mode_code="L",
                mode_label="Libéral",
            )
        )
    sites = Activity.objects.bulk_create(sites)
    tomorrow = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=1)
    slots = []
    for i in range(race_slots + baseline):
        doctor, site = doctors[i % DOCTORS], sites[i % DOCTORS]
        start = tomorrow + timedelta(minutes=20 * (i // DOCTORS))
        slots.append(
            Slot(
                cpts=cpts,
                professional=doctor,
                activity=site,
                commune=commune,
                start=start,
                end=start + timedelta(minutes=20),
                types=["SNP", "CPTS"],
                profession_code="10",
                profession_label="Médecin",
                specialty_code="SM54",
                specialty_label="Médecine générale",
            )
        )
    slots = Slot.objects.bulk_create(slots)
    users = []
    for i in range(REGULATORS):
        user = User.objects.create_user(f"regulateur{i}@banc.invalid", first_name="Régulateur", last_name=str(i))
        Role.objects.create(user=user, kind=RoleKind.REGULATOR, cpts=cpts)
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "banc"})
        users.append(user)
    requests = CareRequest.objects.bulk_create(
        [
            CareRequest(
                cpts=cpts,
                last_name="PATIENT",
                first_name=f"Banc {i}",
                commune=commune,
                reason="fièvre",
                phone="0600000000",
                taken_by=users[i % REGULATORS],
            )
            for i in range(clients + baseline)
        ]
    )
    return {"cpts": cpts, "slots": slots, "users": users, "requests": requests}


def session_cookie(user) -> str:
    """A logged-in session for `user`, written in the database as a login would."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- HTTP clients (worker process) -------------------------------------------------------------


class Desk:
    """One regulator's browser: its session, the CSRF cookie and token of the request page."""

    def __init__(self, base: str, slug: str, request_pk: int, session: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.page = f"/c/{slug}/snp/{request_pk}/"
        self.book_path = f"{self.page}reserver/"
        self.cookies = {"sessionid": session}
        self.token = ""

    def _send(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
            return response.status, {k: m.value for k, m in cookies.items()}, content
        finally:
            connection.close()

    def open_page(self) -> None:
        """GET the request's page (the desk's search runs): the CSRF cookie and the form's token."""
        status, cookies, content = self._send("GET", self.page)
        found = TOKEN.search(content.decode("utf-8", "replace"))
        if status != 200 or "csrftoken" not in cookies or not found:
            raise BenchError(f"GET {self.page} answered {status} without a CSRF token: {content[:300]!r}")
        self.cookies["csrftoken"] = cookies["csrftoken"]
        self.token = found.group(1)

    def book(self, slot_pk: int) -> dict:
        """POST the confirmation step of "Réserver" (the regulator has seen the confirmation page and
        accepted a slot beyond the window if it is one): the write that races. Returns the status,
        the latency and the message cookie."""
        body = urlencode({"csrfmiddlewaretoken": self.token, "slot": slot_pk, "confirme": "1", "hors_delai": "1"})
        start = time.perf_counter()
        try:
            status, cookies, _content = self._send("POST", self.book_path, body)
        except (OSError, http.client.HTTPException) as exc:
            return {"status": 0, "error": str(exc), "start": start, "end": time.perf_counter()}
        return {"status": status, "messages": cookies.get("messages", ""), "start": start, "end": time.perf_counter()}


def message_level(cookie: str) -> str:
    """ "success" or "error": the message the desk showed, decoded from Django's messages cookie."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    if not cookie:
        return "none"
    messages = CookieStorage(HttpRequest())._decode(cookie) or []
    return messages[-1].level_tag if messages else "none"


def worker(options) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from maillage.unscheduled.enums import ACTIVE_BOOKING, RequestStatus
    from maillage.unscheduled.models import Booking, CareRequest, Slot

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    with stopwatch("migrate"):
        call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    rng = random.Random(SEED)
    n, k, b = scale["clients"], scale["slots"], scale["baseline"]
    with stopwatch(f"{n + b} requests, {k + b} slots, {REGULATORS} regulators and {n + b} sessions"):
        data = make_data(n, k, b)
        sessions = [session_cookie(data["users"][i % REGULATORS]) for i in range(n + b)]
    race_slots, base_slots = data["slots"][:k], data["slots"][k:]
    race_requests, base_requests = data["requests"][:n], data["requests"][n:]
    # Every slot drawn by n/k clients (four in the full run), in random order: each one is contended.
    draws = [s.pk for s in race_slots] * -(-n // k)
    rng.shuffle(draws)
    draws = draws[:n]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # the server's processes do the work from now on

    with live_server(options.database_url, **SERVER) as base:
        log(f"   gunicorn on {base}: {SERVER['workers']} processes × {SERVER['threads']} threads")
        slug = data["cpts"].slug
        desks = [Desk(base, slug, r.pk, s) for r, s in zip(race_requests + base_requests, sessions, strict=True)]
        opening = f"{len(desks)} regulators open their request's page (GET, 8 at a time)"
        with stopwatch(opening), ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda d: d.open_page(), desks))
        # Baseline: one booking at a time.
        baseline = [desk.book(slot.pk) for desk, slot in zip(desks[n:], base_slots, strict=True)]
        # The race.
        barrier = threading.Barrier(n)
        outcomes: list[dict] = [{}] * n

        def race(i: int) -> None:
            barrier.wait()
            outcomes[i] = desks[i].book(draws[i])

        threads = [threading.Thread(target=race, args=(i,)) for i in range(n)]
        log(f"   race: {n} clients for {k} slots…")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # What the database says.
    race_pks = [s.pk for s in race_slots]
    live = Booking.objects.filter(slot_id__in=race_pks, status__in=[s.value for s in ACTIVE_BOOKING])
    per_slot = dict(live.values_list("slot_id").annotate(n=Count("id")).values_list("slot_id", "n"))
    won = set(live.values_list("request_id", flat=True))
    booked_requests = CareRequest.objects.filter(pk__in=[r.pk for r in race_requests], status=RequestStatus.BOOKED)
    levels = [message_level(o.get("messages", "")) for o in outcomes]
    shown_won = {race_requests[i].pk for i, level in enumerate(levels) if level == "success"}
    base_won = Booking.objects.filter(slot__in=base_slots, status__in=[s.value for s in ACTIVE_BOOKING]).count()
    wall = max(o["end"] for o in outcomes) - min(o["start"] for o in outcomes)
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "clients": n,
        "slots": k,
        "distinct_drawn": len(set(draws)),
        "bookings": live.count(),
        "double": sum(1 for count in per_slot.values() if count > 1),
        "slots_booked": Slot.objects.filter(pk__in=race_pks, status="booked").count(),
        "requests_booked": booked_requests.count(),
        "shown_success": len(shown_won),
        "shown_refused": levels.count("error"),
        "shown_mismatch": len(shown_won ^ won),
        "http_errors": sorted({f"{o['status']} {o.get('error', '')}".strip() for o in outcomes if o["status"] != 302}),
        "http_error_count": sum(1 for o in outcomes if o["status"] != 302),
        "wall": wall,
        "latency": [(o["end"] - o["start"]) * 1000 for o in outcomes],
        "won_latency": [(o["end"] - o["start"]) * 1000 for i, o in enumerate(outcomes) if race_requests[i].pk in won],
        "baseline": [(o["end"] - o["start"]) * 1000 for o in baseline],
        "baseline_ok": base_won,
        "baseline_errors": sum(1 for o in baseline if o["status"] != 302),
    }


def invariants(data: dict) -> list[str]:
    checks = {
        "bookings made = slots": (data["bookings"], data["slots"]),
        "slots with more than one live booking": (data["double"], 0),
        "slots marked booked = slots": (data["slots_booked"], data["slots"]),
        "requests booked = bookings": (data["requests_booked"], data["bookings"]),
        "clients told « réservé » and the database disagree": (data["shown_mismatch"], 0),
        "HTTP errors": (data["http_error_count"], 0),
        "uncontended baseline bookings made": (data["baseline_ok"], len(data["baseline"])),
    }
    return [f"{name}: {got} (expected {want})" for name, (got, want) in checks.items() if got != want]


# --- Report (parent process) -------------------------------------------------------------------


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    scale = QUICK if options.quick else FULL
    print(
        f"Booking contention benchmark — {scale['clients']} clients race for {scale['slots']} slots over HTTP "
        f"(gunicorn, {SERVER['workers']} processes × {SERVER['threads']} threads), "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    skipped = []
    with databases(options) as dbs:
        # PostgreSQL first: it is the production database; SQLite is a bonus (the demo's), left out
        # of quick runs (CI) unless it is the only database asked for.
        targets = sorted(dbs.targets, key=lambda t: t.label != "PostgreSQL")
        if options.quick and not options.sqlite_only and any(t.label == "SQLite" for t in targets):
            targets = [t for t in targets if t.label != "SQLite"]
            skipped.append("SQLite: skipped in quick mode (a full run, or --quick --sqlite-only, measures it too).")
        results, problems, failed = run_targets(__file__, dbs, targets, ["--quick"] if options.quick else [])
    print()
    outcome_rows, time_rows = [], []
    for label, data in results:
        broken = invariants(data)
        failed |= bool(broken)
        outcome_rows.append(
            [
                label,
                number(data["clients"]),
                number(data["slots"]),
                number(data["bookings"]),
                number(data["double"]),
                number(data["clients"] - data["bookings"]),
                f"{data['shown_success']} / {data['shown_refused']}",
                number(data["http_error_count"]),
                "OK" if not broken else "FAILED",
            ]
        )
        lat, base = data["latency"], data["baseline"]
        p50, p95, b50, b95 = (
            percentile(lat, 0.5),
            percentile(lat, 0.95),
            percentile(base, 0.5),
            percentile(base, 0.95),
        )
        time_rows.append(
            [
                label,
                f"{data['wall'] * 1000:.0f} ms",
                f"{data['bookings'] / data['wall']:.0f}",
                f"{data['clients'] / data['wall']:.0f}",
                f"{p50:.0f} ms",
                f"{p95:.0f} ms",
                f"{max(lat):.0f} ms",
                f"{statistics.median(data['won_latency']):.0f} ms" if data["won_latency"] else "-",
                f"{b50:.1f} ms",
                f"{b95:.1f} ms",
                f"{p50 / b50:.1f}×",
                f"{p95 / b95:.1f}×",
            ]
        )
        for problem in broken:
            print(f"{label}: INVARIANT FAILED — {problem}")
        if data["http_errors"]:
            print(f"{label}: HTTP answers other than 302: {', '.join(data['http_errors'])}")
    if results:
        print_table(
            [
                "database",
                "clients",
                "slots",
                "bookings made",
                "double bookings",
                "refusals",
                "told booked / taken",
                "HTTP errors",
                "invariants",
            ],
            outcome_rows,
            title="Outcome (from the database after the race; « told »: the message each client was shown)",
        )
        print_table(
            [
                "database",
                "burst",
                "bookings/s",
                "POSTs/s",
                "p50",
                "p95",
                "max",
                "winners p50",
                "base p50",
                "base p95",
                "ratio p50",
                "ratio p95",
            ],
            time_rows,
            title=f"POST latency during the race (baseline: {results[0][1]['baseline'].__len__()} bookings "
            "one at a time on the same server)",
        )
    for line in skipped + problems:
        print(line)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
