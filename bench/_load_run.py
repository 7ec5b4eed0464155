"""bench/load.py's parent process: the topology, the data (built or restored), the load clients
and the report. The figures of the mix and the scales are in bench/load.py; the data in
bench/_load_data.py; the client in bench/_load_client.py."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import load
from _common import (
    BASE_DIR,
    BenchError,
    check_reference_data,
    live_server,
    log,
    parse_options,
    postgres_template,
    schema_fingerprint,
    scratch_postgres_database,
    stopwatch,
    throwaway_postgres,
    worker_entry,
)

from tests.topology.harness import Topology, TopologyError, descendants, postgres_bin

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")


# --- Processes: CPU and memory from /proc ---------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes, and of their children already gone (cutime + cstime)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return total / TICK


def rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def find_process(*words: str) -> int | None:
    """The first process whose command line holds every word (the fallback's servers)."""
    for entry in sorted(Path("/proc").iterdir(), key=lambda e: e.name):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if all(w in line for w in words):
                    return int(entry.name)
    return None


# --- Data: built once, kept as a dump --------------------------------------------------------------


def pg_program(name: str) -> str:
    folder = postgres_bin()
    return str(folder / name) if folder else name


def dump_path(options, scale_name: str) -> Path:
    if options.dump:
        return Path(options.dump)
    digest = hashlib.sha256(schema_fingerprint().encode())
    for name in ("_load_data.py", "slot_search.py", "fhir_directory.py"):
        digest.update((HERE / name).read_bytes())
    digest.update(json.dumps(load.FULL if scale_name == "full" else load.QUICK, sort_keys=True).encode())
    folder = Path(os.environ.get("MAILLAGE_BENCH_CACHE", "").strip() or Path(tempfile.gettempdir()) / "maillage-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"load-{scale_name}-{digest.hexdigest()[:12]}.dump"


def run_step(step: str, url: str, env: dict, options, extra: list[str] | None = None) -> dict:
    """This script's worker (Django against `url`) for one step: build or prepare."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = handle.name
    try:
        command = [sys.executable, str(HERE / "load.py"), "--worker", "--step", step, "--database-url", url,
                   "--result", result, *(["--quick"] if options.quick else []), *(extra or [])]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=BASE_DIR, check=False)  # noqa: S603 (this interpreter)
        text = Path(result).read_text(encoding="utf-8")
        if done.returncode != 0 or not text:
            raise BenchError(f"the {step} step failed (exit status {done.returncode}); see its output above")
        return json.loads(text)
    finally:
        os.unlink(result)


def data(url: str, env: dict, options, scale_name: str, migrate) -> dict:
    """The instance on `url`: restored from the cached dump, or built (then dumped)."""
    dump = dump_path(options, scale_name)
    if dump.exists() and not options.rebuild:
        with stopwatch(f"pg_restore of {dump} ({dump.stat().st_size / 2**20:.0f} MiB)"):
            command = [pg_program("pg_restore"), "--no-owner", "--no-acl", "-j", "2", "-d", url, str(dump)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 (fixed argv)
            if done.returncode != 0:
                raise BenchError(f"pg_restore failed: {done.stderr[-2000:]}")
        subprocess.run([pg_program("psql"), url, "-qc", "ANALYZE"], capture_output=True, check=False)  # noqa: S603
        meta = dump.with_suffix(".json")
        return {**json.loads(meta.read_text()), "restored": True} if meta.exists() else {"restored": True}
    migrate()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="maillage-load-files-") as folder:
        figures = run_step("build", url, env, options, [f"--folder={folder}"])
    figures["build_seconds"] = time.perf_counter() - start
    with stopwatch(f"pg_dump -Fc to {dump}"):
        partial = dump.with_suffix(f".{os.getpid()}.partial")
        command = [pg_program("pg_dump"), "-Fc", "-f", str(partial), url]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 (fixed argv)
        if done.returncode == 0:
            os.replace(partial, dump)
            dump.with_suffix(".json").write_text(json.dumps(figures))
        else:
            log(f"warning: pg_dump failed, the next run builds again: {done.stderr[-500:]}")
            partial.unlink(missing_ok=True)
    return {**figures, "restored": False}


def counts(url: str) -> dict:
    import psycopg

    tables = {"professionals": "directory_professional", "activities": "directory_activity",
              "structures": "directory_structure", "CPTS": "territory_cpts", "slots": "unscheduled_slot",
              "waiting list": "doctor_access_doctorrequest"}  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        return {k: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for k, t in tables.items()}


def bookings(url: str) -> tuple[int, int]:
    """(live bookings, slots with more than one live booking) — the second must stay 0."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        made = conn.execute("SELECT count(*) FROM unscheduled_booking").fetchone()[0]
        double = conn.execute(
            "SELECT count(*) FROM (SELECT slot_id FROM unscheduled_booking WHERE status IN ('booked', 'honoured') "
            "GROUP BY slot_id HAVING count(*) > 1) doubled"
        ).fetchone()[0]
    return made, double


# --- The load ----------------------------------------------------------------------------------------


class Pairs:
    """The desk's (request, slot) pairs, handed out in disjoint chunks to the client processes."""

    def __init__(self, total: int, planned_seconds: float):
        self.next, self.total, self.left = 0, total, planned_seconds

    def take(self, seconds_: float) -> int:
        size = int((self.total - self.next) * min(1.0, seconds_ / max(self.left, 1e-9)))
        self.left -= seconds_
        return size


def run_load(base: str, plan_path: str, scale: dict, pairs: Pairs, duration: float, *, measure) -> dict:
    """The clients against `base` for warm-up + `duration`; `measure()` is called once the warm-up
    is over and again at the end (CPU, transactions, memory), and its two readings returned."""
    chunk = pairs.take(scale["warmup"] + duration)
    share = [scale["clients"] // load.CLIENT_PROCESSES + (1 if i < scale["clients"] % load.CLIENT_PROCESSES else 0)
             for i in range(load.CLIENT_PROCESSES)]  # fmt: skip
    procs, results = [], []
    folder = tempfile.mkdtemp(prefix="maillage-load-client-")
    try:
        for i, users in enumerate(share):
            start = pairs.next + i * (chunk // load.CLIENT_PROCESSES)
            end = start + chunk // load.CLIENT_PROCESSES
            result = os.path.join(folder, f"client{i}.json")
            command = [sys.executable, str(HERE / "_load_client.py"), plan_path, result, "--base", base,
                       "--concurrency", str(users), "--duration", str(duration), "--warmup", str(scale["warmup"]),
                       "--seed", str(random.randrange(10**6)), "--pairs", f"{start}:{end}"]  # fmt: skip
            procs.append((subprocess.Popen(command, cwd=BASE_DIR), result))  # noqa: S603 (this interpreter)
        pairs.next += chunk
        time.sleep(scale["warmup"])
        before = measure()
        for process, _ in procs:
            process.wait()
        after = measure()
        for process, result in procs:
            if process.returncode != 0 or not os.path.exists(result):
                raise BenchError(f"a load client failed (exit status {process.returncode})")
            results.append(json.loads(Path(result).read_text(encoding="utf-8")))
    finally:
        for process, _ in procs:
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    merged = {"kinds": {}, "errors": 0, "error_samples": [], "bookings_sent": 0, "requests": 0, "client_cpu": 0.0}
    for r in results:
        for kind, f in r["kinds"].items():
            into = merged["kinds"].setdefault(kind, {"latencies": [], "statuses": {}})
            into["latencies"] += f["latencies"]
            for status, n in f["statuses"].items():
                into["statuses"][status] = into["statuses"].get(status, 0) + n
        merged["errors"] += r["errors"]
        merged["error_samples"] += r["error_samples"]
        merged["bookings_sent"] += r["bookings_sent"]
        merged["requests"] += r["requests"]
        merged["client_cpu"] += r["cpu"]
    merged["seconds"] = duration
    merged["before"], merged["after"] = before, after
    return merged


# --- Topologies ------------------------------------------------------------------------------------


def free_block(size: int = 16) -> int:
    """A base port with `size` free ports above it (the harness's servers)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20_000, 60_000, 20)
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise BenchError("no block of free loopback ports")


def redis_client() -> bool:
    """Whether the app servers can use the topology's Redis (Django's RedisCache needs `redis`)."""
    import importlib.util

    return importlib.util.find_spec("redis") is not None


class HarnessTopology:
    """The configurations on tests/topology/harness.py's Topology."""

    label = "topology (harness)"

    def __init__(self, Topology, workdir: Path):
        self.topo = Topology(workdir, base_port=free_block(), app_servers=2, replica=True, **load.SERVER)
        self.configurations = load.CONFIGURATIONS

    def __enter__(self):
        self.topo.__enter__()
        return self

    def __exit__(self, *exc):
        self.topo.__exit__(*exc)

    @property
    def primary_url(self) -> str:
        return self.topo.primary_url

    def worker_env(self) -> dict:
        return self.topo.app_env(0, {"DATABASE_URL": self.topo.primary_url, "MAILLAGE_CACHE_URL": "",
                                     "DATABASE_REPLICA_URLS": ""})  # fmt: skip

    def migrate(self) -> None:
        with stopwatch("migrate (on the primary)"):
            self.topo.migrate(reference=False)

    def settle(self) -> None:
        with stopwatch("the replica catches up"):
            self.topo.wait_replica_caught_up(timeout=1800)

    @contextlib.contextmanager
    def serving(self, apps: int, replicas: int):
        env = {"DATABASE_REPLICA_URLS": self.topo.replica_pool_url if replicas else ""}
        if not redis_client():
            env["MAILLAGE_CACHE_URL"] = ""  # the database cache, on the primary: the servers still share it
        with stopwatch(f"{apps} app server(s), {replicas} replica(s) started"):
            self.topo.start_apps(apps, env=env)
        try:
            yield self.topo.lb_url
        finally:
            self.show_tracebacks()
            self.topo.stop_apps()

    def show_tracebacks(self) -> None:
        """The app servers' last traceback, if any (their logs go with the topology's folder)."""
        for log_file in sorted((self.topo.workdir / "logs").glob("app*.log")):
            # Access lines aside (gunicorn writes them to the same log).
            lines = [line for line in log_file.read_text(errors="replace").splitlines() if ' "GET /' not in line
                     and ' "POST /' not in line]  # fmt: skip
            starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
            if starts:
                block = lines[starts[-1] :][:60]
                log(f"   {log_file.name}, last traceback:\n      " + "\n      ".join(block[-6:]))
            log_file.write_text("")  # each traceback shown once

    def measure(self) -> dict:
        pids = self.topo.pids()
        apps = {name: pids_ for name, pids_ in pids.items() if name.startswith("app")}
        return {
            "cpu": {name: cpu_seconds(pids_) for name, pids_ in pids.items()},
            "commits": self.topo.xact_commits(),
            "rss": {str(pid): rss_kb(pid) for pids_ in apps.values() for pid in pids_},
        }


class SingleServer:
    """The fallback without the harness: one gunicorn on one PostgreSQL database."""

    label = "fallback: one gunicorn, one PostgreSQL (no harness)"
    configurations = [(1, 0)]

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.stack = contextlib.ExitStack()

    def __enter__(self):
        template = postgres_template(self.server_url, tempfile.gettempdir())
        self.url = self.stack.enter_context(
            scratch_postgres_database(self.server_url, f"maillage_load_{os.getpid()}", template=template)
        )
        return self

    def __exit__(self, *exc):
        self.stack.close()

    @property
    def primary_url(self) -> str:
        return self.url

    def worker_env(self) -> dict:
        return {**os.environ, "DJANGO_DEBUG": "0"}

    def migrate(self) -> None:
        pass  # a copy of the migrated template

    def settle(self) -> None:
        pass

    @contextlib.contextmanager
    def serving(self, apps: int, replicas: int):
        with live_server(self.url, **load.SERVER) as base:
            yield base

    def measure(self) -> dict:
        master = find_process("gunicorn", "config.wsgi")
        port = self.server_url.rsplit(":", 1)[-1].split("/")[0]
        postmaster = find_process("postgres", f"-p {port}")
        pids = {"app1": descendants(master) if master else []}
        if postmaster:
            pids["primary"] = descendants(postmaster)
        return {"cpu": {n: cpu_seconds(p) for n, p in pids.items()}, "commits": {},
                "rss": {str(pid): rss_kb(pid) for pid in pids["app1"]}}  # fmt: skip


@contextlib.contextmanager
def topology(options, workdir: Path):
    """The harness's topology when it can run here, else the single-server fallback."""
    try:
        chosen = HarnessTopology(Topology, workdir)
        chosen.__enter__()
    except (TopologyError, OSError) as exc:
        problem = f"the topology did not start: {exc}"
    else:
        try:
            yield chosen, ""
        finally:
            chosen.__exit__(None, None, None)
        return
    log(f"== {problem}: falling back to one gunicorn on one PostgreSQL")
    with contextlib.ExitStack() as stack:
        server = options.postgres or stack.enter_context(throwaway_postgres())
        with SingleServer(server) as single:
            yield single, problem


# --- Worker side ---------------------------------------------------------------------------------


def worker(options) -> dict:
    import _load_data

    scale = load.QUICK if options.quick else load.FULL
    if options.step == "build":
        from _common import install_reference

        install_reference()
        return _load_data.build(scale, Path(options.folder), options.database_url)
    return _load_data.prepare(scale)


# --- Main ----------------------------------------------------------------------------------------


def extra_options(parser) -> None:
    parser.add_argument("--soak", type=float, help="seconds of soak (default: 600 in the full run, none in --quick)")
    parser.add_argument("--duration", type=float, help="seconds measured per configuration")
    parser.add_argument("--dump", help="the cached database dump to use (made if missing)")
    parser.add_argument("--rebuild", action="store_true", help="build the data again, ignoring the cached dump")
    parser.add_argument("--step", help=argparse_suppress())
    parser.add_argument("--folder", help=argparse_suppress())


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def main(script: str) -> int:
    options = parse_options(__doc__.split("\n\n")[0], extra=extra_options)
    if options.worker:
        return worker_entry(worker, options)
    import _load_report as report

    scale = dict(load.QUICK if options.quick else load.FULL)
    if options.duration:
        scale["duration"] = options.duration
    soak = options.soak if options.soak is not None else scale["soak"]
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/load.py: {exc}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    header = report.header(scale, options, soak)
    print(header, flush=True)
    results: dict = {"runs": [], "soak": None}
    workdir = Path(tempfile.mkdtemp(prefix="maillage-load-"))
    try:
        with topology(options, workdir) as (topo, problem):
            results["topology"], results["problem"] = topo.label, problem
            if isinstance(topo, HarnessTopology) and options.postgres:
                log("   --postgres is not used: the topology runs its own PostgreSQL primary and replica")
            if isinstance(topo, HarnessTopology) and not redis_client():
                results["cache"] = ("The Python package `redis` is not installed: the app servers share the database "
                                    "cache (on the primary) instead of the topology's Redis.")  # fmt: skip
            results["data"] = data(topo.primary_url, topo.worker_env(), options,
                                   "quick" if options.quick else "full", topo.migrate)  # fmt: skip
            results["counts"] = counts(topo.primary_url)
            topo.settle()
            with stopwatch("the plan: sessions, SAS key, searches, desk bookings"):
                plan = run_step("prepare", topo.primary_url, topo.worker_env(), options)
            plan_path = str(workdir / "plan.json")
            Path(plan_path).write_text(json.dumps(plan), encoding="utf-8")
            planned = len(topo.configurations) * (scale["duration"] + scale["warmup"]) + (soak + scale["warmup"])
            pairs = Pairs(len(plan["desk"]["pairs"]), planned)
            for apps, replicas in topo.configurations:
                made_before, _ = bookings(topo.primary_url)
                with topo.serving(apps, replicas) as base:
                    log(f"   load: {scale['clients']} users, {scale['warmup']:g} s warm-up, {scale['duration']:g} s…")
                    run = run_load(base, plan_path, scale, pairs, scale["duration"], measure=topo.measure)
                made_after, double = bookings(topo.primary_url)
                run.update(apps=apps, replicas=replicas, booked=made_after - made_before, double=double)
                log(f"      {run['requests'] / run['seconds']:.0f} req/s, {run['errors']} errors")
                results["runs"].append(run)
            if soak > 0:
                apps, replicas = topo.configurations[-1]
                made_before, _ = bookings(topo.primary_url)
                with topo.serving(apps, replicas) as base:
                    log(f"   soak: {soak:g} s on {apps} app server(s), {replicas} replica(s)…")
                    run = run_load(base, plan_path, scale, pairs, soak, measure=topo.measure)
                made_after, double = bookings(topo.primary_url)
                run.update(apps=apps, replicas=replicas, booked=made_after - made_before, double=double)
                results["soak"] = run
    except BenchError as exc:
        print(f"bench/load.py: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["wall"] = time.perf_counter() - began
    failed = report.report(results, scale, options)
    return 1 if failed else 0
