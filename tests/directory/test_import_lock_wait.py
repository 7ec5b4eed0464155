"""Users go on reading while an RPPS first load runs (issue 19): the import, stopped mid-way inside
its transaction, holds no lock that makes a reader of the directory or of the communes wait.

PostgreSQL only: SQLite readers (WAL) take no lock at all. The import runs in a thread (its own
connection, so its own session) and pauses after a few batches until the reads are done — or for
`PAUSE` seconds at most, so that a read stuck behind one of its locks shows as a slow read (the
failure) instead of a test that never ends.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from maillage.directory import importer
from maillage.directory.models import Activity, Professional, Structure
from maillage.directory.rpps_import import RppsImport
from maillage.territory.models import Commune
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: on SQLite (WAL) readers take no lock, an import cannot make them wait",
)

QUICK = 2.0  # seconds a read may take while the import runs
PAUSE = 10.0  # seconds the import waits mid-way at most


def test_reads_go_on_during_a_first_load(tmp_path, transactional_db, monkeypatch):
    departement = DepartementFactory(code="01", name="Ain", region=RegionFactory(code="84", name="ARA"))
    CommuneFactory(code="01053", name="Bourg-en-Bresse", departement=departement)
    lines = [
        rpps_line(rpps=rpps_number(1000 + i), last_name=f"MARTIN{i}", mode_code="L", commune_code="01053")
        for i in range(40)
    ]
    path = write_rpps(tmp_path / "rpps.txt", lines)
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)
    midway, resume = threading.Event(), threading.Event()
    apply_batch = RppsImport.apply_batch
    batches = []

    def pausing(self, batch):
        apply_batch(self, batch)
        batches.append(len(batch))
        if len(batches) == 2:  # rows written, the transaction open, its locks held
            midway.set()
            resume.wait(PAUSE)

    monkeypatch.setattr(RppsImport, "apply_batch", pausing)
    failures = []

    def load():
        try:
            run("import_rpps", path, "--apply")
        except BaseException as exc:
            failures.append(exc)
        finally:
            midway.set()
            connection.close()  # this thread's own connection

    client = Client()
    client.get("/fhir/Practitioner", {"name": "martin"})  # warm-up: the first request imports the views
    thread = threading.Thread(target=load)
    thread.start()
    try:
        assert midway.wait(60), "the import did not reach its second batch"
        assert not failures, failures
        reads = {
            "professionals": lambda: Professional.objects.count(),
            "activities": lambda: Activity.objects.filter(commune_id="01053").count(),
            "structures": lambda: Structure.objects.count(),
            "communes": lambda: Commune.objects.filter(code="01053").count(),
            "FHIR search": lambda: client.get("/fhir/Practitioner", {"name": "martin"}).status_code,
        }
        timings, seen = {}, {}
        for name, read in reads.items():
            start = time.perf_counter()
            seen[name] = read()
            timings[name] = time.perf_counter() - start
    finally:
        resume.set()
        thread.join(PAUSE + 60)
    slow = {name: f"{seconds:.2f} s" for name, seconds in timings.items() if seconds > QUICK}
    assert not slow, f"reads waited for the import: {slow}"
    # Readers saw the state before the run (nothing yet), the import then went on and committed.
    assert seen == {"professionals": 0, "activities": 0, "structures": 0, "communes": 1, "FHIR search": 200}
    assert not failures, failures
    assert batches == [10, 10, 10, 10]
    assert Professional.objects.count() == 40
    assert Activity.objects.count() == 40
