"""Helpers shared by the benchmarks in bench/ (this module is not a benchmark itself).

A benchmark measures each database in its own process, because Django settings are process-global:
the parent process parses the options, prepares scratch databases (a fresh SQLite file in a
temporary folder, a fresh `maillage_bench` database in a PostgreSQL cluster) and starts the same
script again with `--worker`; the worker sets Django up against the given database URL, measures,
and writes its figures as JSON to a file that the parent reads and prints.

    options = parse_options(description)          # --quick, --postgres URL, --sqlite-only
    for target in databases(options):             # context manager: scratch databases, cleanup
        figures = run_worker(__file__, target, [...])
    print_table(headers, rows)

In the worker: `setup_django(url)`, `install_reference()`, then `measure(fn, repeat=…)`;
`live_server(url)` serves the project with gunicorn for benchmarks that need a real HTTP server.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PG_THROWAWAY = BASE_DIR / "scripts" / "pg-throwaway"
BENCH_DATABASE = "maillage_bench"


class BenchError(Exception):
    """A benchmark cannot run; the message says why and what to do."""


# --- Options and output -------------------------------------------------------------------------


def parse_options(description: str, argv: list[str] | None = None, extra=None) -> argparse.Namespace:
    """`extra(parser)` may add a benchmark's own arguments (they are passed on to its workers)."""
    parser = argparse.ArgumentParser(description=description)
    if extra:
        extra(parser)
    parser.add_argument("--quick", action="store_true", help="reduced scale and repetitions (CI: under a minute)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to use (default: a throw-away cluster)")
    parser.add_argument("--sqlite-only", action="store_true", help="measure SQLite only")
    # Internal: the per-database subprocess.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seconds(value: float) -> str:
    """A duration at a readable precision: 0.0123 s → "12.3 ms", 1.5 → "1.50 s"."""
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def print_table(headers: list[str], rows: list[list[Any]], *, title: str | None = None) -> None:
    """A plain-text table; numbers (and cells starting with a digit) are right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_looks_numeric(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(headers))]

    def line(row):
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric, strict=True))

    if title:
        print(title)
    print(line(cells[0]).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row).rstrip())
    print(flush=True)


def _looks_numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or (cell[0] in "-+" and cell[1:2].isdigit()))


# --- Timing -------------------------------------------------------------------------------------


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)

    def as_dict(self) -> dict:
        return {"runs": self.runs, "median": self.median, "best": self.best}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank value at `share` (0.95 for the p95) of `values`; NaN when there is none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def measure(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> tuple[Timing, Any]:
    """Calls `fn` `warmup` times untimed (connection, caches), then `repeat` times timed.
    Returns the timings and the last result. Garbage from one run is collected before the next."""
    result = None
    for _ in range(warmup):
        result = fn()
    timing = Timing()
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        timing.runs.append(time.perf_counter() - start)
    return timing, result


@contextlib.contextmanager
def stopwatch(label: str) -> Iterator[None]:
    """Logs how long a setup step took (on stderr, so that the results stay readable)."""
    start = time.perf_counter()
    yield
    log(f"   {label}: {seconds(time.perf_counter() - start)}")


# --- Worker side: Django against a given database ---------------------------------------------


def setup_django(database_url: str, *, var_dir: str | None = None) -> None:
    """Configures this process for `database_url` and calls django.setup(). Must run before any
    import of Django models. `var_dir` keeps the project's var/ folder out of the benchmark."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log: it would distort the timings
    if var_dir:
        os.environ["MAILLAGE_VAR_DIR"] = var_dir
    import django

    django.setup()


def reference_data_dir() -> Path:
    """Where install_reference reads the COG (same rule as config/settings.py)."""
    node_modules = Path(os.environ.get("MAILLAGE_NODE_MODULES", "").strip() or BASE_DIR / "node_modules")
    default = node_modules / "@etalab" / "decoupage-administratif" / "data"
    return Path(os.environ.get("MAILLAGE_COG_DIR", "").strip() or default)


def check_reference_data() -> None:
    path = reference_data_dir() / "communes.json"
    if not path.is_file():
        raise BenchError(
            f"Reference data not found: {path}.\n"
            "The benchmark installs the ~35,000 communes of @etalab/decoupage-administratif: run `make setup` "
            "(npm ci) first, or point MAILLAGE_COG_DIR at the package's data folder."
        )


def install_reference() -> None:
    """migrate + install_reference --no-shapes on the configured (fresh) database."""
    from io import StringIO

    from django.core.management import call_command

    check_reference_data()
    with stopwatch("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with stopwatch("install_reference --no-shapes"):
        call_command("install_reference", no_shapes=True, stdout=StringIO())


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def write_result(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data), encoding="utf-8")


@contextlib.contextmanager
def live_server(
    database_url: str, *, workers: int = 3, threads: int = 8, env: dict[str, str] | None = None
) -> Iterator[str]:
    """gunicorn serving config.wsgi on a free loopback port against `database_url` (migrated
    beforehand), with `workers` processes of `threads` threads; yields its base URL once it answers,
    stops it (the process it started, by its id) on exit. Its log is shown if it fails to start."""
    import urllib.error
    import urllib.request

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = tempfile.NamedTemporaryFile(prefix="maillage-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
               "--backlog", "2048", "--timeout", "120", "--log-level", "warning"]  # fmt: skip
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0"),
        **(env or {}),
    }
    process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed argv, no shell)
        command, cwd=BASE_DIR, env=server_env, stdout=log_file, stderr=subprocess.STDOUT
    )

    def server_log() -> str:
        return Path(log_file.name).read_text(encoding="utf-8", errors="replace")[-3000:]

    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {process.returncode}:\n{server_log()}")
            try:
                with urllib.request.urlopen(f"{base}/fhir/metadata", timeout=5):  # noqa: S310 (loopback)
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn did not answer on {base} within 90 s:\n{server_log()}") from None
                time.sleep(0.3)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_file.close()
        os.unlink(log_file.name)


# --- Parent side: scratch databases and worker processes ---------------------------------------


@dataclass
class Target:
    label: str  # "SQLite", "PostgreSQL"
    url: str
    var_dir: str


@dataclass
class Databases:
    """The databases to measure, and what went wrong when one is unavailable."""

    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    postgres_requested: bool = False  # --postgres URL was given explicitly


@contextlib.contextmanager
def databases(options: argparse.Namespace) -> Iterator[Databases]:
    """Yields scratch databases for the options; removes them all (and any throw-away cluster) on exit.
    PostgreSQL problems are collected in `problems` rather than raised, so that SQLite still runs."""
    result = Databases(postgres_requested=bool(options.postgres))
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="maillage-bench-"))
        var_dir = os.path.join(tmp, "var")
        os.makedirs(var_dir)
        sqlite_path = os.path.join(tmp, "bench.sqlite3")
        shutil.copyfile(sqlite_template(var_dir), sqlite_path)
        result.targets.append(Target("SQLite", f"sqlite:///{sqlite_path}", var_dir))
        if not options.sqlite_only:
            try:
                server = options.postgres or stack.enter_context(throwaway_postgres())
                template = postgres_template(server, var_dir)
                url = stack.enter_context(
                    scratch_postgres_database(server, f"{BENCH_DATABASE}_{os.getpid()}", template=template)
                )
                result.targets.append(Target("PostgreSQL", url, var_dir))
            except BenchError as exc:
                result.problems.append(f"PostgreSQL NOT MEASURED: {exc}")
        yield result


def run_targets(script: str, dbs: Databases, targets, args: list[str]) -> tuple[list, list[str], bool]:
    """`script`'s worker on each of `targets` (of `dbs`): ([(label, figures)], problems, failed).
    A database that cannot be measured is a problem, not an exception, so the others still run;
    it fails the run when it is PostgreSQL and PostgreSQL was asked for explicitly."""
    results, problems = [], list(dbs.problems)
    failed = dbs.postgres_requested and bool(dbs.problems)
    for target in targets:
        try:
            data = run_worker(script, target, args)
        except BenchError as exc:
            problems.append(f"{target.label} NOT MEASURED: {exc}")
            failed = True
            continue
        label = f"{target.label} {data['server'] // 10000}" if data["server"] else target.label
        results.append((label, data))
    return results, problems, failed


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster started by scripts/pg-throwaway in a temporary folder, stopped on exit."""
    folder = tempfile.mkdtemp(prefix="maillage-bench-pg-")
    cluster = os.path.join(folder, "cluster")
    port = free_port()
    log(f"== Starting a throw-away PostgreSQL cluster on 127.0.0.1:{port}…")
    try:
        done = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            [str(PG_THROWAWAY), "start", cluster, str(port)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BenchError(f"could not run {PG_THROWAWAY.name} ({exc}).") from exc
    try:
        if done.returncode != 0 or not done.stdout.strip():
            detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise BenchError(
                f"the throw-away cluster did not start ({PG_THROWAWAY.name} exited with {done.returncode}: "
                f"{' / '.join(detail) or 'no output'}). Pass --postgres URL to use a running server."
            )
        yield done.stdout.strip().splitlines()[-1]
    finally:
        stop = [str(PG_THROWAWAY), "stop", cluster]
        subprocess.run(stop, capture_output=True, check=False, timeout=120)  # noqa: S603 (fixed argv, no shell)
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def scratch_postgres_database(server_url: str, name: str = BENCH_DATABASE, *, template: str = "") -> Iterator[str]:
    """A fresh database `name` on the server of `server_url` (created — as a copy of `template` when
    given —, then dropped on exit). Yields its URL. The database named in `server_url` is only used
    to run CREATE/DROP DATABASE."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url)
    if parts.path.lstrip("/") == name:
        raise BenchError(f"--postgres must name another database than {name!r}, which the benchmark drops.")

    def admin(statement):
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    try:
        admin(drop)  # left over by an interrupted run
        if template:
            admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise BenchError(f"cannot create database {name!r} on {_safe(server_url)}: {reason}") from exc
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        try:
            admin(drop)
        except psycopg.Error as exc:
            log(f"warning: could not drop database {name!r}: {exc}")


# --- Migrated schemas, made once ------------------------------------------------------------------
# Migrating an empty database takes about 20 s (the project's migrations, with their data); every
# benchmark starts from one, on SQLite and on PostgreSQL. The schema is migrated once per state of
# the migrations and of the locked dependencies, kept as a template (a SQLite file in the temporary
# folder, a `maillage_bench_template_<fingerprint>` database on the PostgreSQL server), and each
# benchmark's scratch database is a copy of it: the workers' own `migrate` then finds nothing to do.


def schema_fingerprint() -> str:
    import hashlib

    digest = hashlib.sha256()
    files = [*sorted(BASE_DIR.glob("maillage/*/migrations/*.py")), BASE_DIR / "requirements.lock"]
    for path in files:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate(database_url: str, var_dir: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "MAILLAGE_VAR_DIR": var_dir}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"migrate failed on {_safe(database_url)}:\n{done.stderr[-2000:]}")


def sqlite_template(var_dir: str) -> str:
    """The path of a migrated SQLite database for the current migrations (made if missing)."""
    folder = Path(os.environ.get("MAILLAGE_BENCH_CACHE", "").strip() or Path(tempfile.gettempdir()) / "maillage-bench")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"schema-{schema_fingerprint()}.sqlite3"
    if not path.exists():
        with stopwatch("migrating a template SQLite database (once)"):
            partial = path.with_suffix(f".{os.getpid()}.partial")
            _migrate(f"sqlite:///{partial}", var_dir)
            import sqlite3

            # The settings put SQLite in WAL mode: fold the log into the file before copying it.
            with contextlib.closing(sqlite3.connect(partial)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("PRAGMA journal_mode=DELETE")
            os.replace(partial, path)  # whole or absent, even if two benchmarks race
    return str(path)


def postgres_template(server_url: str, var_dir: str) -> str:
    """The name of a migrated template database on the server for the current migrations (made if
    missing); its connection limit is 0 so that nothing but CREATE DATABASE … TEMPLATE touches it."""
    import psycopg
    from psycopg import sql

    name = f"{BENCH_DATABASE}_template_{schema_fingerprint()}"
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        building = f"{name}_{os.getpid()}"
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    with stopwatch("migrating a template PostgreSQL database (once)"):
        _migrate(urlunsplit(urlsplit(server_url)._replace(path=f"/{building}")), var_dir)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name)))
        conn.execute(sql.SQL("ALTER DATABASE {} CONNECTION LIMIT 0").format(sql.Identifier(name)))
    return name


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def run_worker(script: str, target: Target, args: list[str]) -> dict:
    """Runs `script --worker` against `target` in a fresh Python process and returns the JSON it wrote.
    The worker's own output (progress) goes straight to the terminal."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = handle.name
    try:
        command = [sys.executable, script, "--worker", "--database-url", target.url, "--result", result_path, *args]
        env = {**os.environ, "MAILLAGE_VAR_DIR": target.var_dir}
        env.pop("DATABASE_URL", None)
        done = subprocess.run(command, env=env, cwd=BASE_DIR, check=False)  # noqa: S603 (this interpreter, no shell)
        text = Path(result_path).read_text(encoding="utf-8")
        if done.returncode != 0 or not text:
            raise BenchError(f"the {target.label} worker failed (exit status {done.returncode}); see its output above.")
        return json.loads(text)
    finally:
        os.unlink(result_path)


def worker_entry(main: Callable[[argparse.Namespace], dict], options: argparse.Namespace) -> int:
    """The body of a worker process: set Django up, call `main(options)`, write its figures."""
    setup_django(options.database_url, var_dir=os.environ.get("MAILLAGE_VAR_DIR"))
    try:
        figures = main(options)
    except BenchError as exc:
        log(f"error: {exc}")
        return 2
    write_result(options.result, figures)
    return 0


if __name__ == "__main__":
    # .ci/run calls every bench/*.py; this one only holds helpers.
    print("bench/_common.py: shared helpers, nothing to measure.")


INSERT_CHUNK = 50_000  # rows per COPY / executemany


# --- Fast inserts (worker process) ---------------------------------------------------------------


def _sqlite_value(value):
    """SQLite gets what Django would store: ISO text for dates, naive UTC for datetimes."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert(model, columns: list[str], rows) -> int:
    """Writes `rows` (tuples in the order of `columns`, attnames, primary key included) into
    `model`'s table: COPY on PostgreSQL, executemany on SQLite. Every other column gets its
    default (or NULL, or ""). No signal, no save(): the data of a benchmark."""
    from django.db import connection, transaction

    table = model._meta.db_table
    others = [f for f in model._meta.concrete_fields if f.attname not in columns]
    defaults = []
    for f in others:
        if f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
            defaults.append("")
        else:
            raise BenchError(f"{table}.{f.column}: no value and no default")
    names = [model._meta.get_field(c).column for c in columns]
    names += [f.column for f in others]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    total = 0
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []

        def flush():
            nonlocal total
            if not batch:
                return
            if postgres:
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in batch],
                )
            total += len(batch)
            batch.clear()

        for row in rows:
            batch.append((*row, *defaults))
            if len(batch) >= INSERT_CHUNK:
                flush()
        flush()
    return total


def reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- Synthetic région (worker process) -----------------------------------------------------------
