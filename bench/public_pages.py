"""Public pages benchmark: the home page, the API's list of CPTS, the home map, a CPTS's page, the
maps' background and the commune search of an instance with 800 CPTS, under 50 concurrent clients of a gunicorn server.

The database (a fresh PostgreSQL database with --postgres URL, otherwise a fresh SQLite file) is
migrated and gets 800 CPTS (200 in quick runs) on a synthetic but realistic territory:
- communes: the real centroids of ../shared/data/communes_centroides.csv (metropolitan France)
  when that folder is there, otherwise a jittered grid over the same box; each commune's outline is
  its Voronoi cell among its neighbours (clipped to the box), segmentized to about 40 points like a
  simplified IGN outline, so that neighbouring communes share their borders as real ones do;
- CPTS: the communes of one cell of a 0.3° grid (about 40 communes, as real CPTS have), one CPTS
  in twenty also claiming a commune of its neighbour (overlaps), populations drawn at random;
- the CPTS's outlines are then precomputed as the application does after a territory change
  (`maillage.territory.published.refresh_outlines`, its time is reported).

Then gunicorn (production-like: DEBUG off, 3 processes × 8 threads, the database cache) serves the
project with config.bench_settings, whose URLconf adds a bare view returning a fixed string: the
baseline, measured in the same run. For each page, 50 clients (asyncio, keep-alive connections,
`Accept-Encoding: gzip` as browsers send it) request it in a loop for a few seconds after a
warm-up; printed: requests per second, p50/p95 latency, the size of the answer, and the ratios to
the bare view. Targets: p95 < 100 ms and throughput ≥ 30 % of the bare view's, for every page.

    .venv/bin/python bench/public_pages.py                 # 800 CPTS, 10 s per page, SQLite
    .venv/bin/python bench/public_pages.py --postgres URL  # the same on PostgreSQL
    .venv/bin/python bench/public_pages.py --quick         # 200 CPTS, 2 s per page (CI)
"""

import asyncio
import csv
import math
import os
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BASE_DIR,
    databases,
    live_server,
    log,
    number,
    parse_options,
    print_table,
    run_targets,
    seconds,
    stopwatch,
    worker_entry,
)

FULL = {"cpts": 800, "duration": 10.0, "warmup": 2.0}
QUICK = {"cpts": 200, "duration": 2.0, "warmup": 0.5}
CLIENTS = 50
SERVER = {"workers": 3, "threads": 8}
P95_TARGET_S = 0.100
THROUGHPUT_TARGET = 0.30
GRID_DEGREES = 0.3
BOX = (-4.8, 42.3, 8.2, 51.1)  # metropolitan France (lon, lat)
SHARED_CENTROIDS = (
    Path(os.environ.get("MAILLAGE_SHARED_DATA", BASE_DIR.parent / "shared" / "data")) / "communes_centroides.csv"
)


# --- The instance ---------------------------------------------------------------------------------


def _centroids(rng: random.Random) -> tuple[list[tuple[str, str, float, float]], str]:
    """[(code, name, lon, lat)] of metropolitan communes: real when ../shared is there."""
    if SHARED_CENTROIDS.is_file():
        with open(SHARED_CENTROIDS, encoding="utf-8", newline="") as handle:
            rows = [
                (r["code_insee"], r["nom"], float(r["longitude"]), float(r["latitude"]))
                for r in csv.DictReader(handle)
                if r["zone"] == "metro" and r["latitude"] and r["type"] != "arrondissement-municipal"
            ]
        return rows, f"real centroids ({SHARED_CENTROIDS.name})"
    points, step = [], 0.058  # about 35,000 points over the box
    x0, y0, x1, y1 = BOX
    n = 0
    for i in range(int((x1 - x0) / step)):
        for j in range(int((y1 - y0) / step)):
            lon = x0 + (i + rng.uniform(0.15, 0.85)) * step
            lat = y0 + (j + rng.uniform(0.15, 0.85)) * step
            n += 1
            points.append((f"S{n:04d}"[-5:] if n < 100_000 else str(n), f"Commune synthétique {n}", lon, lat))
    return points, "synthetic grid (../shared/data absent)"


def build_instance(n_cpts: int, rng: random.Random) -> dict:
    """Régions, départements, communes with outlines, `n_cpts` CPTS with their territories."""
    import shapely
    from shapely.geometry import MultiPoint, box

    from maillage.territory import published
    from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region

    points, source = _centroids(rng)
    cells: dict[tuple[int, int], list[int]] = {}
    for index, (_, _, lon, lat) in enumerate(points):
        cells.setdefault((int((lon - BOX[0]) / GRID_DEGREES), int((lat - BOX[1]) / GRID_DEGREES)), []).append(index)
    chosen = sorted(cells, key=lambda c: -len(cells[c]))[:n_cpts]
    wanted = sorted({i for cell in chosen for i in cells[cell]})

    # Outlines: each commune's Voronoi cell among all the centroids, clipped to the box.
    frame = box(*BOX)
    with stopwatch(f"Voronoi outlines of {number(len(points))} centroids"):
        diagram = shapely.voronoi_polygons(MultiPoint([(lon, lat) for _, _, lon, lat in points]), extend_to=frame)
        cell_of = {}
        tree = shapely.STRtree(list(diagram.geoms))
        for index in wanted:
            _, _, lon, lat = points[index]
            found = tree.query(shapely.Point(lon, lat), predicate="intersects")
            polygon = diagram.geoms[int(found[0])].intersection(frame)
            cell_of[index] = shapely.to_geojson(shapely.set_precision(shapely.segmentize(polygon, 0.004), 0.0001))

    region = Region.objects.create(code="99", name="Région du banc d'essai")
    departements = {}
    communes = []
    for index in wanted:
        code, name, lon, lat = points[index]
        dep_code = code[:2] if code[:2].isdigit() else "99"
        if dep_code not in departements:
            departements[dep_code] = Departement.objects.create(
                code=dep_code, name=f"Département {dep_code}", region=region
            )
        communes.append(
            Commune(code=code, name=name, search_name=name.lower(), departement=departements[dep_code], region=region,
                    population=int(rng.lognormvariate(7.2, 1.3)), latitude=lat, longitude=lon, shape=cell_of[index])
        )  # fmt: skip
    with stopwatch(f"{number(len(communes))} communes"):
        Commune.objects.bulk_create(communes, batch_size=1000)
    cpts_rows = [
        Cpts(name=f"CPTS du territoire {n + 1:03d}", slug=f"cpts-{n + 1:03d}",
             status=Cpts.Status.ACTIVE if rng.random() < 0.7 else Cpts.Status.PROJECT)
        for n in range(len(chosen))
    ]  # fmt: skip
    with stopwatch(f"{number(len(cpts_rows))} CPTS and their territories"):
        Cpts.objects.bulk_create(cpts_rows, batch_size=500)
        links = []
        for cpts, cell in zip(cpts_rows, chosen, strict=True):
            codes = [points[i][0] for i in cells[cell]]
            links.extend(CptsCommune(cpts=cpts, commune_id=code) for code in codes)
            if rng.random() < 0.05:  # an overlap: a commune of a neighbouring cell
                neighbour = cells.get((cell[0] + 1, cell[1])) or cells.get((cell[0], cell[1] + 1))
                if neighbour and neighbour[0] in cell_of:
                    links.append(CptsCommune(cpts=cpts, commune_id=points[neighbour[0]][0]))
        CptsCommune.objects.bulk_create(links, batch_size=2000)
    start = time.perf_counter()
    published.refresh_outlines()
    outlines = time.perf_counter() - start
    log(f"   precomputed outlines: {seconds(outlines)}")
    from maillage.territory import background

    with stopwatch("départements' and régions' outlines (the maps' background)"):
        background.refresh_background()
    return {"source": source, "communes": len(communes), "links": len(links), "cpts": len(cpts_rows),
            "outlines_s": outlines, "sample": cpts_rows[len(cpts_rows) // 2].slug}  # fmt: skip


# --- The load ---------------------------------------------------------------------------------------


async def _client(host, port, path, stop_at, record_from, latencies, sizes, errors):
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
        "User-Agent: maillage-bench\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    try:
        while True:
            start = time.perf_counter()
            if start >= stop_at:
                return
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            else:  # chunked (not expected from Django behind gunicorn)
                body = b""
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    body += await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elapsed = time.perf_counter() - start
            if status != 200:
                errors.append(status)
            if start >= record_from:
                latencies.append(elapsed)
                sizes.append(len(body))
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _load(base: str, path: str, duration: float, warmup: float) -> dict:
    parts = urlsplit(base)
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[int] = []
    began = time.perf_counter()
    record_from, stop_at = began + warmup, began + warmup + duration
    await asyncio.gather(
        *(_client(parts.hostname, parts.port, path, stop_at, record_from, latencies, sizes, errors)
          for _ in range(CLIENTS))
    )  # fmt: skip
    if errors:
        raise AssertionError(f"{path}: {len(errors)} answers were not 200 (e.g. {errors[:5]})")
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / duration,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)],
        "bytes": int(statistics.median(sizes)),
    }


# Rendered for each request like any page of a logged-in person (a query of the communes, the page
# frame): reported, but the targets are those of the published documents.
MEASURED_ONLY = {"commune search /recherche/"}


def worker(options) -> dict:
    from django.core.management import call_command
    from django.db import connection

    scale = QUICK if options.quick else FULL
    call_command("migrate", verbosity=0)
    instance = build_instance(scale["cpts"], random.Random(20261205))
    connection.close()
    pages = [
        ("bare view (baseline)", "/__bench__/bare"),
        ("home page /", "/"),
        ("API /api/v1/cpts/", "/api/v1/cpts/"),
        ("home map /carte.geojson", "/carte.geojson"),
        ("CPTS page", f"/cpts/{instance['sample']}/"),
        ("map background /fond.geojson", "/fond.geojson"),
        # Rendered per query (not a published document): 20 communes and their CPTS.
        ("commune search /recherche/", "/recherche/?q=saint"),
    ]
    env = {"DJANGO_SETTINGS_MODULE": "config.bench_settings", "DJANGO_DEBUG": "0", "MAILLAGE_CACHE_URL": ""}
    figures = {}
    with live_server(options.database_url, env=env, **SERVER) as base:
        raw = {}
        for label, path in pages:  # once without gzip: the size before compression
            with urllib.request.urlopen(base + path, timeout=60) as answer:  # noqa: S310 (loopback)
                raw[label] = len(answer.read())
        for label, path in pages:
            log(f"   {label}: {CLIENTS} clients, {scale['duration']:g} s…")
            figures[label] = asyncio.run(_load(base, path, scale["duration"], scale["warmup"]))
            figures[label]["raw_bytes"] = raw[label]
            f = figures[label]
            log(f"      {f['rps']:.0f} req/s, p95 {seconds(f['p95'])}, {number(f['bytes'])} bytes")
    return {
        "server": connection.pg_version if connection.vendor == "postgresql" else 0,
        "instance": instance,
        "pages": figures,
        "order": [label for label, _ in pages],
    }


def report(results: list) -> list[str]:
    verdicts = []
    for label, d in results:
        inst = d["instance"]
        print(
            f"{label}: {number(inst['cpts'])} CPTS, {number(inst['communes'])} communes, {number(inst['links'])} "
            f"territory links ({inst['source']}); outlines precomputed in {seconds(inst['outlines_s'])}."
        )
        bare = d["pages"][d["order"][0]]
        rows = []
        for page in d["order"]:
            f = d["pages"][page]
            rps = f"{f['rps']:,.0f}".replace(",", " ")
            ratios = [f"{f['rps'] / bare['rps']:.2f}", f"{f['p95'] / bare['p95']:.2f}"]
            sizes = [number(f["bytes"]), number(f["raw_bytes"])]
            rows.append([page, rps, seconds(f["p50"]), seconds(f["p95"]), *sizes, *ratios])
            if page == d["order"][0]:
                continue
            if page in MEASURED_ONLY:
                verdicts.append(f"{label} {page}: p95 {seconds(f['p95'])}, {f['rps'] / bare['rps']:.0%} of the bare "
                                "view: measured only (a page rendered for each request)")  # fmt: skip
                continue
            ok = f["p95"] < P95_TARGET_S and f["rps"] >= THROUGHPUT_TARGET * bare["rps"]
            verdicts.append(
                f"{label} {page}: p95 {seconds(f['p95'])}, {f['rps'] / bare['rps']:.0%} of the bare view: "
                f"{'met' if ok else 'NOT MET'}"
            )
        print_table(
            ["page", "req/s", "p50", "p95", "bytes sent", "uncompressed", "req/s ÷ bare", "p95 ÷ bare"],
            rows,
            title=f"{label}: {CLIENTS} concurrent clients, gunicorn {SERVER['workers']}×{SERVER['threads']} threads",
        )
    return verdicts


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    if not options.postgres:
        options.sqlite_only = True  # PostgreSQL when asked for; SQLite otherwise
    scale = QUICK if options.quick else FULL
    print(
        f"Public pages benchmark — {number(scale['cpts'])} CPTS, {CLIENTS} clients, "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with databases(options) as dbs:
        targets = [t for t in dbs.targets if t.label == "PostgreSQL"] or dbs.targets
        results, problems, failed = run_targets(__file__, dbs, targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts = report(results)
        print(f"Targets (p95 < {P95_TARGET_S * 1000:.0f} ms, ≥ {THROUGHPUT_TARGET:.0%} of the bare view's throughput):")
        for verdict in verdicts:
            print("  " + verdict)
        if options.quick:
            print("Quick run: fewer CPTS and shorter loads; the targets are judged on a full run.")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
