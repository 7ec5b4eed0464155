"""Directory search benchmark: 1,000 mixed coordinator searches on a national-size directory.

Each database (a fresh SQLite file, a fresh PostgreSQL database) gets `migrate`,
`install_reference --no-shapes`, then a synthetic RPPS extraction in the real format loaded with
`manage.py import_rpps --apply` (2,000,000 lines in the full run), 200 synthetic CPTS territories
(runs of neighbouring communes, at most 200,000 inhabitants as a CPTS) and CPTS enrichment for a
tenth of the professionals of each territory. Then 1,000 searches drawn from a fixed seed, as the
search page makes them (`maillage.directory.search.professionals` under the page's
`CappedPaginator`: the count, up to 10,000, then the first page of 25 with activities and
enrichment): name prefixes, profession, specialty, commune and radius, in the territory or
everywhere, members, accepting new patients, skill — alone and combined.
The base is settled before the searches (VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite), as
autovacuum leaves it minutes after an import.
Baseline, measured in the same run on the same database: fetching one professional by its
national id (a unique index lookup). Target: p95 < 50 ms.

    .venv/bin/python bench/directory_search.py            # 2,000,000 lines
    .venv/bin/python bench/directory_search.py --quick    # 20,000 lines, 200 searches (CI)
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
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
    setup_django,
    stopwatch,
    worker_entry,
)
from rpps_import import run_import, write_files

FULL = {"rows": 2_000_000, "queries": 1000, "cpts": 200}
QUICK = {"rows": 20_000, "queries": 200, "cpts": 50}
TARGET_P95_MS = 50.0
SEED = 20261123
PAGE = 25
CPTS_MAX_POPULATION = 200_000


def territory(units: list[tuple[str, int]], start: int, size: int) -> list[str]:
    """Up to `size` communes following `start` in code order (neighbours, mostly), stopping before
    the territory passes CPTS_MAX_POPULATION: a CPTS serves 40,000 to 200,000 inhabitants (a
    single commune larger than that, a Paris arrondissement, is a territory on its own)."""
    chosen, population = [], 0
    for code, inhabitants in units[start : start + size]:
        if chosen and population + inhabitants > CPTS_MAX_POPULATION:
            break
        chosen.append(code)
        population += inhabitants
    return chosen


def make_cpts(count: int, rng: random.Random) -> list:
    """`count` territories of 10 to 40 neighbouring communes (by code) in random départements,
    each with enrichment for a tenth of the professionals working there."""
    from maillage.directory import listing
    from maillage.directory.models import Activity, DirectoryEntry, Skill
    from maillage.territory.models import Commune, Cpts, CptsCommune

    units = list(Commune.objects.units().order_by("code").values_list("code", "population"))
    weights = [max(p, 1) for _, p in units]
    skills = list(Skill.objects.all())
    created = []
    for i in range(count):
        # Territories start where people live, and are the size of a CPTS (see `territory`).
        start = rng.choices(range(len(units)), weights=weights)[0]
        chosen_codes = territory(units, start, rng.randint(10, 40))
        cpts = Cpts.objects.create(name=f"CPTS banc {i:03d}", slug=f"banc-{i:03d}", status=Cpts.Status.ACTIVE)
        CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune_id=c) for c in chosen_codes])
        listing.for_cpts([cpts.pk])  # as `set_territory` does after its bulk_create
        pros = sorted(
            set(Activity.objects.filter(commune_id__in=chosen_codes).values_list("professional_id", flat=True))
        )
        chosen = rng.sample(pros, len(pros) // 10)
        entries = DirectoryEntry.objects.bulk_create(
            [
                DirectoryEntry(
                    cpts=cpts,
                    professional_id=p,
                    is_member=True,
                    accepts_new_patients=rng.random() < 0.3,
                    public_listing=rng.random() < 0.7,
                )
                for p in chosen
            ]
        )
        through = DirectoryEntry.skills.through
        through.objects.bulk_create(
            [through(directoryentry_id=e.pk, skill_id=rng.choice(skills).pk) for e in entries if rng.random() < 0.3]
        )
        created.append(cpts)
    return created


def draw_searches(count: int, cpts_list: list, rng: random.Random) -> list[tuple]:
    """(CPTS, filters) pairs as a coordinator would type them."""
    from maillage.directory.models import Professional, Skill
    from maillage.directory.synthetic import LAST_NAMES, PROFESSIONS
    from maillage.territory.models import Commune

    specialties = sorted(
        set(Professional.objects.exclude(savoir_faire_code="").values_list("savoir_faire_code", flat=True)[:5000])
    )
    skills = list(Skill.objects.all())
    searches = []
    for _ in range(count):
        cpts = rng.choice(cpts_list)
        data: dict = {}
        kind = rng.random()
        if kind < 0.35:
            data["name"] = rng.choice(LAST_NAMES)[: rng.randint(2, 6)]
        if rng.random() < 0.4:
            data["profession"] = rng.choice(PROFESSIONS).code
        if rng.random() < 0.1 and specialties:
            data["specialty"] = rng.choice(specialties)
        if rng.random() < 0.25:
            commune = rng.choice(list(cpts.communes()))
            data["commune"] = commune
            data["radius"] = rng.choice([None, 5, 10, 20])
        if rng.random() < 0.2:
            data["scope"] = "all"
        if rng.random() < 0.15:
            data["member"] = rng.choice(["yes", "no"])
        if rng.random() < 0.1:
            data["new_patients"] = True
        if rng.random() < 0.05 and skills:
            data["skill"] = rng.choice(skills)
        if data.get("scope") == "all" and not (data.keys() - {"scope"}):
            data["name"] = rng.choice(LAST_NAMES)[:3]  # "everything in France" is not a search
        searches.append((cpts, data))
    _ = Commune  # the communes above come from cpts.communes()
    return searches


def run_search(cpts, data) -> int:
    from maillage.directory import search
    from maillage.www.paging import CappedPaginator

    pager = CappedPaginator(search.professionals(data, cpts), PAGE)  # as the search page pages
    total = pager.count
    for professional in pager.get_page(1):  # what the template reads
        _ = [a.commune for a in professional.current_activities], professional.cpts_entries
    return total


def worker(options) -> dict:
    from django.db import connection

    from maillage.directory.models import Professional

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    first, _changed = options.files.split(os.pathsep)
    with stopwatch("import_rpps --apply"):
        imported = run_import(first, options.database_url)
    rng = random.Random(SEED)
    with stopwatch(f"{scale['cpts']} CPTS with enrichment"):
        cpts_list = make_cpts(scale["cpts"], rng)
    with connection.cursor() as cursor:
        # A settled base, as autovacuum leaves it minutes after an import (and as PostgreSQL's
        # documentation asks after a bulk load): statistics, and on PostgreSQL the visibility map
        # that lets a count be read from an index alone. VACUUM runs outside a transaction.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    searches = draw_searches(scale["queries"], cpts_list, rng)
    ids = list(
        Professional.objects.values_list("national_id", flat=True)[:: max(1, Professional.objects.count() // 2000)]
    )
    for cpts, data in searches[:20]:  # warm-up: connection, caches, choice lists
        run_search(cpts, data)
    times, totals = [], []
    for cpts, data in searches:
        start = time.perf_counter()
        totals.append(run_search(cpts, data))
        times.append((time.perf_counter() - start) * 1000)
    base = []
    for national_id in (rng.choice(ids) for _ in range(len(searches))):
        start = time.perf_counter()
        Professional.objects.get(national_id=national_id)
        base.append((time.perf_counter() - start) * 1000)
    slowest = sorted(zip(times, searches, strict=True), key=lambda pair: -pair[0])[:3]
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "professionals": Professional.objects.count(),
        "import_seconds": imported["seconds"],
        "times": times,
        "baseline": base,
        "empty": sum(1 for t in totals if t == 0),
        "median_results": statistics.median(totals),
        "slowest": [(round(t, 1), {k: str(v) for k, v in data.items()}) for t, (_c, data) in slowest],
    }


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
        print(f"bench/directory_search.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"Directory search benchmark — {number(scale['queries'])} searches on {number(scale['rows'])} RPPS lines, "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="maillage-bench-search-") as folder:
        setup_django("sqlite:///" + os.path.join(folder, "unused.sqlite3"), var_dir=folder)
        with stopwatch(f"writing {number(scale['rows'])} lines"):
            first, changed = write_files(Path(folder), scale["rows"])
        with databases(options) as dbs:
            args = [f"--files={first}{os.pathsep}{changed}"] + (["--quick"] if options.quick else [])
            results, problems, failed = run_targets(__file__, dbs, dbs.targets, args)
    print()
    rows, verdicts = [], []
    for label, data in results:
        p50, p95 = percentile(data["times"], 0.5), percentile(data["times"], 0.95)
        b50, b95 = percentile(data["baseline"], 0.5), percentile(data["baseline"], 0.95)
        met = p95 < TARGET_P95_MS
        verdicts.append(f"{'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)")
        rows.append(
            [
                label,
                number(data["professionals"]),
                f"{p50:.1f} ms",
                f"{p95:.1f} ms",
                f"{max(data['times']):.1f} ms",
                f"{b50:.2f} ms",
                f"{p95 / b95:.0f}×",
                f"{data['median_results']:g}",
                number(data["empty"]),
                "met" if met else "NOT MET",
            ]
        )
    if rows:
        print_table(
            [
                "database",
                "professionals",
                "p50",
                "p95",
                "max",
                "baseline p50",
                "p95 ratio",
                "median hits",
                "no hit",
                "p95 < 50 ms",
            ],
            rows,
            title=f"{number(scale['queries'])} searches (count + first page of {PAGE}); "
            "baseline: one professional by national id",
        )
        for label, data in results:
            for took, filters in data["slowest"]:
                print(f"{label} slowest: {took} ms {filters}")
        print(f"Target (p95 < {TARGET_P95_MS:g} ms): {'; '.join(verdicts)}.")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
