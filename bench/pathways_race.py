"""Care requests benchmark (issue 15, the second half of bench/pathways.py): broadcasting a request
to the professionals in reach, then professionals racing to accept the same requests over HTTP.

Each database (a fresh PostgreSQL database; a fresh SQLite file as a bonus, not in quick runs) is
migrated and gets a directory at a region's scale around one CPTS: communes on a grid of about
5 km with their centroids, professionals of four professions with an active site in them, and
nurses with a linked account (member role, TOTP authenticator) who can be offered requests.

- Broadcast: `create_request` (maillage/pathways/actions/requests.py) as the CPTS's coordinator
  sends it: the professionals of the profession within the radius (`reach`: a bounding box on the
  communes' centroids, haversine, the sites of those communes, the linked accounts), one
  recipient row each, the emails enqueued, the transition and the audit entry — timed per
  request (p50/p95) against the baseline: the one indexed SELECT of the same profession's active
  sites in the same communes (the raw read the broadcast cannot do without). Target p95 < 100 ms.
- The race: N professionals near one commune have each been offered the same R requests
  (broadcast before the race); gunicorn (several processes of several threads) serves the
  project; each professional's client (its own logged-in session, the CSRF token from the
  request's page) waits on a barrier, then POSTs « Accepter » for every request, in its own random
  order. Exactly one winner per request is required (a conditional UPDATE of the request), checked
  in the database afterwards: requests accepted = R, winners shown « acceptée » = R, transitions
  to « acceptée » = R (no double), and the message each client saw agrees with the database.

    .venv/bin/python bench/pathways_race.py            # 100 professionals race for 20 requests
    .venv/bin/python bench/pathways_race.py --quick    # 20 professionals, 5 requests (CI)
    .venv/bin/python bench/pathways_race.py --postgres postgres://user@host:port/db
"""

import math
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

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
from booking_contention import TOKEN, Desk, message_level, session_cookie

# Full: a region's directory around the CPTS (grid of 36 × 36 communes ≈ 180 km a side).
FULL = {"grid": 36, "professionals": 60_000, "accounts": 3_000, "broadcasts": 100, "racers": 100, "requests": 20}
QUICK = {"grid": 12, "professionals": 6_000, "accounts": 300, "broadcasts": 20, "racers": 20, "requests": 5}
SERVER = {"workers": 4, "threads": 8}
SEED = 20261206
STEP_KM = 5.0
RADIUS_KM = 10
CENTER = (48.8169, 2.2967)  # Malakoff
# Nurses (60) most, as in a region's directory; the others make the profession filter real.
PROFESSIONS = [
    ("60", "Infirmier", 0.4),
    ("10", "Médecin", 0.3),
    ("21", "Pharmacien", 0.15),
    ("70", "Masseur-Kinésithérapeute", 0.15),
]


def _grid_position(i: int, j: int, grid: int) -> tuple[float, float]:
    lat = CENTER[0] + (i - grid // 2) * STEP_KM / 111.2
    lon = CENTER[1] + (j - grid // 2) * STEP_KM / (111.2 * math.cos(math.radians(CENTER[0])))
    return lat, lon


def make_data(scale: dict) -> dict:
    """The region, its communes on a grid, the professionals and their sites, the linked nurses,
    the CPTS on the centre commune and its coordinator."""
    from allauth.mfa.models import Authenticator

    from maillage.accounts.models import Role, RoleKind, User
    from maillage.directory.models import Activity, Professional, ProfessionalAccount
    from maillage.directory.synthetic import rpps_number
    from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region

    rng = random.Random(SEED)
    region = Region.objects.create(code="11", name="Île-de-France")
    departement = Departement.objects.create(code="92", name="Hauts-de-Seine", region=region)
    grid = scale["grid"]
    communes = []
    for i in range(grid):
        for j in range(grid):
            lat, lon = _grid_position(i, j, grid)
            code = f"9{i:02d}{j:02d}"
            communes.append(Commune(code=code, name=f"Commune {i}-{j}", search_name=f"commune {i} {j}",
                                    departement=departement, region=region, population=10_000,
                                    latitude=lat, longitude=lon))  # fmt: skip
    communes = Commune.objects.bulk_create(communes)
    center = communes[(grid // 2) * grid + grid // 2]
    cpts = Cpts.objects.create(name="CPTS Banc des demandes", slug="banc-demandes", status=Cpts.Status.ACTIVE)
    CptsCommune.objects.create(cpts=cpts, commune=center)
    # The racers practise in the centre commune: every request from it reaches them all.
    racers = scale["racers"]
    professionals = []
    for n in range(scale["professionals"]):
        if n < racers:
            code, label = "60", "Infirmier"
        else:
            code, label, _ = rng.choices(PROFESSIONS, weights=[w for *_, w in PROFESSIONS])[0]
        rpps = rpps_number(810_000_000 + n)
        professionals.append(Professional(source_hash=f"{n:032x}", id_type="8", identifier=rpps, national_id=f"8{rpps}",
                                          last_name=f"PRO{n}", first_name="Camille", search_name=f"pro{n} camille",
                                          profession_code=code, profession_label=label))  # fmt: skip
    professionals = Professional.objects.bulk_create(professionals, batch_size=5_000)
    sites = []
    for n, professional in enumerate(professionals):
        commune = center if n < racers else communes[rng.randrange(len(communes))]
        sites.append(Activity(source_hash=professional.source_hash, key=f"{professional.national_id}|banc",
                              professional=professional, commune=commune, commune_code=commune.code,
                              mode_code="L", mode_label="Libéral"))  # fmt: skip
    Activity.objects.bulk_create(sites, batch_size=5_000)
    # Linked nurses: the racers first, then nurses anywhere in the region.
    nurses = [p for p in professionals if p.profession_code == "60"][: scale["accounts"]]
    users = User.objects.bulk_create(
        [
            User(email=f"infirmier{n}@banc.invalid", first_name="Camille", last_name=f"PRO{n}")
            for n in range(len(nurses))
        ],
        batch_size=2_000,
    )
    Role.objects.bulk_create([Role(user=u, kind=RoleKind.MEMBER, cpts=cpts) for u in users], batch_size=2_000)
    Authenticator.objects.bulk_create(
        [Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": "banc"}) for u in users], batch_size=2_000
    )
    ProfessionalAccount.objects.bulk_create(
        [ProfessionalAccount(user=u, professional=p) for u, p in zip(users, nurses, strict=True)], batch_size=2_000
    )
    coordinator = User.objects.create_user("coordination@banc.invalid", first_name="Coordination", last_name="Banc")
    Role.objects.create(user=coordinator, kind=RoleKind.COORDINATOR, cpts=cpts)
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "banc"})
    return {"cpts": cpts, "center": center, "coordinator": coordinator, "racers": users[:racers],
            "communes": len(communes), "professionals": len(professionals), "accounts": len(users)}  # fmt: skip


def _need(center, n: int):
    from django.utils import timezone

    from maillage.pathways.actions.requests import Need

    return Need(profession_code="60", need=f"Pansement complexe à domicile, 3 fois par semaine (banc {n}).",
                start_on=timezone.localdate() + timedelta(days=2), commune=center, radius_km=RADIUS_KM)  # fmt: skip


def broadcasts(data: dict, count: int) -> dict:
    """`count` broadcasts timed one by one, and the baseline SELECT for the same reach."""
    from django.db import connection

    from maillage.directory.models import Activity
    from maillage.pathways.actions.requests import PatientContact, create_request
    from maillage.pathways.reach import communes_within

    center, coordinator, cpts = data["center"], data["coordinator"], data["cpts"]
    times, base, offered = [], [], []
    for n in range(count):
        start = time.perf_counter()
        request = create_request(cpts, coordinator, _need(center, n), PatientContact(name=f"Patient Banc{n}"))
        times.append((time.perf_counter() - start) * 1000)
        offered.append(request.recipients.count())
        start = time.perf_counter()
        codes = list(communes_within(center, RADIUS_KM))
        list(
            Activity.objects.filter(
                commune_id__in=codes, active=True, professional__profession_code="60", professional__active=True
            ).values_list("professional_id", flat=True)
        )
        base.append((time.perf_counter() - start) * 1000)
    connection.close()
    return {"times": times, "baseline": base, "offered": offered}


class Acceptor(Desk):
    """One professional's browser: its session, the CSRF cookie and token, and the accept POSTs."""

    def __init__(self, base: str, slug: str, first_request: int, session: str):
        super().__init__(base, slug, 0, session)
        self.slug = slug
        self.page = f"/c/{slug}/demandes-de-prise-en-charge/{first_request}/"

    def open_page(self) -> None:
        status, cookies, content = self._send("GET", self.page)
        found = TOKEN.search(content.decode("utf-8", "replace"))
        if status != 200 or "csrftoken" not in cookies or not found:
            raise BenchError(f"GET {self.page} answered {status} without a CSRF token: {content[:300]!r}")
        self.cookies["csrftoken"] = cookies["csrftoken"]
        self.token = found.group(1)

    def accept(self, request_pk: int) -> dict:
        path = f"/c/{self.slug}/demandes-de-prise-en-charge/{request_pk}/accepter/"
        body = urlencode({"csrfmiddlewaretoken": self.token})
        start = time.perf_counter()
        try:
            status, cookies, _content = self._send("POST", path, body)
        except OSError as exc:
            return {"request": request_pk, "status": 0, "error": str(exc), "start": start, "end": time.perf_counter()}
        return {"request": request_pk, "status": status, "messages": cookies.get("messages", ""), "start": start,
                "end": time.perf_counter()}  # fmt: skip


def worker(options) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from maillage.pathways.actions.requests import PatientContact, create_request
    from maillage.pathways.models import CareRequest, CareRequestRecipient, CareRequestTransition

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    with stopwatch("migrate"):
        call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    with stopwatch(f"{scale['grid'] ** 2} communes, {number(scale['professionals'])} professionals, "
                   f"{number(scale['accounts'])} linked nurses"):  # fmt: skip
        data = make_data(scale)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"   {scale['broadcasts']} broadcasts, each timed…")
    broadcast = broadcasts(data, scale["broadcasts"])
    # The race's requests, all from the centre commune: every racer is offered every one.
    r = scale["requests"]
    racers = data["racers"]
    requests = [
        create_request(
            data["cpts"],
            data["coordinator"],
            _need(data["center"], 10_000 + n),
            PatientContact(name=f"Patient Course{n}"),
        )
        for n in range(r)
    ]
    pks = [q.pk for q in requests]
    offered = CareRequestRecipient.objects.filter(request_id__in=pks, professional__accounts__user__in=racers).count()
    if offered != r * len(racers):
        raise BenchError(f"{offered} offers to the racers, {r * len(racers)} expected: the reach is not what it seems")
    sessions = [session_cookie(user) for user in racers]
    connection.close()  # the server's processes do the work from now on

    rng = random.Random(SEED)
    with live_server(options.database_url, **SERVER) as base:
        log(f"   gunicorn on {base}: {SERVER['workers']} processes × {SERVER['threads']} threads")
        slug = data["cpts"].slug
        clients = [Acceptor(base, slug, pks[0], s) for s in sessions]
        opening = f"{len(clients)} professionals open a request's page (GET, 8 at a time)"
        with stopwatch(opening), ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda c: c.open_page(), clients))
        orders = [rng.sample(pks, len(pks)) for _ in clients]
        barrier = threading.Barrier(len(clients))
        outcomes: list[list[dict]] = [[] for _ in clients]

        def race(i: int) -> None:
            barrier.wait()
            outcomes[i] = [clients[i].accept(pk) for pk in orders[i]]

        threads = [threading.Thread(target=race, args=(i,)) for i in range(len(clients))]
        log(f"   race: {len(clients)} professionals × {r} requests…")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    flat = [o for client in outcomes for o in client]
    accepted = CareRequest.objects.filter(pk__in=pks, status="accepted", accepted_by__isnull=False)
    transitions = dict(
        CareRequestTransition.objects.filter(request_id__in=pks, target="accepted")
        .values_list("request_id")
        .annotate(n=Count("id"))
        .values_list("request_id", "n")
    )
    winners = dict(accepted.values_list("pk", "accepted_user_id"))
    shown = {}
    for i, client in enumerate(outcomes):
        for o in client:
            if message_level(o.get("messages", "")) == "success":
                shown.setdefault(o["request"], []).append(racers[i].pk)
    wall = max(o["end"] for o in flat) - min(o["start"] for o in flat)
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "scale": scale,
        "communes": data["communes"],
        "professionals": data["professionals"],
        "accounts": data["accounts"],
        "broadcast": broadcast,
        "requests": r,
        "racers": len(racers),
        "accepted": accepted.count(),
        "double": sum(1 for n in transitions.values() if n > 1),
        "shown_winners": sum(len(v) for v in shown.values()),
        "shown_mismatch": sum(1 for pk in pks if shown.get(pk, []) != ([winners[pk]] if pk in winners else [])),
        "http_errors": sorted({f"{o['status']} {o.get('error', '')}".strip() for o in flat if o["status"] != 302}),
        "http_error_count": sum(1 for o in flat if o["status"] != 302),
        "posts": len(flat),
        "wall": wall,
        "latency": [(o["end"] - o["start"]) * 1000 for o in flat],
    }


def invariants(data: dict) -> list[str]:
    r = data["requests"]
    checks = {
        "requests accepted = requests": (data["accepted"], r),
        "requests accepted twice": (data["double"], 0),
        "professionals told « acceptée » = requests": (data["shown_winners"], r),
        "requests where the message and the database disagree": (data["shown_mismatch"], 0),
        "HTTP errors": (data["http_error_count"], 0),
    }
    return [f"{name}: {got} (expected {want})" for name, (got, want) in checks.items() if got != want]


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    scale = QUICK if options.quick else FULL
    print(
        f"Care requests benchmark — {scale['broadcasts']} broadcasts over {number(scale['professionals'])} "
        f"professionals, then {scale['racers']} professionals race for {scale['requests']} requests over HTTP "
        f"(gunicorn, {SERVER['workers']} processes × {SERVER['threads']} threads), "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    skipped = []
    with databases(options) as dbs:
        targets = sorted(dbs.targets, key=lambda t: t.label != "PostgreSQL")
        if options.quick and not options.sqlite_only and any(t.label == "SQLite" for t in targets):
            targets = [t for t in targets if t.label != "SQLite"]
            skipped.append("SQLite: skipped in quick mode (a full run, or --quick --sqlite-only, measures it too).")
        results, problems, failed = run_targets(__file__, dbs, targets, ["--quick"] if options.quick else [])
    print()
    broadcast_rows, outcome_rows, time_rows = [], [], []
    for label, data in results:
        broken = invariants(data)
        b = data["broadcast"]
        p95, base95 = percentile(b["times"], 0.95), percentile(b["baseline"], 0.95)
        broadcast_rows.append(
            [
                label,
                number(data["communes"]),
                number(data["professionals"]),
                number(data["accounts"]),
                f"{RADIUS_KM} km",
                f"{min(b['offered'])}–{max(b['offered'])}",
                len(b["times"]),
                f"{percentile(b['times'], 0.5):.1f} ms",
                f"{p95:.1f} ms",
                f"{percentile(b['baseline'], 0.5):.1f} ms",
                f"{base95:.1f} ms",
                f"{p95 / base95:.1f}×",
                "met" if p95 < 100 else "MISSED",
            ]
        )
        failed |= bool(broken)
        outcome_rows.append(
            [
                label,
                data["racers"],
                data["requests"],
                number(data["posts"]),
                data["accepted"],
                data["double"],
                data["shown_winners"],
                number(data["http_error_count"]),
                "OK" if not broken else "FAILED",
            ]
        )
        lat = data["latency"]
        time_rows.append(
            [
                label,
                f"{data['wall'] * 1000:.0f} ms",
                f"{data['posts'] / data['wall']:.0f}",
                f"{percentile(lat, 0.5):.0f} ms",
                f"{percentile(lat, 0.95):.0f} ms",
                f"{max(lat):.0f} ms",
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
                "communes",
                "professionals",
                "linked nurses",
                "radius",
                "offered",
                "broadcasts",
                "p50",
                "p95",
                "base p50",
                "base p95",
                "ratio p95",
                "target p95 < 100 ms",
            ],
            broadcast_rows,
            title="Broadcast (create_request: reach, recipients, emails enqueued, audit) per request; baseline: the "
            "raw SELECT of the profession's sites in the communes within the radius",
        )
        print_table(
            [
                "database",
                "professionals",
                "requests",
                "POSTs",
                "accepted",
                "accepted twice",
                "told « acceptée »",
                "HTTP errors",
                "invariants",
            ],
            outcome_rows,
            title="The race (from the database afterwards; « told »: the message each professional was shown)",
        )
        print_table(["database", "burst", "POSTs/s", "p50", "p95", "max"], time_rows, title="Accept POST latency")
    for line in skipped + problems:
        print(line)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
