"""Load benchmark: a national-size instance under a mix of public, FHIR, SAS, desk and coordinator
requests, on the production topology of issue 19 (tests/topology/harness.py) with 1 and 2 app
servers and 0 and 1 replica.

The data (full run): a directory of 2,000,000 RPPS lines and its FINESS sites (imported by the
project's importers), 800 CPTS, 500,000 SNP slots, 1,000,000 médecin traitant requests, 20
coordinators and a regulator with a TOTP authenticator (bench/_load_data.py). Built once directly
on the primary, then kept as a `pg_dump -Fc` file (MAILLAGE_BENCH_CACHE or the temporary folder's
maillage-bench/, or --dump PATH) and restored by the next runs of the same schema.

The topology: a PostgreSQL primary and its streaming replica, PgBouncer (transaction mode), Redis,
N gunicorn servers (gthread) behind nginx. For each configuration (app servers × replicas), load
clients (separate processes, asyncio, keep-alive connections) run CLIENTS virtual users through
nginx for a fixed time after a warm-up, each request's kind drawn from MIX below. Printed: requests
per second, p50/p95/p99 per kind, errors (5xx or a connection error: must be 0), the CPU seconds
of each component, the scaling ratio rps(2 servers) / rps(1 server) (target ≥ 1.6×, where the
cores allow it: the cores used are printed), the share of reads served by the replica (its
transactions over all), and a soak (--soak SECONDS, 600 in the full run): no error and RSS growth
≤ 10 % for each app server process.

Without the harness's programs (PostgreSQL, PgBouncer, Redis, nginx) the benchmark falls back to
one gunicorn on one PostgreSQL (--postgres URL or a throw-away cluster): the mix and the client are
measured, the configurations are not.

    .venv/bin/python bench/load.py                  # national size, 60 s per configuration, 600 s soak
    .venv/bin/python bench/load.py --quick          # a few CPTS, a few thousand rows, 6 s each (CI)
    .venv/bin/python bench/load.py --rebuild        # ignore the cached dump
"""

from __future__ import annotations

import os
import sys

# The mix: (kind, weight). A coordinator page is one of the dashboard, the waiting list and the
# directory search of the coordinator's CPTS; a desk booking takes a distinct free slot each.
MIX = [
    ("public CPTS page", 20),
    ("public directory search", 15),
    ("FHIR Practitioner by name", 15),
    ("FHIR PractitionerRole by organization", 10),
    ("SAS slot search", 20),
    ("coordinator page", 15),
    ("desk booking", 5),
]

FULL = {"rows": 2_000_000, "cpts": 800, "professionals": 10_000, "slots": 500_000, "waiting": 1_000_000,
        "care_requests": 30_000, "clients": 48, "duration": 60.0, "warmup": 10.0, "soak": 600.0}  # fmt: skip
QUICK = {"rows": 4_000, "cpts": 8, "professionals": 200, "slots": 4_000, "waiting": 5_000,
         "care_requests": 1_000, "clients": 12, "duration": 6.0, "warmup": 2.0, "soak": 0.0}  # fmt: skip
CONFIGURATIONS = [(1, 0), (2, 0), (1, 1), (2, 1)]  # (app servers, replicas)
SERVER = {"workers": 2, "threads": 4}  # per app server
CLIENT_PROCESSES = 2
SCALING_TARGET = 1.6
RSS_GROWTH_TARGET = 0.10


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _load_run import main

    sys.exit(main(os.path.abspath(__file__)))
