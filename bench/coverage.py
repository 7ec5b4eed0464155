"""National coverage benchmark: `maillage.territory.coverage.compute()` for the whole of France.

Each database (a fresh SQLite file, a fresh PostgreSQL database) is set up in its own process with
`migrate` and `install_reference --no-shapes` (~35,000 communes), then receives synthetic CPTS
territories: each one a run of neighbouring communes of one département (same EPCI, close postal
codes), 40,000 to 200,000 inhabitants; some share communes with the previous one, some communes
are left out between them, communes larger than a CPTS are never covered. The coverage of France
is computed several times (median), and compared with a baseline measured on the same database:
reading every commune row once. Target: under 1 s for the whole of France.

    .venv/bin/python bench/coverage.py            # 1,000 CPTS, 7 repetitions, SQLite + PostgreSQL
    .venv/bin/python bench/coverage.py --quick    # 100 CPTS, 3 repetitions (CI)
    .venv/bin/python bench/coverage.py --postgres postgres://user@host:port/db   # use that server
    .venv/bin/python bench/coverage.py --sqlite-only
"""

import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

# The bench folder is not a package: its helpers are imported from the path set above.
from _common import (
    BenchError,
    check_reference_data,
    databases,
    install_reference,
    log,
    measure,
    number,
    parse_options,
    print_table,
    run_targets,
    seconds,
    stopwatch,
    worker_entry,
)

TARGET_SECONDS = 1.0
FULL = {"cpts": 1000, "repeat": 7}
QUICK = {"cpts": 100, "repeat": 5}
SEED = 20250101

MIN_POPULATION, MAX_POPULATION = 40_000, 200_000
# CPTS sizes are drawn around the mean that 1,000 CPTS over ~97 % of the population would have.
NATIONAL_CPTS = 1000
COVERED_SHARE = 0.97
GAP_PROBABILITY = 0.3  # after a CPTS, 1 to 4 communes are left out (zones blanches)
OVERLAP_PROBABILITY = 0.25  # otherwise a CPTS may start with 1 to 3 communes of the previous one


# --- Synthetic territories ---------------------------------------------------------------------


def synthetic_territories(units, count: int, seed: int = SEED) -> list[tuple[str, list[str]]]:
    """`count` territories as (département, [commune codes]) over `units`, a list of
    (code, département, EPCI, postal codes, population). Deterministic for a given seed."""
    rng = random.Random(seed)
    population = {code: pop for code, _dep, _epci, _postal, pop in units}
    ordered = _neighbourhood_order(units)
    mean = sum(population.values()) * COVERED_SHARE / NATIONAL_CPTS
    for _attempt in range(30):
        candidates = _clusters(ordered, population, mean, rng)
        if len(candidates) >= count:
            break
        mean *= 0.9
    else:
        raise BenchError(f"cannot build {count} synthetic CPTS of 40,000+ inhabitants from the installed communes.")
    return _select(candidates, count, rng)


def _neighbourhood_order(units) -> dict[str, list[str]]:
    """Communes of each département in an order where neighbours tend to follow each other:
    EPCI by EPCI (an EPCI is contiguous), EPCI ordered by their lowest postal code, then by postal
    code. The outlines are not installed (--no-shapes), so there are no coordinates to use."""
    postal = {code: min(codes) if codes else code for code, _dep, _epci, codes, _pop in units}
    epci_postal: dict[str, str] = {}
    for code, _dep, epci, _codes, _pop in units:
        if epci:
            epci_postal[epci] = min(epci_postal.get(epci, postal[code]), postal[code])
    by_departement: dict[str, list[tuple]] = defaultdict(list)
    for code, dep, epci, _codes, _pop in units:
        key = (epci_postal[epci], epci) if epci else (postal[code], "")
        by_departement[dep].append((*key, postal[code], code))
    return {dep: [row[-1] for row in sorted(rows)] for dep, rows in sorted(by_departement.items())}


def _clusters(ordered, population, mean, rng) -> list[tuple[str, list[str]]]:
    def draw_target():
        return min(MAX_POPULATION, max(MIN_POPULATION, rng.gauss(mean, mean * 0.35)))

    clusters = []
    for dep, codes in ordered.items():
        current, size, target = [], 0, draw_target()
        i = 0
        while i < len(codes):
            code = codes[i]
            pop = population[code]
            if pop > MAX_POPULATION:  # a city larger than any CPTS stays uncovered here
                i += 1
                continue
            if current and size + pop > MAX_POPULATION:
                if size >= MIN_POPULATION:
                    clusters.append((dep, current))
                current, size = [], 0  # too small to stand alone: left uncovered
            current.append(code)
            size += pop
            i += 1
            if size >= target:
                clusters.append((dep, current))
                previous, current, size, target = current, [], 0, draw_target()
                if rng.random() < GAP_PROBABILITY:
                    i += rng.randint(1, 4)
                elif rng.random() < OVERLAP_PROBABILITY and len(previous) > 1:
                    current = previous[-rng.randint(1, min(3, len(previous) - 1)) :]
                    size = sum(population[c] for c in current)
        # The end of a département: merged into the last CPTS when it fits, else left uncovered.
        leftover = [c for c in current if not clusters or c not in clusters[-1][1]]
        if leftover and clusters and clusters[-1][0] == dep:
            last = clusters[-1][1]
            if sum(population[c] for c in last + leftover) <= MAX_POPULATION:
                last.extend(leftover)
                leftover = []
        if leftover and sum(population[c] for c in leftover) >= MIN_POPULATION:
            clusters.append((dep, leftover))
    return clusters


def _select(candidates, count, rng):
    """All of France when `count` is close to the number of candidates (random ones dropped),
    else whole départements in random order (a quick run keeps realistic overlaps and gaps)."""
    if count >= len(candidates) // 2:
        keep = sorted(rng.sample(range(len(candidates)), count))
        return [candidates[i] for i in keep]
    by_departement = defaultdict(list)
    for dep, codes in candidates:
        by_departement[dep].append((dep, codes))
    order = list(by_departement)
    rng.shuffle(order)
    selected = []
    for dep in order:
        selected.extend(by_departement[dep][: count - len(selected)])
        if len(selected) == count:
            break
    return selected


def create_synthetic_cpts(count: int) -> dict:
    """Writes `count` synthetic CPTS and returns the coverage figures they should produce."""
    from maillage.territory.models import Commune, Cpts, CptsCommune

    units = list(Commune.objects.units().values_list("code", "departement_id", "epci_id", "postal_codes", "population"))
    territories = synthetic_territories(units, count)
    cpts = Cpts.objects.bulk_create(
        [
            Cpts(name=f"CPTS synthétique {dep} n°{i:04d}", slug=f"bench-{i:04d}", status=Cpts.Status.ACTIVE)
            for i, (dep, _codes) in enumerate(territories, start=1)
        ]
    )
    links = [
        CptsCommune(cpts=c, commune_id=code)
        for c, (_dep, codes) in zip(cpts, territories, strict=True)
        for code in codes
    ]
    CptsCommune.objects.bulk_create(links, batch_size=5000)

    population = {code: pop for code, _dep, _epci, _postal, pop in units}
    per_commune = Counter(code for _dep, codes in territories for code in codes)
    sizes = sorted(sum(population[c] for c in codes) for _dep, codes in territories)
    return {
        "communes": len(units),
        "population": sum(population.values()),
        "cpts": len(territories),
        "links": len(links),
        "covered": len(per_commune),
        "covered_population": sum(population[c] for c in per_commune),
        "overlaps": sum(1 for n in per_commune.values() if n > 1),
        "overlap_links": sum(n for n in per_commune.values() if n > 1),
        "departements": len({dep for dep, _codes in territories}),
        "cpts_population": [sizes[0], sizes[len(sizes) // 2], sizes[-1]],
    }


# --- Measurements (worker process) ------------------------------------------------------------


def read_every_commune() -> int:
    """Baseline: every commune row read once, with the columns and ordering a listing would use."""
    from maillage.territory.models import Commune

    n = 0
    for _row in Commune.objects.values_list("code", "name", "population", "latitude", "longitude"):
        n += 1
    return n


def national_coverage():
    from maillage.territory import coverage

    return coverage.compute()


def worker(options) -> dict:
    from django.db import connection

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    with stopwatch(f"{scale['cpts']} synthetic CPTS"):
        expected = create_synthetic_cpts(scale["cpts"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after an import
    log(f"   measuring ({scale['repeat']} repetitions after one warm-up run)…")
    baseline, rows = measure(read_every_commune, repeat=scale["repeat"])
    timing, result = measure(national_coverage, repeat=scale["repeat"])
    log(f"   baseline runs: {', '.join(seconds(t) for t in baseline.runs)}")
    log(f"   coverage runs: {', '.join(seconds(t) for t in timing.runs)}")
    figures = result.as_dict(with_lists=False)
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "expected": expected,
        "baseline": baseline.as_dict(),
        "baseline_rows": rows,
        "coverage": timing.as_dict(),
        "figures": {
            "communes": figures["communes"],
            "population": figures["population"],
            "covered": figures["communes_couvertes"],
            "covered_population": figures["population_couverte"],
            "covered_share": figures["taux_couverture_population"],
            "zones_blanches": figures["zones_blanches"]["communes"],
            "zones_blanches_population": figures["zones_blanches"]["population"],
            "overlaps": figures["chevauchements"]["communes"],
            # The lists themselves, to show that they are built (not only counted).
            "zones_blanches_listed": len(result.zones_blanches),
            "overlap_cpts_names": sum(len(c.cpts) for c in result.overlaps),
        },
    }


def check(data: dict) -> list[str]:
    """Differences between what compute() returned and what the synthetic territories imply."""
    expected, got = data["expected"], data["figures"]
    pairs = {
        "communes": (expected["communes"], got["communes"]),
        "population": (expected["population"], got["population"]),
        "covered communes": (expected["covered"], got["covered"]),
        "covered population": (expected["covered_population"], got["covered_population"]),
        "zones blanches": (expected["communes"] - expected["covered"], got["zones_blanches"]),
        "zones blanches listed": (got["zones_blanches"], got["zones_blanches_listed"]),
        "overlaps": (expected["overlaps"], got["overlaps"]),
        "CPTS names on overlaps": (expected["overlap_links"], got["overlap_cpts_names"]),
    }
    return [f"{name}: expected {want}, got {have}" for name, (want, have) in pairs.items() if want != have]


# --- Report (parent process) -------------------------------------------------------------------


def report(results: list[tuple[str, dict]], scale: dict) -> None:
    count_rows, time_rows = [], []
    for label, data in results:
        f, e = data["figures"], data["expected"]
        problems = check(data)
        low, median, high = e["cpts_population"]
        count_rows.append(
            [
                label,
                number(f["communes"]),
                number(e["cpts"]),
                number(e["links"]),
                f"{number(low)} / {number(median)} / {number(high)}",
                number(f["covered"]),
                f"{number(f['covered_population'])} ({f['covered_share']:.1f} %)",
                f"{number(f['zones_blanches'])} ({number(f['zones_blanches_population'])} inh.)",
                number(f["overlaps"]),
                "OK" if not problems else "MISMATCH",
            ]
        )
        coverage, baseline = data["coverage"]["median"], data["baseline"]["median"]
        met = coverage < TARGET_SECONDS
        time_rows.append(
            [
                label,
                seconds(coverage),
                seconds(data["coverage"]["best"]),
                seconds(baseline),
                f"{coverage / baseline:.2f}×",
                "met" if met else "NOT MET",
            ]
        )
        for problem in problems:
            print(f"{label}: MISMATCH {problem}")
    print_table(
        [
            "database",
            "communes",
            "CPTS",
            "links",
            "CPTS inh. min/med/max",
            "covered communes",
            "covered population",
            "zones blanches",
            "overlaps",
            "check",
        ],
        count_rows,
        title="Figures returned by coverage.compute() for France (check: equal to those of the synthetic data)",
    )
    print_table(
        ["database", "coverage (median)", "coverage (best)", "baseline (median)", "ratio cov/base", "target < 1 s"],
        time_rows,
        title=f"Times, median of {scale['repeat']} runs after a warm-up "
        f"(baseline: every commune row read once, {number(results[0][1]['baseline_rows'])} rows)",
    )


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    scale = QUICK if options.quick else FULL
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/coverage.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"Coverage benchmark — coverage.compute() for the whole of France, {scale['cpts']} synthetic CPTS, "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with databases(options) as dbs:
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, ["--quick"] if options.quick else [])
    print()
    if results:
        report(results, scale)
        verdicts = [
            f"{'met' if data['coverage']['median'] < TARGET_SECONDS and not check(data) else 'NOT MET'} on {label} "
            f"({seconds(data['coverage']['median'])})"
            for label, data in results
        ]
        print(f"Target (< {TARGET_SECONDS:g} s for the whole of France, median): {'; '.join(verdicts)}.")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
