"""RPPS import benchmark: `manage.py import_rpps --apply` on a national-size extraction.

The parent process writes a synthetic `PS_LibreAcces_Personne_activite` file in the real format
(52 columns, `|` with a trailing `|`, valid RPPS check digits, real commune and profession codes,
national shares of professions: maillage/directory/synthetic.py), and a copy where 1 % of the
lines changed (a new phone number). Each database (a fresh SQLite file, a fresh PostgreSQL
database) is set up in its own process with `migrate` and `install_reference --no-shapes`; then
the import runs as a user runs it, `manage.py import_rpps FILE --apply` in a child process, timed
from outside, its peak memory read from the kernel (max RSS). Three runs: first load, re-import of
the same file (nothing changes), re-import of the file with 1 % changed.
Baseline, measured in the same run on the same database: loading the same file into one unindexed
table of 52 text columns — PostgreSQL `COPY`, SQLite a plain `executemany` INSERT.
Targets (PostgreSQL): first load < 120 s, re-import < 60 s, peak memory < 1 GB.

    .venv/bin/python bench/rpps_import.py            # 2,000,000 lines
    .venv/bin/python bench/rpps_import.py --quick    # 20,000 lines (CI)
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
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
    print_table,
    reference_data_dir,
    run_targets,
    seconds,
    stopwatch,
    worker_entry,
)

FULL = {"rows": 2_000_000}
QUICK = {"rows": 20_000}
TARGETS = {"first load": 120.0, "re-import 1 %": 60.0}
MEMORY_TARGET_MB = 1024
CHANGED_SHARE = 0.01
SEED = 20260512


# --- Files (parent process) --------------------------------------------------------------------


def places():
    """Every commune of the COG with a postal code, as activity sites."""
    import json

    from maillage.directory.synthetic import Place

    rows = json.loads((reference_data_dir() / "communes.json").read_text(encoding="utf-8"))
    return [
        Place(c["code"], c["nom"], c["codesPostaux"][0], c["departement"], c.get("population") or 1)
        for c in rows
        if c.get("type") in ("commune-actuelle", "arrondissement-municipal") and c.get("codesPostaux")
    ]


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    """The extraction, and the same with 1 % of its lines given another phone number."""
    from maillage.directory.synthetic import rpps_lines

    first, changed = folder / "PS_LibreAcces_Personne_activite.txt", folder / "PS_LibreAcces_changed.txt"
    rng = random.Random(SEED)
    phone_column = 40  # "Téléphone (coord. structure)"
    with open(first, "w", encoding="utf-8") as a, open(changed, "w", encoding="utf-8") as b:
        for i, line in enumerate(rpps_lines(rows, places(), seed=SEED)):
            a.write(line + "\n")
            if i and rng.random() < CHANGED_SHARE:
                cells = line.split("|")
                cells[phone_column] = f"09{rng.randint(0, 99_999_999):08d}"
                line = "|".join(cells)
            b.write(line + "\n")
    return first, changed


# --- Measurements (worker process) -------------------------------------------------------------


def run_import(path: str, database_url: str) -> dict:
    """`manage.py import_rpps PATH --apply` as a child process: wall time, exit status, max RSS."""
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, str(BASE_DIR / "manage.py"), "import_rpps", path, "--apply"]
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    output = child.stdout.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise BenchError(f"import_rpps failed (exit {child.returncode}):\n{output[-2000:]}")
    return {"seconds": elapsed, "peak_mb": usage.ru_maxrss / 1024, "summary": _summary(output)}


def _summary(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and "\r" not in line]
    return " / ".join(lines[-4:])[:300]


def baseline(path: str) -> float:
    """The same file into one unindexed table of text columns, as fast as the database takes it."""
    from django.db import connection, transaction

    with open(path, encoding="utf-8") as handle:
        width = handle.readline().count("|")
    columns = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_rpps_raw")
        cursor.execute(f"CREATE TABLE bench_rpps_raw ({columns})")
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, open(path, "rb") as handle:
            handle.readline()  # header
            copy_sql = "COPY bench_rpps_raw FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL '\\N')"
            with cursor.copy(copy_sql) as copy:
                for line in handle:
                    copy.write(line.rstrip(b"\r\n")[:-1] + b"\n")  # drop the trailing separator
    else:
        insert = f"INSERT INTO bench_rpps_raw VALUES ({', '.join('?' * width)})"
        with transaction.atomic(), connection.cursor() as cursor, open(path, encoding="utf-8") as handle:
            handle.readline()
            batch = []
            for line in handle:
                batch.append(line.rstrip("\r\n").split("|")[:width])
                if len(batch) == 10_000:
                    cursor.executemany(insert, batch)
                    batch = []
            if batch:
                cursor.executemany(insert, batch)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_rpps_raw")
    return elapsed


def worker(options) -> dict:
    from django.db import connection

    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    url = options.database_url
    first, changed = options.files.split(os.pathsep)
    with stopwatch("baseline (bulk load into an unindexed table)"):
        base = baseline(first)
    runs = {}
    for label, path in (("first load", first), ("re-import, no change", first), ("re-import 1 %", changed)):
        log(f"   {label}…")
        runs[label] = run_import(path, url)
        log(f"   {label}: {seconds(runs[label]['seconds'])}, peak {runs[label]['peak_mb']:.0f} MB")
    from maillage.directory.models import Activity, Professional

    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "baseline": base,
        "runs": runs,
        "professionals": Professional.objects.count(),
        "activities": Activity.objects.count(),
    }


# --- Report (parent process) -------------------------------------------------------------------


def report(results, rows: int) -> list[str]:
    """Prints the table; returns the verdicts, which only the national-size run can give."""
    table, verdicts = [], []
    national = rows >= FULL["rows"]
    for label, data in results:
        for run, figures in data["runs"].items():
            rate = rows / figures["seconds"]
            target = TARGETS.get(run)
            verdict = ""
            if target and data["vendor"] == "postgresql" and national:
                met = figures["seconds"] < target and figures["peak_mb"] < MEMORY_TARGET_MB
                verdict = "met" if met else "NOT MET"
                verdicts.append(
                    f"{run} {verdict} on {label} ({seconds(figures['seconds'])}, {figures['peak_mb']:.0f} MB)"
                )
            table.append(
                [
                    label,
                    run,
                    seconds(figures["seconds"]),
                    f"{number(int(rate))} rows/s",
                    f"{figures['peak_mb']:.0f} MB",
                    f"{figures['seconds'] / data['baseline']:.1f}×",
                    verdict or "-",
                ]
            )
        table.append(
            [
                label,
                "baseline (bulk load)",
                seconds(data["baseline"]),
                f"{number(int(rows / data['baseline']))} rows/s",
                "-",
                "1.0×",
                "-",
            ]
        )
    print_table(
        ["database", "run", "time", "throughput", "peak memory", "ratio to baseline", "target"],
        table,
        title=f"import_rpps --apply on {number(rows)} lines "
        f"({number(results[0][1]['professionals'])} professionals, {number(results[0][1]['activities'])} activities)",
    )
    for run, figures in results[0][1]["runs"].items():
        print(f"{results[0][0]} {run}: {figures['summary']}")
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
        print(f"bench/rpps_import.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"RPPS import benchmark — {number(scale['rows'])} lines, {'quick' if options.quick else 'full'} run", flush=True
    )
    with tempfile.TemporaryDirectory(prefix="maillage-bench-rpps-") as folder:
        from _common import setup_django

        setup_django("sqlite:///" + os.path.join(folder, "unused.sqlite3"), var_dir=folder)
        with stopwatch(f"writing {number(scale['rows'])} lines twice"):
            first, changed = write_files(Path(folder), scale["rows"])
        log(f"   file size: {first.stat().st_size / 1e6:.0f} MB")
        with databases(options) as dbs:
            args = [f"--files={first}{os.pathsep}{changed}"] + (["--quick"] if options.quick else [])
            results, problems, failed = run_targets(__file__, dbs, dbs.targets, args)
    print()
    if results:
        verdicts = report(results, scale["rows"])
        if options.quick:
            print("Quick run: the targets (120 s, 60 s, 1 GB) are judged on the full 2,000,000-line run only.")
        if verdicts:
            print(
                "Targets (PostgreSQL: first load < 120 s, re-import < 60 s, peak < 1 GB): " + "; ".join(verdicts) + "."
            )
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
