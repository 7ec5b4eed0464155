"""Users go on while an RPPS import runs (issue 19): the import, stopped mid-way inside its
transaction, holds no lock that makes a reader of the directory or of the communes wait, nor a
coordinator opening a slot for a professional the import is changing.

PostgreSQL only: SQLite readers (WAL) take no lock at all, and SQLite writers wait for each other
by design. The import runs in a thread (its own connection, so its own session) and pauses after
its second batch until the test is done — or for `PAUSE` seconds at most, so that a statement
stuck behind one of its locks shows as a slow one (the failure) instead of a test that never ends.
"""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test import Client

from maillage.directory import importer
from maillage.directory.models import Activity, Professional, Structure
from maillage.directory.rpps_import import RppsImport
from maillage.territory.models import Commune
from maillage.unscheduled.actions import slots
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: on SQLite (WAL) readers take no lock, an import cannot make them wait",
)

QUICK = 2.0  # seconds a statement may take while the import runs
PAUSE = 10.0  # seconds the import waits mid-way at most
LINES = 40
BATCH = 10


def extraction(tmp_path, name: str, *, renamed: int | None = None):
    """`LINES` professionals with one activity each in Bourg-en-Bresse; `renamed`: that one's
    last name changed (a re-import then updates their row)."""
    lines = [
        rpps_line(
            rpps=rpps_number(1000 + i),
            last_name=f"MARTIN{i}" + ("-DUPONT" if i == renamed else ""),
            mode_code="L",
            commune_code="01053",
        )
        for i in range(LINES)
    ]
    return write_rpps(tmp_path / name, lines)


@pytest.fixture
def bourg(transactional_db):
    departement = DepartementFactory(code="01", name="Ain", region=RegionFactory(code="84", name="ARA"))
    return CommuneFactory(code="01053", name="Bourg-en-Bresse", departement=departement)


@contextmanager
def import_paused_midway(path, monkeypatch):
    """Runs `import_rpps PATH --apply` in a thread; yields once its second batch is written (its
    transaction open, its locks held); lets it finish on exit. Yields the list of its batches."""
    monkeypatch.setattr(importer, "BATCH_SIZE", BATCH)
    midway, resume = threading.Event(), threading.Event()
    apply_batch = RppsImport.apply_batch
    batches, failures = [], []

    def pausing(self, batch):
        apply_batch(self, batch)
        batches.append(len(batch))
        if len(batches) == 2:
            midway.set()
            resume.wait(PAUSE)

    monkeypatch.setattr(RppsImport, "apply_batch", pausing)

    def load():
        try:
            run("import_rpps", path, "--apply")
        except BaseException as exc:
            failures.append(exc)
        finally:
            midway.set()
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=load)
    thread.start()
    try:
        assert midway.wait(60), "the import did not reach its second batch"
        assert not failures, failures
        yield batches
    finally:
        resume.set()
        thread.join(PAUSE + 60)
    monkeypatch.setattr(RppsImport, "apply_batch", apply_batch)
    assert not failures, failures
    assert batches == [BATCH] * (LINES // BATCH)


def timed(actions: dict) -> tuple[dict, dict]:
    """Runs each action; returns what each gave and how long each took."""
    seen, timings = {}, {}
    for name, action in actions.items():
        start = time.perf_counter()
        seen[name] = action()
        timings[name] = time.perf_counter() - start
    return seen, timings


def slow(timings: dict) -> dict:
    return {name: f"{seconds:.2f} s" for name, seconds in timings.items() if seconds > QUICK}


def test_reads_go_on_during_a_first_load(tmp_path, bourg, monkeypatch):
    client = Client()
    client.get("/fhir/Practitioner", {"name": "martin"})  # warm-up: the first request imports the views
    with import_paused_midway(extraction(tmp_path, "rpps.txt"), monkeypatch):
        seen, timings = timed(
            {
                "professionals": lambda: Professional.objects.count(),
                "activities": lambda: Activity.objects.filter(commune_id="01053").count(),
                "structures": lambda: Structure.objects.count(),
                "communes": lambda: Commune.objects.filter(code="01053").count(),
                "FHIR search": lambda: client.get("/fhir/Practitioner", {"name": "martin"}).status_code,
            }
        )
    assert not slow(timings), f"reads waited for the import: {slow(timings)}"
    # Readers saw the state before the run (nothing yet), the import then went on and committed.
    assert seen == {"professionals": 0, "activities": 0, "structures": 0, "communes": 1, "FHIR search": 200}
    assert Professional.objects.count() == LINES
    assert Activity.objects.count() == LINES


def test_a_slot_write_does_not_wait_for_a_reimport_changing_its_professional(tmp_path, bourg, monkeypatch):
    run("import_rpps", extraction(tmp_path, "first.txt"), "--apply")
    renamed = Professional.objects.get(national_id="8" + rpps_number(1000))

    def slot_lock():
        with transaction.atomic():
            slots._lock(renamed)  # what opening, editing or withdrawing a slot takes first
        return True

    with import_paused_midway(extraction(tmp_path, "second.txt", renamed=0), monkeypatch):
        seen, timings = timed(
            {
                "slot lock": slot_lock,
                "renamed professional": lambda: Professional.objects.get(pk=renamed.pk).last_name,
            }
        )
    assert not slow(timings), f"waited for the import: {slow(timings)}"
    assert seen == {"slot lock": True, "renamed professional": "MARTIN0"}  # the state before the run
    renamed.refresh_from_db()
    assert renamed.last_name == "MARTIN0-DUPONT"


def test_slot_writes_of_one_professional_still_wait_for_each_other(tmp_path, bourg):
    run("import_rpps", extraction(tmp_path, "first.txt"), "--apply")
    professional = Professional.objects.first()
    held, done = threading.Event(), threading.Event()

    def first_writer():
        try:
            with transaction.atomic():
                slots._lock(professional)
                held.set()
                done.wait(1.0)  # a slot write taking a second
        finally:
            held.set()
            connection.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    try:
        assert held.wait(30)
        start = time.perf_counter()
        with transaction.atomic():
            slots._lock(professional)
        waited = time.perf_counter() - start
    finally:
        thread.join(30)
    assert waited > 0.5, "the second slot write did not wait for the first"
