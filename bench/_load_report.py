"""bench/load.py's printed figures: one table per concern, the verdicts, and whether the run failed."""

from __future__ import annotations

import os

import load
from _common import number, percentile, print_table, seconds


def header(scale: dict, options, soak: float) -> str:
    one, five, fifteen = os.getloadavg()
    cores = os.cpu_count()
    per_server = load.SERVER["workers"] * load.SERVER["threads"]
    return (
        f"Load benchmark — {number(scale['rows'])} RPPS lines, {number(scale['cpts'])} CPTS, "
        f"{number(scale['slots'])} slots, {number(scale['waiting'])} médecin traitant requests; "
        f"{'quick' if options.quick else 'full'} run\n"
        f"Machine: {cores} cores (os.cpu_count), load average {one:.2f} / {five:.2f} / {fifteen:.2f} at start. "
        f"Each app server: gunicorn gthread, {load.SERVER['workers']} workers × {load.SERVER['threads']} threads "
        f"({per_server} requests at once); load clients: {load.CLIENT_PROCESSES} processes, {scale['clients']} users "
        f"in all, {scale['warmup']:g} s warm-up then {scale['duration']:g} s per configuration"
        + (f", soak {soak:g} s" if soak else ", no soak")
        + ".\nEvery component (databases, PgBouncer, Redis, nginx, app servers, the clients) shares these "
        f"{cores} cores."
    )


def _name(run: dict) -> str:
    return f"{run['apps']} app × {run['replicas']} replica"


def _rps(run: dict) -> float:
    return run["requests"] / run["seconds"]


def _kinds_table(runs: list[dict]) -> None:
    rows = []
    for run in runs:
        every = [t for f in run["kinds"].values() for t in f["latencies"]]
        for kind, _weight in [*load.MIX, ("all", 0)]:
            f = run["kinds"].get(kind) if kind != "all" else {"latencies": every, "statuses": {}}
            if f is None:
                continue
            if kind == "all":
                for g in run["kinds"].values():
                    for status, n in g["statuses"].items():
                        f["statuses"][status] = f["statuses"].get(status, 0) + n
            lat = f["latencies"]
            statuses = ", ".join(f"{s}: {number(n)}" for s, n in sorted(f["statuses"].items()))
            rows.append([_name(run), kind, number(len(lat)), f"{len(lat) / run['seconds']:.1f}",
                         f"{percentile(lat, 0.5):.1f} ms", f"{percentile(lat, 0.95):.1f} ms",
                         f"{percentile(lat, 0.99):.1f} ms", statuses or "-"])  # fmt: skip
    print_table(["configuration", "kind", "requests", "req/s", "p50", "p95", "p99", "statuses"], rows,
                title="Requests by kind (after the warm-up; status 0 = a connection error)")  # fmt: skip


def _cpu_table(runs: list[dict]) -> None:
    names = sorted({n for run in runs for n in run["after"]["cpu"]})
    rows = []
    for run in runs:
        spent = {n: run["after"]["cpu"].get(n, 0.0) - run["before"]["cpu"].get(n, 0.0) for n in names}
        total = sum(spent.values()) + run["client_cpu"]
        rows.append([_name(run), *(f"{spent[n]:.1f}" if n in run["after"]["cpu"] else "-" for n in names),
                     f"{run['client_cpu']:.1f}", f"{total:.1f}", f"{total / run['seconds']:.2f}",
                     f"{1000 * total / max(run['requests'], 1):.2f} ms"])  # fmt: skip
    print_table(["configuration", *names, "clients", "all", "cores busy", "CPU per request"], rows,
                title="CPU seconds per component over the measured time (utime + stime, /proc)")  # fmt: skip


def report(results: dict, scale: dict, options) -> bool:
    """Prints everything; True when the run failed (errors, a doubled booking, or in the full run
    a soak whose memory grew too much)."""
    failed = False
    print()
    if results.get("problem"):
        print(f"THE CONFIGURATIONS WERE NOT MEASURED: {results['problem']}. Measured: {results['topology']}.\n")
    if results.get("cache"):
        print(results["cache"] + "\n")
    c, d = results["counts"], results["data"]
    origin = "restored from the cached dump" if d.get("restored") else f"built in {seconds(d.get('build_seconds', 0))}"
    print(f"Data ({origin}): " + ", ".join(f"{k} {number(v)}" for k, v in c.items()) + ".\n")
    runs = results["runs"]
    _kinds_table(runs)
    rows = []
    for run in runs:
        commits = {k: run["after"]["commits"].get(k, 0) - run["before"]["commits"].get(k, 0)
                   for k in run["after"]["commits"]}  # fmt: skip
        total = sum(commits.values())
        share = f"{commits.get('replica', 0) / total:.0%}" if total and run["replicas"] else "-"
        refused = run["bookings_sent"] - run["booked"]
        desk = f"{number(run['booked'])} made, {number(max(refused, 0))} refused"
        rows.append([_name(run), f"{_rps(run):.1f}", number(run["errors"]), share, desk, number(run["double"])])
        if run["errors"] or run["double"]:
            failed = True
    print_table(["configuration", "req/s", "errors", "reads on the replica", "desk bookings", "doubled slots"], rows,
                title="Throughput, errors (5xx or connection errors: must be 0) and the replica's share of the "
                "transactions (pg_stat_database.xact_commit, replica / all)")  # fmt: skip
    _cpu_table(runs + ([results["soak"]] if results["soak"] else []))
    by = {(r["apps"], r["replicas"]): r for r in runs}
    cores = os.cpu_count()
    for replicas in (0, 1):
        one, two = by.get((1, replicas)), by.get((2, replicas))
        if one and two:
            ratio = _rps(two) / _rps(one)
            met = ratio >= load.SCALING_TARGET
            print(f"Scaling, {replicas} replica: rps(2 app servers) / rps(1) = {_rps(two):.1f} / {_rps(one):.1f} = "
                  f"{ratio:.2f}× — target ≥ {load.SCALING_TARGET}×: {'met' if met else 'NOT MET'}.")  # fmt: skip
    if len(by) > 1:
        print(f"   The target assumes two cores per app server; here both servers, PostgreSQL, PgBouncer, nginx and "
              f"the clients share {cores} cores, so the second server adds no core: the ratio shows the cost of "
              "the topology on a full machine, not the scaling of a région's servers.")  # fmt: skip
    soak = results["soak"]
    if soak:
        before, after = soak["before"]["rss"], soak["after"]["rss"]
        growths = {pid: after[pid] / before[pid] - 1 for pid in before if before[pid] and after.get(pid)}
        worst = max(growths.values(), default=float("nan"))
        gone = len(before) - len(growths)
        ok = not soak["errors"] and worst <= load.RSS_GROWTH_TARGET and not gone
        print(f"Soak ({seconds(soak['seconds'])}, {_name(soak)}): {_rps(soak):.1f} req/s, {soak['errors']} errors, "
              f"RSS growth per app process: " + ", ".join(f"{g:+.1%}" for g in sorted(growths.values()))
              + (f" ({gone} process(es) replaced)" if gone else "")
              + f" — target no error and ≤ {load.RSS_GROWTH_TARGET:.0%}: {'met' if ok else 'NOT MET'}.")  # fmt: skip
        if soak["errors"] or (not ok and not options.quick):
            failed = True
    for run in runs + ([soak] if soak else []):
        for sample in run["error_samples"][:5]:
            print(f"   error ({_name(run)}): {sample}")
    if options.quick:
        print("Quick run: a few CPTS and seconds per configuration; the targets are judged on the full run.")
    print(f"Wall time of the benchmark: {seconds(results['wall'])}.")
    return failed
