"""Slot search benchmark: the desk's search of the next 24 hours and the SAS `GET /fhir/Slot`.

Each database (a fresh SQLite file, a fresh PostgreSQL database) gets `migrate`,
`install_reference --no-shapes`, then synthetic unscheduled care: 20 CPTS (runs of 10 to 40
neighbouring communes of one département), 10,000 professionals with a valid RPPS and one activity
each on a commune of their CPTS (bulk_create), and 500,000 slots over four weeks from today
(bulk_create): weekday evenings, lunchtimes, Saturday and Sunday mornings, 15 to 30 minutes, at the
practice, at home or by video, bookable by the public, the SAS, the CPTS or professionals only,
about a fifth booked and a few withdrawn.

Two query kinds are timed, each with a baseline measured in the same run on the same database:

- the desk: `maillage.unscheduled.search.search(request)` for a care request in a random commune
  of a random CPTS, at a random moment of the four weeks (`now=`), next 24 hours — the ranked list
  the regulator sees. Baseline: the raw indexed SELECT of the same free slots of the CPTS
  (`values_list`, materialised). Target p95 < 50 ms.
- the SAS: `GET /fhir/Slot?start=ge…&start=le…&schedule.actor:Practitioner.identifier=…(25)
  &status=free&_include=…` with every include, through Django's test `Client` and a consumer's
  `Authorization: Bearer` key: 25 practitioners of one CPTS, a 3-day window. Baseline: the raw
  SELECT of the same free slots of the same professionals. Target p95 < 100 ms.

Every answer is checked against its baseline (same number of slots), each SAS answer against the
shapes of the SAS profiles (one link, self; each site in a contained Location with one address
line, a city and a postal code), and the run fails if one differs.

    .venv/bin/python bench/slot_search.py            # 10,000 professionals, 500,000 slots
    .venv/bin/python bench/slot_search.py --quick    # 500 professionals, 20,000 slots (CI)
    .venv/bin/python bench/slot_search.py --postgres postgres://user@host:port/db
"""

import gc
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BenchError,
    check_reference_data,
    databases,
    install_reference,
    log,
    number,
    parse_options,
    percentile,
    print_table,
    run_targets,
    stopwatch,
    worker_entry,
)

FULL = {"cpts": 20, "professionals": 10_000, "slots": 500_000, "desk": 1000, "sas": 300}
QUICK = {"cpts": 5, "professionals": 500, "slots": 20_000, "desk": 100, "sas": 50}
TARGETS_MS = {"desk": 50.0, "sas": 100.0}
SEED = 20260305
DAYS = 28
SAS_PRACTITIONERS = 25
SAS_DAYS = 3
BOOKED_SHARE = 0.20
WITHDRAWN_SHARE = 0.02

# (code, label, specialty code, specialty label, weight) of the professionals who open slots.
PROFESSIONS = [
    ("10", "Médecin", "SM54", "Médecine générale", 0.62),
    ("10", "Médecin", "SM40", "Pédiatrie", 0.04),
    ("60", "Infirmier", "", "", 0.18),
    ("70", "Masseur-Kinésithérapeute", "", "", 0.08),
    ("50", "Sage-Femme", "", "", 0.04),
    ("40", "Chirurgien-Dentiste", "", "", 0.04),
]
# Weekly sessions a professional opens for unscheduled care: (weekdays, start hour, hours).
SESSIONS = [
    ((0, 1, 2, 3, 4), 18, 2.0),  # weekday evening
    ((0, 1, 2, 3, 4), 19, 2.0),
    ((0, 1, 2, 3, 4), 12, 1.5),  # lunchtime
    ((0, 1, 2, 3, 4), 8, 1.0),  # before the morning list
    ((5,), 9, 3.0),  # Saturday morning
    ((5,), 14, 3.0),  # Saturday afternoon
    ((6,), 9, 3.0),  # Sunday morning (permanence des soins)
    ((6,), 17, 2.0),
]
SESSION_WEIGHTS = [4, 3, 2, 1, 3, 2, 2, 1]
KINDS = (["practice", "home", "tele"], [0.75, 0.15, 0.10])
TYPES = (
    [["SNP"], ["CPTS"], ["SNP", "CPTS"], ["PUBLIC", "SNP"], ["PUBLIC"], ["PRO"], ["SNP", "CPTS", "PRO"]],
    [0.25, 0.20, 0.25, 0.10, 0.08, 0.07, 0.05],
)
INCLUDES = {
    "_include": ["Slot:schedule", "Slot:service-type-reference"],
    "_include:iterate": ["Schedule:actor", "HealthcareService:organization"],
}


# --- Synthetic data (worker process) -----------------------------------------------------------


def make_cpts(count: int, rng: random.Random) -> list[tuple]:
    """`count` CPTS of 10 to 40 neighbouring communes (by code), where people live; returns
    [(cpts, [(commune code, population)…])]."""
    from maillage.directory.synthetic import finess_number
    from maillage.territory.models import Commune, Cpts, CptsCommune

    units = list(Commune.objects.units().order_by("code").values_list("code", "population"))
    weights = [max(p, 1) for _, p in units]
    created = []
    for i in range(count):
        size = rng.randint(10, 40)
        start = rng.choices(range(len(units)), weights=weights)[0]
        start = max(0, min(start - size // 2, len(units) - size))
        communes = units[start : start + size]
        # A FINESS number: without one a CPTS exposes no slot to the SAS (issue 18).
        cpts = Cpts.objects.create(
            name=f"CPTS créneaux {i:02d}", slug=f"creneaux-{i:02d}", status=Cpts.Status.ACTIVE,
            finess=finess_number("92", 990_000 + i),
        )  # fmt: skip
        CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune_id=code) for code, _ in communes])
        created.append((cpts, communes))
        # --no-shapes installs no centroids: the territory gets some, within ~15 km of a centre, so
        # that the desk computes distances as it does with the real reference.
        lat, lon = rng.uniform(43.5, 50.5), rng.uniform(-1.0, 7.0)
        located = [
            Commune(code=code, latitude=lat + rng.uniform(-0.12, 0.12), longitude=lon + rng.uniform(-0.18, 0.18))
            for code, _ in communes
        ]
        Commune.objects.bulk_update(located, ["latitude", "longitude"])
    return created


def make_professionals(count: int, territories: list[tuple], rng: random.Random) -> list[tuple]:
    """`count` professionals with a valid RPPS, one activity each on a commune of their CPTS;
    returns [(cpts, professional, activity, profession)…]."""
    from maillage.directory.models import Activity, Professional
    from maillage.directory.models.professionals import search_name
    from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES, rpps_number

    people, sites, owners = [], [], []
    for serial in range(count):
        cpts, communes = territories[serial % len(territories)]
        code = rng.choices([c for c, _ in communes], weights=[max(p, 1) for _, p in communes])[0]
        profession = rng.choices(PROFESSIONS, weights=[p[-1] for p in PROFESSIONS])[0]
        rpps = rpps_number(700_000_000 + serial)
        last, first = rng.choice(LAST_NAMES).upper(), rng.choice(FEMALE_NAMES + MALE_NAMES)
        people.append(
            Professional(
                source_hash=f"{serial:032x}",
                id_type="8",
                identifier=rpps,
                national_id=f"8{rpps}",
                last_name=last,
                first_name=first,
                search_name=search_name(last, first),
                profession_code=profession[0],
                profession_label=profession[1],
                category_code="C",
                category_label="Civil",
                savoir_faire_code=profession[2],
                savoir_faire_label=profession[3],
            )
        )
        sites.append(
            Activity(
                source_hash=f"{serial:032x}",
                key=f"8{rpps}|bench-slots",
                mode_code="L",
                mode_label="Libéral",
                commune_id=code,
                commune_code=code,
                sector_code="SA07",
                sector_label="Cabinet individuel",
                street_number=str(rng.randint(1, 120)),
                street_type_label="Rue",
                street_label="DE LA REPUBLIQUE",
            )
        )
        owners.append((cpts, profession))
    people = Professional.objects.bulk_create(people, batch_size=2000)
    for person, site in zip(people, sites, strict=True):
        site.professional = person
    sites = Activity.objects.bulk_create(sites, batch_size=2000)
    return [(cpts, p, a, prof) for (cpts, prof), p, a in zip(owners, people, sites, strict=True)]


def slot_times(day0: datetime, quota: int, rng: random.Random) -> list[tuple[datetime, int]]:
    """`quota` (start, minutes) over the four weeks from `day0`, from a few weekly sessions."""
    length = rng.choice([15, 15, 20, 20, 20, 30])
    found: list[tuple[datetime, int]] = []
    chosen: set[int] = set()
    while len(found) < quota and len(chosen) < len(SESSIONS):
        index = rng.choices(range(len(SESSIONS)), weights=SESSION_WEIGHTS)[0]
        if index in chosen:
            continue
        chosen.add(index)
        weekdays, hour, hours = SESSIONS[index]
        # A weekday session is opened on one or two days of the week, the same ones every week.
        days = rng.sample(weekdays, min(len(weekdays), rng.choice([1, 1, 2])))
        per_session = int(hours * 60 // length)
        for offset in range(DAYS):
            day = day0 + timedelta(days=offset)
            if day.weekday() not in days:
                continue
            for k in range(per_session):
                found.append((day.replace(hour=hour) + timedelta(minutes=k * length), length))
    if len(found) > quota:
        found = rng.sample(found, quota)
    return found


def make_slots(total: int, owners: list[tuple], day0: datetime, rng: random.Random) -> dict:
    """About `total` slots for the professionals, written in batches; returns their counts."""
    from maillage.unscheduled.enums import desk_bookable
    from maillage.unscheduled.models import Slot

    counts = {"free": 0, "booked": 0, "cancelled": 0}
    batch = []
    base, extra = divmod(total, len(owners))
    for i, (cpts, professional, activity, profession) in enumerate(owners):
        for start, minutes in slot_times(day0, base + (1 if i < extra else 0), rng):
            draw = rng.random()
            status = "free"
            if draw < BOOKED_SHARE + WITHDRAWN_SHARE:
                status = "booked" if draw < BOOKED_SHARE else "cancelled"
            counts[status] += 1
            batch.append(
                Slot(
                    cpts=cpts,
                    professional=professional,
                    activity=activity,
                    commune_id=activity.commune_id,
                    start=start,
                    end=start + timedelta(minutes=minutes),
                    kind=rng.choices(*KINDS)[0],
                    types=(types := rng.choices(*TYPES)[0]),
                    desk_bookable=desk_bookable(types),
                    profession_code=profession[0],
                    profession_label=profession[1],
                    specialty_code=profession[2],
                    specialty_label=profession[3],
                    status=status,
                )
            )
        if len(batch) >= 20_000:
            Slot.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Slot.objects.bulk_create(batch, batch_size=5000)
    return counts


def make_requests(count: int, territories: list[tuple], rng: random.Random) -> list:
    """`count` open care requests, each in a random commune of a random CPTS, as the desk loads one."""
    from maillage.unscheduled.models import CareRequest

    rows = []
    for i in range(count):
        cpts, communes = rng.choice(territories)
        rows.append(
            CareRequest(
                cpts=cpts,
                last_name="PATIENT",
                first_name=f"Banc {i}",
                commune_id=rng.choice(communes)[0],
                reason="fièvre",
                cannot_travel=rng.random() < 0.1,
                profession_code="10" if rng.random() < 0.8 else "60",
            )
        )
    created = CareRequest.objects.bulk_create(rows, batch_size=2000)
    by_pk = CareRequest.objects.select_related("commune", "cpts").in_bulk([r.pk for r in created])
    return [by_pk[r.pk] for r in created]


# --- Measurements (worker process) ------------------------------------------------------------

SLOT_COLUMNS = ("id", "start", "kind", "types", "profession_code", "professional_id", "commune_id")


def desk_baseline(request, now: datetime) -> list:
    """The raw indexed SELECT behind the desk's search: the CPTS's free slots of the next 24 hours."""
    from maillage.unscheduled.models import Slot

    return list(
        Slot.objects.filter(
            cpts_id=request.cpts_id, status="free", start__gte=now, start__lt=now + timedelta(hours=24)
        ).values_list(*SLOT_COLUMNS)
    )


def desk_expected(request, rows: list, limit: int = 30) -> int:
    """How many results search() must return, from the baseline's rows."""
    from maillage.unscheduled.enums import DESK_TYPES

    kept = [
        row
        for row in rows
        if any(t in DESK_TYPES for t in row[3]) and not (request.cannot_travel and row[2] == "practice")
    ]
    return min(limit, len(kept))


def sas_baseline(professional_pks: list[int], start: datetime, end: datetime) -> list:
    from maillage.unscheduled.models import Slot

    return list(
        Slot.objects.filter(
            professional_id__in=professional_pks, start__gte=start, start__lte=end, status="free"
        ).values_list(*SLOT_COLUMNS)
    )


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - start) * 1000, result


def worker(options) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from maillage.fhir import systems
    from maillage.fhir.sas_search import IDENTIFIER_PARAM
    from maillage.unscheduled import search
    from maillage.unscheduled.models import SasConsumer, Slot

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    rng = random.Random(SEED)
    day0 = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with stopwatch(f"{scale['cpts']} CPTS, {number(scale['professionals'])} professionals with an activity"):
        territories = make_cpts(scale["cpts"], rng)
        owners = make_professionals(scale["professionals"], territories, rng)
    with stopwatch(f"{number(scale['slots'])} slots over {DAYS} days (bulk_create)"):
        counts = make_slots(scale["slots"], owners, day0, rng)
    requests = make_requests(scale["desk"], territories, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    problems: list[str] = []
    # The setup's objects (the reference territory, 20,000 or 500,000 slots built in this process)
    # stay alive until the end: without this, each full garbage collection walks them all during a
    # timed query, a cost no server worker has (its heap holds its requests, not the bench's data).
    gc.collect()
    gc.freeze()

    # The desk: a random moment of the four weeks for each request.
    moments = [day0 + timedelta(minutes=rng.randrange((DAYS - 1) * 24 * 60)) for _ in requests]
    for request, now in list(zip(requests, moments, strict=True))[:20]:  # warm-up
        search.search(request, now=now)
        desk_baseline(request, now)
    desk, desk_base, desk_hits = [], [], []
    log(f"   desk: {len(requests)} searches…")
    for request, now in zip(requests, moments, strict=True):
        took, found = timed(lambda r=request, n=now: search.search(r, now=n))
        desk.append(took)
        took, rows = timed(desk_baseline, request, now)
        desk_base.append(took)
        desk_hits.append((len(found), len(rows)))
        if len(found) != desk_expected(request, rows):
            problems.append(
                f"desk search of request {request.pk}: {len(found)} results, expected {desk_expected(request, rows)}"
            )

    # The SAS: 25 practitioners of one CPTS, 3 days.
    by_cpts: dict[int, list] = {}
    for cpts, professional, _activity, _profession in owners:
        by_cpts.setdefault(cpts.pk, []).append(professional)
    _consumer, key = SasConsumer.create_with_key("Banc SAS")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    url = reverse("fhir:slot_search")
    queries = []
    for _ in range(scale["sas"]):
        chosen = rng.sample(by_cpts[rng.choice(list(by_cpts))], SAS_PRACTITIONERS)
        start = day0 + timedelta(days=rng.randrange(DAYS - SAS_DAYS), hours=rng.choice([0, 8, 12]))
        end = start + timedelta(days=SAS_DAYS)
        params = {
            "start": [f"ge{start.isoformat(timespec='seconds')}", f"le{end.isoformat(timespec='seconds')}"],
            IDENTIFIER_PARAM: ",".join(f"{systems.IDNPS}|{p.national_id}" for p in chosen),
            "status": "free",
            **INCLUDES,
        }
        queries.append((params, [p.pk for p in chosen], start, end))

    def sas_query(params):
        response = client.get(url, params)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}: {response.content[:500]!r}")
        return response

    for params, _pks, _start, _end in queries[:10]:  # warm-up
        sas_query(params)
    sas, sas_base, sas_hits, sizes, included = [], [], [], [], []
    log(f"   SAS: {len(queries)} GET /fhir/Slot…")
    for params, pks, start, end in queries:
        took, response = timed(sas_query, params)
        sas.append(took)
        took, rows = timed(sas_baseline, pks, start, end)
        sas_base.append(took)
        bundle = response.json()
        entries = bundle.get("entry", [])
        slots = sum(1 for e in entries if e["resource"]["resourceType"] == "Slot")
        sas_hits.append((slots, len(rows)))
        sizes.append(len(response.content))
        included.append(len(entries) - slots)
        if slots != min(len(rows), 1000) or bundle.get("total") != len(rows):
            problems.append(f"SAS query: {slots} slots (total {bundle.get('total')}), expected {len(rows)}")
        # The shapes of the SAS profiles: one link (self), each site in one contained Location
        # with one address line, a city and a postal code.
        if [link["relation"] for link in bundle["link"]] != ["self"]:
            problems.append(f"SAS query: links {bundle['link']}, expected self only")
        for entry in entries:
            if entry["resource"]["resourceType"] == "PractitionerRole":
                [location] = entry["resource"]["contained"]
                if not all(location["address"].get(k) for k in ("line", "city", "postalCode")):
                    problems.append(f"SAS query: incomplete site address {location['address']}")
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "cpts": len(territories),
        "professionals": len(owners),
        "slots": Slot.objects.count(),
        "counts": counts,
        "desk": desk,
        "desk_base": desk_base,
        "desk_hits": desk_hits,
        "sas": sas,
        "sas_base": sas_base,
        "sas_hits": sas_hits,
        "sas_bytes": sizes,
        "sas_included": included,
        "problems": problems[:20],
        "problem_count": len(problems),
    }


# --- Report (parent process) -------------------------------------------------------------------


def median(values) -> float:
    return percentile(list(values), 0.5)


def report(results: list[tuple[str, dict]], scale: dict) -> list[str]:
    data_rows, time_rows, verdicts = [], [], []
    for label, data in results:
        c = data["counts"]
        data_rows.append(
            [
                label,
                number(data["cpts"]),
                number(data["professionals"]),
                number(data["slots"]),
                f"{number(c['free'])} / {number(c['booked'])} / {number(c['cancelled'])}",
                f"{median(h[0] for h in data['desk_hits']):g} of {median(h[1] for h in data['desk_hits']):g}",
                f"{median(h[0] for h in data['sas_hits']):g} (+{median(data['sas_included']):g} incl.)",
                f"{median(data['sas_bytes']) / 1024:.0f} KiB",
            ]
        )
        for kind, name in (("desk", "desk search(), 24 h"), ("sas", "SAS GET /fhir/Slot, 25 PS × 3 days")):
            times, base = data[kind], data[f"{kind}_base"]
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            b50, b95 = percentile(base, 0.5), percentile(base, 0.95)
            met = p95 < TARGETS_MS[kind]
            verdicts.append(f"{name} {'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)")
            time_rows.append(
                [
                    label,
                    name,
                    number(len(times)),
                    f"{p50:.1f} ms",
                    f"{p95:.1f} ms",
                    f"{max(times):.1f} ms",
                    f"{b50:.2f} ms",
                    f"{b95:.2f} ms",
                    f"{p50 / b50:.1f}×",
                    f"{p95 / b95:.1f}×",
                    f"< {TARGETS_MS[kind]:g} ms: {'met' if met else 'NOT MET'}",
                ]
            )
    print_table(
        [
            "database",
            "CPTS",
            "professionals",
            "slots",
            "free / booked / withdrawn",
            "desk: results of free 24 h (median)",
            "SAS: slots (median)",
            "SAS bundle (median)",
        ],
        data_rows,
        title=f"Synthetic data: {DAYS} days of slots from today",
    )
    print_table(
        [
            "database",
            "query",
            "queries",
            "p50",
            "p95",
            "max",
            "base p50",
            "base p95",
            "ratio p50",
            "ratio p95",
            "target p95",
        ],
        time_rows,
        title="Times per query (baseline: the raw indexed SELECT of the same free slots, values_list materialised)",
    )
    return verdicts


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    scale = QUICK if options.quick else FULL
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/slot_search.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"Slot search benchmark — {number(scale['professionals'])} professionals, {number(scale['slots'])} slots "
        f"in {scale['cpts']} CPTS, {'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with databases(options) as dbs:
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts = report(results, scale)
        print(
            f"Targets (desk p95 < {TARGETS_MS['desk']:g} ms, SAS p95 < {TARGETS_MS['sas']:g} ms): "
            f"{'; '.join(verdicts)}."
        )
        for label, data in results:
            if data["problem_count"]:
                failed = True
                print(f"{label}: {data['problem_count']} ANSWERS DIFFER FROM THEIR BASELINE, e.g.:")
                for problem in data["problems"]:
                    print(f"   {problem}")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
