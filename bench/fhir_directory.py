"""FHIR directory benchmark: a national-size directory served as `_include` searches and
`_lastUpdated` delta pages, through the real /fhir/ views.

Each database (a fresh SQLite file, a fresh PostgreSQL database, copies of migrated templates)
gets `install_reference --no-shapes`, a synthetic FINESS extraction (`import_finess --apply`: the
health centres where the salaried activities take place, at most 25 activities each) and a
synthetic RPPS extraction in the real format (`import_rpps --apply`: 2,000,000 lines in the full
run, the generator of bench/rpps_import.py, the salaried lines given the FINESS number of their
site). Then a day's changes, as a second extraction imported with `import_rpps --apply`: 1 % of the
lines changed — professionals renamed (their practitioner and its roles change), new phone
numbers (the role changes), lines gone (deactivated), new professionals —, so that the rows
changed carry the second run's time as `meta.lastUpdated`. The base is settled (VACUUM ANALYZE on
PostgreSQL, ANALYZE on SQLite), as autovacuum leaves it minutes after an import.

Measured through Django's test `Client` on the /fhir/ URLs (no network):
1. `_include` searches drawn from a fixed seed: `PractitionerRole?…&_include=PractitionerRole:practitioner
   &_include=PractitionerRole:organization` (by practitioner, by organization, by profession and
   specialty), `Practitioner?…&_revinclude=PractitionerRole:practitioner` (by identifier, name
   prefix, family and given name) and `Organization?…&_revinclude=PractitionerRole:organization`
   (by address-city, by address-postalcode): p50, p95, max. Target: p95 < 100 ms.
2. A full delta synchronisation of the day's changes: `Practitioner?_lastUpdated=ge<second run's
   start>&_count=50`, then the Bundle's `next` link until there is none (and the same for
   PractitionerRole): pages per second, rows per second, p95 per page. Target: p95 < 100 ms.
   Baseline, measured in the same run on the same database: the same rows read as plain model
   instances, in pages of 50 in (updated_at, id) order, with no FHIR building.
Every answer is checked: the included resources are those the matches refer to, and the delta
pages give every row changed since the date exactly once. A wrong answer fails the run; a target
missed fails the full run only (the quick run, for CI, is too small to judge a national target).
A parameter the server refuses fails the run with the OperationOutcome's text.

    .venv/bin/python bench/fhir_directory.py            # 2,000,000 lines
    .venv/bin/python bench/fhir_directory.py --quick    # 20,000 lines (CI)
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit

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
    seconds,
    setup_django,
    stopwatch,
    worker_entry,
)
from rpps_import import places, run_import

FULL = {"rows": 2_000_000, "queries": 300}  # queries of each kind
QUICK = {"rows": 20_000, "queries": 30}
TARGET_P95_MS = 100.0
SEED = 20261206
PAGE = 50
SITE_SIZE = 25  # salaried activities per health centre, at most
FIRST_NEW_SERIAL = 5_000_000  # the day's new professionals: serials far from the extraction's
# The day's changes, as shares of the extraction's lines (about 1 % in all).
RENAMED, NEW_PHONE, REMOVED, ADDED = 0.004, 0.004, 0.001, 0.001

INCLUDES = {
    "PractitionerRole": [("_include", "PractitionerRole:practitioner"), ("_include", "PractitionerRole:organization")],
    "Practitioner": [("_revinclude", "PractitionerRole:practitioner")],
    "Organization": [("_revinclude", "PractitionerRole:organization")],
}


# --- Files (parent process) --------------------------------------------------------------------


def write_files(folder: Path, rows: int) -> tuple[Path, Path, Path]:
    """The FINESS extraction of the sites, the RPPS extraction, and the RPPS extraction of the next
    day (about 1 % of its lines changed)."""
    from maillage.directory.rpps import ACTIVITY_COLUMNS, PROFESSIONAL_COLUMNS
    from maillage.directory.synthetic import FictionalStructure, finess_lines, finess_number, rpps_lines

    column = {key: i for i, (_, key) in enumerate(PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS)}
    national_id, mode, commune, site = (column[k] for k in ("national_id", "mode_code", "commune_code", "finess_site"))
    last_name, phone = column["last_name"], column["phone"]
    sites = places()
    by_code = {place.code: place for place in sites}
    rng = random.Random(SEED)
    structures: list = []
    index_of: dict[tuple[str, int], int] = {}
    salaried: Counter = Counter()

    def with_site(cells: list[str]) -> None:
        """A salaried activity works at a health centre of its commune, known to FINESS."""
        if cells[mode] != "S" or cells[commune] not in by_code:
            return
        code = cells[commune]
        key = (code, salaried[code] // SITE_SIZE)
        salaried[code] += 1
        if key not in index_of:
            place = by_code[code]
            name = f"Centre de santé {place.name} {key[1] + 1}"
            structures.append(FictionalStructure("health_centre", name, place, 650_000.0, 6_860_000.0))
            index_of[key] = len(structures)
        cells[site] = finess_number(by_code[code].departement, index_of[key])

    rpps, day = folder / "PS_LibreAcces_Personne_activite.txt", folder / "PS_LibreAcces_lendemain.txt"
    lines = rpps_lines(rows, sites, seed=SEED)
    with open(rpps, "w", encoding="utf-8") as a, open(day, "w", encoding="utf-8") as b:
        header = next(lines)
        a.write(header + "\n")
        b.write(header + "\n")
        current, renamed = None, False
        for line in lines:
            cells = line.split("|")
            with_site(cells)
            a.write("|".join(cells) + "\n")
            if cells[national_id] != current:  # the extraction is sorted by professional
                current, renamed = cells[national_id], rng.random() < RENAMED
            draw = rng.random()
            if draw < REMOVED:
                continue
            if renamed:
                cells[last_name] += "-BIS"
            if draw > 1 - NEW_PHONE:
                cells[phone] = f"09{rng.randint(0, 99_999_999):08d}"
            b.write("|".join(cells) + "\n")
        added = rpps_lines(int(rows * ADDED) or 1, sites, seed=SEED + 1, first_serial=FIRST_NEW_SERIAL, header=False)
        for line in added:
            b.write(line + "\n")
    finess = folder / "finess_etalab_sites.txt"
    with open(finess, "w", encoding="utf-8") as f:
        for line in finess_lines(structures, seed=SEED, first_serial=0):
            f.write(line + "\n")
    return finess, rpps, day


# --- Measurements (worker process) -------------------------------------------------------------


def outcome_text(response) -> str:
    """What the server said when it refused a request (an OperationOutcome), for the error."""
    try:
        body = response.json()
    except ValueError:
        return response.content[:500].decode("utf-8", "replace")
    issues = body.get("issue", []) if isinstance(body, dict) else []
    texts = [i.get("diagnostics") or i.get("details", {}).get("text", "") for i in issues]
    return " / ".join(t for t in texts if t) or str(body)[:500]


def fetch(client, path: str, params=None):
    """GET through the real views; a refusal stops the benchmark with the server's reason."""
    response = client.get(path, params)
    if response.status_code != 200:
        shown = path if params is None else f"{path}?{'&'.join(f'{k}={v}' for k, v in params)}"
        raise BenchError(f"GET {shown} answered {response.status_code}: {outcome_text(response)}")
    return response.json()


def entries(bundle: dict, mode: str) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") == mode]


def draw_searches(count: int, rng: random.Random) -> list[tuple[str, str, list]]:
    """(kind, resource type, parameters): `count` of each kind, drawn from the directory."""
    from maillage.directory.models import Activity, Professional, Structure
    from maillage.fhir import systems
    from maillage.fhir.resources import organization_id

    step = max(1, Professional.objects.count() // 5000)
    people = list(Professional.objects.active().values_list("national_id", "last_name", "first_name")[::step])
    step = max(1, Structure.objects.count() // 2000)
    sites = list(Structure.objects.active().values_list("finess_et", "postal_line")[::step])
    pairs = sorted(
        set(
            Professional.objects.exclude(savoir_faire_code="")
            .values_list("profession_code", "savoir_faire_code")
            .distinct()[:200]
        )
    )
    if not people or not sites or not pairs:
        raise BenchError("the imported directory is empty: no professional, site or specialty to search for")
    _ = Activity  # the roles are reached through their practitioner and organization
    searches = []
    for _ in range(count):
        national, last, first = rng.choice(people)
        finess, postal_line = rng.choice(sites)
        postal_code, _space, city = postal_line.partition(" ")
        profession, specialty = rng.choice(pairs)
        role, practitioner, organization = (INCLUDES[t] for t in ("PractitionerRole", "Practitioner", "Organization"))
        site = f"Organization/{organization_id(finess)}"
        searches += [
            ("role by practitioner", "PractitionerRole", [("practitioner", f"Practitioner/{national}"), *role]),
            ("role by organization", "PractitionerRole", [("organization", site), *role]),
            ("role by profession + specialty", "PractitionerRole",
             [("role", f"{systems.PROFESSION}|{profession}"), ("specialty", specialty), *role]),
            ("practitioner by identifier", "Practitioner", [("identifier", f"{systems.IDNPS}|{national}"),
                                                            *practitioner]),
            ("practitioner by name", "Practitioner", [("name", last[: rng.randint(3, 6)]), *practitioner]),
            ("practitioner by family + given", "Practitioner", [("family", last), ("given", first), *practitioner]),
            ("organization by address-city", "Organization", [("address-city", city), *organization]),
            ("organization by postal code", "Organization", [("address-postalcode", postal_code), *organization]),
        ]  # fmt: skip
    rng.shuffle(searches)
    return searches


def check_includes(kind: str, resource_type: str, bundle: dict) -> str | None:
    """The included resources are those the matches refer to (or that refer to the matches)."""
    matches, included = entries(bundle, "match"), entries(bundle, "include")
    # An OperationOutcome entry (mode « outcome ») is the server's warning that it bounded the
    # reverse includes (includes.MAX_REVINCLUDED a page): allowed, and counted apart.
    outcomes = entries(bundle, "outcome")
    if bundle.get("entry") and len(matches) + len(included) + len(outcomes) != len(bundle["entry"]):
        return f"{kind}: entries without search.mode match, include or outcome"
    present = {f"{r['resourceType']}/{r['id']}" for r in included}
    if resource_type == "PractitionerRole":
        wanted = set()
        for role in matches:
            for field in ("practitioner", "organization"):
                reference = role.get(field, {}).get("reference")
                if reference:
                    wanted.add(reference)
        missing = sorted(wanted - present)
        if missing:
            return f"{kind}: referenced but not included: {len(missing)}, e.g. {missing[0]}"
        return None
    field = "practitioner" if resource_type == "Practitioner" else "organization"
    matched = {f"{resource_type}/{r['id']}" for r in matches}
    for role in included:
        if role["resourceType"] != "PractitionerRole" or role.get(field, {}).get("reference") not in matched:
            return f"{kind}: included {role['resourceType']}/{role['id']} refers to no match"
    return None


def delta_sync(client, resource_type: str, since: str) -> tuple[list[float], list[str], int]:
    """A full delta synchronisation: the first page, then `next` until there is none. Returns the
    time of each page (ms), the ids of the matches in order, and the total the Bundle announced."""
    path, params = f"/fhir/{resource_type}", [("_lastUpdated", f"ge{since}"), ("_count", str(PAGE))]
    times, ids, total, limit = [], [], None, None
    while True:
        start = time.perf_counter()
        bundle = fetch(client, path, params)
        times.append((time.perf_counter() - start) * 1000)
        ids += [r["id"] for r in entries(bundle, "match")]
        total = bundle.get("total", total)
        if limit is None:
            limit = (total or 0) // PAGE + 10 if total is not None else 100_000
        following = [link["url"] for link in bundle.get("link", []) if link.get("relation") == "next"]
        if not following:
            return times, ids, total if total is not None else -1
        if len(times) > limit:
            raise BenchError(
                f"{resource_type} delta: more than {limit} pages for {total} rows, the paging does not end"
            )
        parts = urlsplit(following[0])
        path, params = f"{parts.path}?{parts.query}" if parts.query else parts.path, None


def plain_pages(model, since) -> tuple[list[float], list[int]]:
    """The baseline: the same rows as model instances, pages of 50 in (updated_at, id) order (keyset)."""
    from django.db.models import Q

    times, pks, last = [], [], None
    rows = model.objects.filter(updated_at__gte=since).order_by("updated_at", "id")
    if model.__name__ == "Activity":
        rows = rows.select_related("professional")  # what a PractitionerRole shows
    while True:
        start = time.perf_counter()
        page = rows if last is None else rows.filter(Q(updated_at__gt=last[0]) | Q(updated_at=last[0], id__gt=last[1]))
        page = list(page[:PAGE])
        times.append((time.perf_counter() - start) * 1000)
        pks += [row.pk for row in page]
        if len(page) < PAGE:
            return times, pks
        last = (page[-1].updated_at, page[-1].pk)


def settle() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum leaves the base minutes after an import (VACUUM runs outside a transaction).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def worker(options) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from maillage.directory.models import Activity, ImportRun, Professional, Structure

    scale = QUICK if options.quick else FULL
    finess, rpps, day = options.files.split(os.pathsep)
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    with stopwatch("import_finess --apply"):
        call_command("import_finess", finess, "--apply", stdout=StringIO())
    with stopwatch("import_rpps --apply (first load)"):
        first = run_import(rpps, options.database_url)
    settle()
    with stopwatch("import_rpps --apply (the day's changes)"):
        second = run_import(day, options.database_url)
    settle()
    run = ImportRun.objects.filter(source=ImportRun.Source.RPPS, applied=True).latest("started_at", "id")
    # Whole seconds, in UTC: the form a client keeps; the earlier imports are seconds older.
    since = run.started_at.astimezone(UTC).replace(microsecond=0)
    since_text = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    client = Client()
    problems: list[str] = []

    # 1. _include / _revinclude searches.
    rng = random.Random(SEED)
    searches = draw_searches(scale["queries"], rng)
    for _kind, resource_type, params in searches[:20]:  # warm-up: connection, caches
        fetch(client, f"/fhir/{resource_type}", params)
    by_kind: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    log(f"   {len(searches)} _include / _revinclude searches…")
    for kind, resource_type, params in searches:
        start = time.perf_counter()
        bundle = fetch(client, f"/fhir/{resource_type}", params)
        by_kind.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        sizes.setdefault(kind, []).append(len(bundle.get("entry", [])))
        problem = check_includes(kind, resource_type, bundle)
        if problem:
            problems.append(problem)

    # 2. The delta synchronisation of the day's changes, and its plain SELECT baseline.
    deltas = {}
    for resource_type, model, key in (
        ("Practitioner", Professional, "national_id"),
        ("PractitionerRole", Activity, "pk"),
    ):
        changed = model.objects.filter(updated_at__gte=since)
        expected = sorted(str(v) for v in changed.values_list(key, flat=True))
        delta_sync(client, resource_type, since_text)  # warm-up
        start = time.perf_counter()
        times, ids, total = delta_sync(client, resource_type, since_text)
        elapsed = time.perf_counter() - start
        plain_pages(model, since)  # warm-up
        start = time.perf_counter()
        base_times, pks = plain_pages(model, since)
        base_elapsed = time.perf_counter() - start
        if sorted(ids) != expected:
            missing, extra = len(set(expected) - set(ids)), len(ids) - len(set(ids))
            problems.append(
                f"{resource_type} delta: {len(ids)} rows in the pages, {len(expected)} changed since {since_text} "
                f"({missing} missing, {extra} repeated)"
            )
        if total not in (-1, len(expected)):
            problems.append(f"{resource_type} delta: Bundle.total {total}, {len(expected)} rows changed")
        if len(pks) != len(expected):
            problems.append(f"{resource_type} baseline: {len(pks)} rows, {len(expected)} expected")
        deltas[resource_type] = {
            "rows": len(expected),
            "inactive": changed.filter(active=False).count(),
            "times": times,
            "seconds": elapsed,
            "base_times": base_times,
            "base_seconds": base_elapsed,
        }
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "professionals": Professional.objects.count(),
        "activities": Activity.objects.count(),
        "structures": Structure.objects.count(),
        "imports": {"first load": first["seconds"], "the day's changes": second["seconds"]},
        "day_counts": {kind: run.counts.get(kind, {}) for kind in ("professionals", "activities")},
        "since": since_text,
        "searches": by_kind,
        "entries": sizes,
        "deltas": deltas,
        "problems": problems[:20],
        "problem_count": len(problems),
    }


# --- Report (parent process) -------------------------------------------------------------------


def report(results: list[tuple[str, dict]]) -> list[tuple[str, bool]]:
    """Prints the tables; returns the verdicts (text, met)."""
    verdicts = []
    print_table(
        ["database", "professionals", "activities", "structures", "first load", "the day's changes"],
        [
            [
                label,
                number(data["professionals"]),
                number(data["activities"]),
                number(data["structures"]),
                seconds(data["imports"]["first load"]),
                seconds(data["imports"]["the day's changes"]),
            ]
            for label, data in results
        ],
        title="Directory imported (import_rpps --apply, as a user runs it)",
    )
    rows = []
    for label, data in results:
        every = [t for times in data["searches"].values() for t in times]
        for kind, times in [*sorted(data["searches"].items()), ("all searches", every)]:
            sizes = data["entries"].get(kind) or [n for ns in data["entries"].values() for n in ns]
            rows.append(
                [
                    label,
                    kind,
                    number(len(times)),
                    f"{percentile(times, 0.5):.1f} ms",
                    f"{percentile(times, 0.95):.1f} ms",
                    f"{max(times):.1f} ms",
                    f"{percentile(sizes, 0.5):g}",
                ]
            )
        p95 = percentile(every, 0.95)
        met = p95 < TARGET_P95_MS
        verdicts.append((f"_include searches {'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)", met))
    print_table(
        ["database", "search", "queries", "p50", "p95", "max", "entries (median)"],
        rows,
        title="_include / _revinclude searches through /fhir/ (matches and included resources in one Bundle)",
    )
    rows = []
    for label, data in results:
        for resource_type, d in data["deltas"].items():
            pages, base_pages = len(d["times"]), len(d["base_times"])
            p95, b95 = percentile(d["times"], 0.95), percentile(d["base_times"], 0.95)
            met = p95 < TARGET_P95_MS
            verdicts.append(
                (f"{resource_type} delta pages {'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)", met)
            )
            rows.append(
                [
                    label,
                    resource_type,
                    f"{number(d['rows'])} ({number(d['inactive'])} inactive)",
                    number(pages),
                    seconds(d["seconds"]),
                    f"{pages / d['seconds']:.0f} pages/s",
                    f"{d['rows'] / d['seconds']:.0f} rows/s",
                    f"{percentile(d['times'], 0.5):.1f} ms",
                    f"{p95:.1f} ms",
                    f"{max(d['times']):.1f} ms",
                    f"{base_pages / d['base_seconds']:.0f} pages/s",
                    f"{b95:.2f} ms",
                    f"{d['seconds'] / d['base_seconds']:.1f}×",
                    "met" if met else "NOT MET",
                ]
            )
    print_table(
        [
            "database",
            "resource",
            "rows changed",
            "pages",
            "sync time",
            "pages/s",
            "rows/s",
            "page p50",
            "page p95",
            "page max",
            "base pages/s",
            "base p95",
            "ratio",
            f"p95 < {TARGET_P95_MS:g} ms",
        ],
        rows,
        title=f"Full delta synchronisation of the day's changes (_lastUpdated=ge<second import>, pages of {PAGE}, "
        "following `next`); baseline: the same rows as model instances, keyset pages in (updated_at, id) order",
    )
    for label, data in results:
        counts = "; ".join(
            f"{kind} " + ", ".join(f"{name} {number(value)}" for name, value in tally.items())
            for kind, tally in data["day_counts"].items()
        )
        print(f"{label}, the day's import: {counts}.")
    return verdicts


def main() -> int:
    options = parse_options(
        __doc__.split("\n\n")[0], extra=lambda parser: parser.add_argument("--files", help=argparse.SUPPRESS)
    )
    if options.worker:
        return worker_entry(worker, options)
    scale = QUICK if options.quick else FULL
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/fhir_directory.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"FHIR directory benchmark — {number(scale['rows'])} RPPS lines, {number(scale['queries'] * 8)} _include "
        f"searches, a delta sync of the day's changes, {'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="maillage-bench-fhir-") as folder:
        setup_django("sqlite:///" + os.path.join(folder, "unused.sqlite3"), var_dir=folder)
        with stopwatch(f"writing {number(scale['rows'])} lines, the day's changes and the FINESS sites"):
            files = write_files(Path(folder), scale["rows"])
        with databases(options) as dbs:
            args = [f"--files={os.pathsep.join(map(str, files))}"] + (["--quick"] if options.quick else [])
            results, problems, failed = run_targets(__file__, dbs, dbs.targets, args)
    print()
    if results:
        verdicts = report(results)
        print(f"Targets (p95 < {TARGET_P95_MS:g} ms): {'; '.join(text for text, _ in verdicts)}.")
        if options.quick:
            print("Quick run: the targets are judged on the full 2,000,000-line run only.")
        elif not all(met for _, met in verdicts):
            failed = True
        for label, data in results:
            if data["problem_count"]:
                failed = True
                print(f"{label}: {data['problem_count']} ANSWERS DIFFER FROM WHAT THE DATABASE HOLDS, e.g.:")
                for problem in data["problems"]:
                    print(f"   {problem}")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
