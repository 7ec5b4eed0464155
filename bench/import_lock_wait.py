"""Lock waits during an RPPS first load: do the users' reads go on while the national file loads?

A first load of the RPPS extraction (`manage.py import_rpps FILE --apply` on empty directory
tables, in a child process, as an operator runs it) is one transaction of minutes at national
size. Meanwhile users keep reading: reader threads repeat, one after the other,
  - the public directory page of a CPTS (`/cpts/<slug>/annuaire/?name=…`, Django's test client),
  - a FHIR Practitioner search (`/fhir/Practitioner?name=…`, test client),
  - the coordinator's directory search (`search.professionals`, paged as the desk's page pages it),
  - plain SELECTs on the tables the import writes or points to (professionals, activities,
    structures, communes) — the reads a lock on those tables would stop first,
recording each read's latency. On PostgreSQL a sampler polls `pg_locks` every 50 ms for the
sessions waiting on a lock (`NOT granted`, with `waitstart`) other than the import's own: the
longest wait seen, and the lock (mode, relation) it was for.
Baseline, measured in the same run on the same database: the same reads for a few seconds
before the import starts (the tables are empty then, as they are for readers during a first
load, since the import commits at the end).
Target: no read waits on a lock for more than 1 s (PostgreSQL), whatever the file's size.

    .venv/bin/python bench/import_lock_wait.py                 # 2,000,000 lines
    .venv/bin/python bench/import_lock_wait.py --rows 200000   # another size
    .venv/bin/python bench/import_lock_wait.py --quick         # 10,000 lines (CI)
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BASE_DIR,
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
    stopwatch,
    worker_entry,
)

FULL = {"rows": 2_000_000, "baseline_seconds": 10.0}
QUICK = {"rows": 10_000, "baseline_seconds": 3.0}
BASELINE_READS = 20  # of each kind at least
READERS = 2  # threads; the machine has few cores and the import needs its own
SAMPLE_EVERY = 0.05  # seconds between two looks at pg_locks
LOCK_WAIT_TARGET = 1.0  # seconds
IMPORT_APPLICATION = "maillage-import"  # the import's application_name, which the sampler leaves out
SEED = 20260512
NAMES = ["mar", "ber", "dub", "lef", "mor", "ric", "pet", "dur", "leg", "gir"]


# --- File (parent process) ---------------------------------------------------------------------


def write_file(folder: Path, rows: int) -> Path:
    from rpps_import import places  # the other RPPS benchmark's activity sites (the communes)

    from maillage.directory.synthetic import rpps_lines

    path = folder / "PS_LibreAcces_Personne_activite.txt"
    with open(path, "w", encoding="utf-8") as handle:
        for line in rpps_lines(rows, places(), seed=SEED):
            handle.write(line + "\n")
    return path


# --- Reads (worker process) --------------------------------------------------------------------


def make_cpts():
    """One published CPTS over a few dozen communes, for the directory pages."""
    from maillage.territory.models import Commune, Cpts, CptsCommune

    codes = list(Commune.objects.units().filter(code__startswith="75").values_list("code", flat=True)[:20])
    cpts = Cpts.objects.create(name="CPTS banc verrous", slug="banc-verrous", status=Cpts.Status.ACTIVE)
    CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune_id=code) for code in codes])
    return cpts


def reads(cpts):
    """(kind, function) pairs: what users do while an import runs. Each function makes one read."""
    from django.db import connection
    from django.test import Client

    from maillage.directory import search
    from maillage.directory.models import Activity, Professional, Structure
    from maillage.territory.models import Commune
    from maillage.www.paging import CappedPaginator

    client = Client()
    rng = random.Random()

    def get(path, params):
        response = client.get(path, params)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code}")

    def public_directory():
        get(f"/cpts/{cpts.slug}/annuaire/", {"name": rng.choice(NAMES)})

    def fhir_search():
        get("/fhir/Practitioner", {"name": rng.choice(NAMES), "_count": "20"})

    def desk_search():
        pager = CappedPaginator(search.professionals({"name": rng.choice(NAMES)}, cpts), 20)
        _ = pager.count
        for professional in pager.get_page(1):
            _ = [a.commune for a in professional.current_activities]

    quote = connection.ops.quote_name
    tables = [quote(model._meta.db_table) for model in (Professional, Activity, Structure, Commune)]

    def table_reads():
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {table} ORDER BY 1 LIMIT 20")
                cursor.fetchall()

    return [
        ("public directory page", public_directory),
        ("FHIR Practitioner search", fhir_search),
        ("directory search (desk)", desk_search),
        ("SELECT on the import's tables", table_reads),
    ]


class Readers:
    """`READERS` threads repeating the reads until stopped; each read's (kind, seconds) kept by phase."""

    def __init__(self, cpts):
        self.cpts = cpts
        self.phase = "baseline"
        self.latencies: dict[str, dict[str, list[float]]] = {}
        self.errors: list[str] = []
        self.kinds = 0  # how many kinds of read each thread makes
        self.stop = threading.Event()
        self.warm = threading.Barrier(READERS + 1)  # the threads' warm-up done, and the caller's wait
        self.threads = [threading.Thread(target=self._read, args=(i,), daemon=True) for i in range(READERS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        self.warm.wait(timeout=300)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def count(self, phase: str) -> int:
        """The fewest reads of one kind made in `phase` so far."""
        kinds = self.latencies.get(phase, {})
        return min((len(values) for values in kinds.values()), default=0) if len(kinds) == self.kinds else 0

    def _read(self, index: int) -> None:
        from django.db import connection

        try:
            kinds = reads(self.cpts)
            self.kinds = len(kinds)
            kinds = kinds[index % len(kinds) :] + kinds[: index % len(kinds)]  # the threads out of step
            try:
                for _kind, read in kinds:  # warm-up, untimed: connection, templates, caches
                    read()
            finally:
                self.warm.wait(timeout=300)
            while not self.stop.is_set():
                for kind, read in kinds:
                    phase = self.phase
                    start = time.perf_counter()
                    try:
                        read()
                    except Exception as exc:
                        self.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])
                        continue
                    elapsed = time.perf_counter() - start
                    if phase == self.phase:  # a read across the start of the import counts in neither
                        self.latencies.setdefault(phase, {}).setdefault(kind, []).append(elapsed)
        finally:
            connection.close()


class LockSampler:
    """Polls pg_locks for sessions of this database waiting on a lock, the import's own excepted."""

    QUERY = (
        "SELECT l.pid, EXTRACT(EPOCH FROM clock_timestamp() - l.waitstart), l.locktype, l.mode, "
        "COALESCE(l.relation::regclass::text, ''), left(a.query, 80) "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE NOT l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid() "
        "AND a.application_name <> %s"
    )

    def __init__(self, database_url: str):
        self.url = database_url
        self.longest = 0.0
        self.what = ""
        self.samples = 0
        self.waiting_samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, application_name="maillage-lock-sampler") as conn:
            while not self.stop.wait(SAMPLE_EVERY):
                rows = conn.execute(self.QUERY, [IMPORT_APPLICATION]).fetchall()
                self.samples += 1
                self.waiting_samples += bool(rows)
                for _pid, waited, locktype, mode, relation, query in rows:
                    if waited is not None and float(waited) > self.longest:
                        self.longest = float(waited)
                        target = relation or locktype
                        self.what = f"{mode} on {target} ({' '.join(query.split())})"


def run_import(path: str, database_url: str) -> float:
    """`manage.py import_rpps PATH --apply` as a child process, named for the sampler; wall time."""
    env = {**os.environ, "DATABASE_URL": database_url, "PGAPPNAME": IMPORT_APPLICATION}
    command = [sys.executable, str(BASE_DIR / "manage.py"), "import_rpps", path, "--apply"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
        raise BenchError(f"import_rpps failed (exit {done.returncode}):\n{output[-2000:]}")
    return elapsed


def worker(options) -> dict:
    from contextlib import nullcontext

    from django.db import connection

    from maillage.directory.models import Activity, Professional

    scale = QUICK if options.quick else FULL
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    cpts = make_cpts()
    postgres = connection.vendor == "postgresql"
    sampler = LockSampler(options.database_url) if postgres else nullcontext()
    with Readers(cpts) as readers:
        # A few seconds of reads, and enough of each kind for a 95th percentile (a busy machine).
        deadline = time.monotonic() + 120
        time.sleep(scale["baseline_seconds"])
        while readers.count("baseline") < BASELINE_READS and time.monotonic() < deadline:
            time.sleep(0.2)
        with sampler:
            readers.phase = "import"
            log("   import_rpps --apply (first load), reads going on…")
            duration = run_import(options.file, options.database_url)
            readers.phase = "after"
    if readers.errors:
        raise BenchError(f"{len(readers.errors)} reads failed, the first: {readers.errors[0]}")
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if postgres else None,
        "import_seconds": duration,
        "latencies": readers.latencies,
        "longest_lock_wait": sampler.longest if postgres else None,
        "lock": sampler.what if postgres else "",
        "samples": sampler.samples if postgres else 0,
        "waiting_samples": sampler.waiting_samples if postgres else 0,
        "professionals": Professional.objects.count(),
        "activities": Activity.objects.count(),
    }


# --- Report (parent process) -------------------------------------------------------------------


def report(results, rows: int) -> list[str]:
    table, summary, verdicts = [], [], []
    for label, data in results:
        baseline, during = data["latencies"].get("baseline", {}), data["latencies"].get("import", {})
        for kind in sorted(set(baseline) | set(during)):
            before, now = baseline.get(kind, []), during.get(kind, [])
            p95 = percentile(now, 0.95) if now else None
            ratio = f"{p95 / percentile(before, 0.95):.1f}×" if now and before else "-"
            table.append(
                [
                    label,
                    kind,
                    number(len(before)),
                    seconds(statistics.median(before)) if before else "-",
                    seconds(percentile(before, 0.95)) if before else "-",
                    number(len(now)),
                    seconds(statistics.median(now)) if now else "-",
                    seconds(p95) if now else "-",
                    seconds(max(now)) if now else "-",
                    ratio,
                ]
            )
        done = sum(len(v) for v in during.values())
        if data["longest_lock_wait"] is None:
            wait = "none possible (SQLite in WAL mode: readers take no lock)"
        else:
            wait = seconds(data["longest_lock_wait"])
            wait += f", {data['lock']}" if data["lock"] else ", no session waited on a lock"
            wait += f" ({number(data['waiting_samples'])} of {number(data['samples'])} samples saw a wait)"
            met = data["longest_lock_wait"] <= LOCK_WAIT_TARGET
            longest = seconds(data["longest_lock_wait"])
            verdicts.append(f"{label}: {'met' if met else 'NOT MET'} (longest wait {longest})")
        summary.append(
            f"{label}: first load {seconds(data['import_seconds'])} "
            f"({number(int(rows / data['import_seconds']))} lines/s), {number(done)} reads during it; "
            f"longest lock wait: {wait}."
        )
    print_table(
        ["database", "read", "baseline n", "p50", "p95", "during n", "p50", "p95", "max", "p95 ratio"],
        table,
        title=f"Reads during import_rpps --apply (first load) of {number(rows)} lines "
        f"({number(results[0][1]['professionals'])} professionals, {number(results[0][1]['activities'])} activities), "
        f"{READERS} reader threads; baseline = the same reads just before the import",
    )
    for line in summary:
        print(line)
    return verdicts


def main() -> int:
    def extra(parser):
        parser.add_argument("--rows", type=int, help="lines of the synthetic extraction (default: 2,000,000)")
        parser.add_argument("--file", help=argparse.SUPPRESS)

    options = parse_options(__doc__.split("\n\n")[0], extra=extra)
    if options.worker:
        return worker_entry(worker, options)
    rows = options.rows or (QUICK if options.quick else FULL)["rows"]
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/import_lock_wait.py: {exc}", file=sys.stderr)
        return 2
    print(f"Lock waits during an RPPS first load — {number(rows)} lines, {'quick' if options.quick else 'full'} run")
    print(f"(cores on this machine: {os.cpu_count()}, shared by the import, the readers and the database)", flush=True)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-lockwait-") as folder:
        from _common import setup_django

        setup_django("sqlite:///" + os.path.join(folder, "unused.sqlite3"), var_dir=folder)
        with stopwatch(f"writing {number(rows)} lines"):
            path = write_file(Path(folder), rows)
        with databases(options) as dbs:
            args = [f"--file={path}"] + (["--quick"] if options.quick else [])
            results, problems, failed = run_targets(__file__, dbs, dbs.targets, args)
    print()
    verdicts = report(results, rows) if results else []
    if verdicts:
        target = f"Target (PostgreSQL: no read waits on a lock more than {seconds(LOCK_WAIT_TARGET)})"
        print(f"{target}: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
