"""What the RPPS and FINESS imports share: batches, diff by fingerprint, bulk writes, one run.

Consistency: the whole import — dry run or applied — is ONE transaction. An interrupted run
(error, Ctrl-C, `kill -9`, power cut) leaves the previous state untouched; the next run redoes
everything, which costs a few minutes but never leaves half of an extraction applied. The run's
`ImportRun` row is written outside that transaction, so a run killed on the spot stays « en cours »
until the next run of the same source marks it as interrupted.

Dry run: the same code runs inside the same transaction, which is rolled back at the end. The
diff it prints is therefore exactly what `--apply` would do. On SQLite the dry run holds the write
lock for its duration, like an applied run; an unchanged extraction writes nothing, so it is quick.

Memory stays flat whatever the size of the file: lines are read and compared by batches, and
what the run must remember from one batch to the next — which rows it has met, to skip a
professional's later lines and to find the rows gone — is one bit per row of the table (`Seen`),
not a Python object per line. Rows are not marked in the database: rewriting every unchanged row
(and, on PostgreSQL, every index entry of it) would cost more than the whole comparison.
"""

import gc
import hashlib
import itertools
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from maillage.core import audit
from maillage.directory.bulk import (
    MAX_PARAMETERS,
    active_pks,
    check_constraints_per_statement,
    chunks,
    insert_rows,
    lock_for_import,
    select_in,
    set_where_pk_in,
    update_rows,
)
from maillage.directory.models import ImportRun
from maillage.directory.sources import Issue, Progress, Report, SourceFile

BATCH_SIZE = 5000
SAMPLES = 5
TRACKING_FIELDS = ["source_hash", "last_run", "active", "updated_at"]


def fingerprint(values: Iterable[str]) -> str:
    """Digest of strings (the hot path: one C-level join). `None` is not accepted: pass ""."""
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class Record:
    """One row as the source describes it, kept light: a million of them go through an import.

    `values` holds the source fields as parsed (a tuple); the importer turns a record into the full
    row of model fields only for the rows it writes, and into a label only for the few it shows.
    """

    key: str
    values: tuple
    hash: str
    line: int
    extra: dict | None = None  # derived values: resolved commune, parent's pk…
    context: object = None  # what a label needs beyond the values (an activity's professional)


@dataclass(frozen=True)
class Existing:
    pk: int
    hash: str
    active: bool
    seen: bool  # already met earlier in this same run


@dataclass
class Tally:
    """Counts and a few examples of each kind of change, for one kind of row."""

    code: str  # key in ImportRun.counts: "professionals"
    noun: str  # plural, French, as the summary shows it: « professionnels »
    feminine: bool = False
    show_gone: bool = True
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    changed_fields: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=lambda: {"new": [], "changed": [], "gone": []})

    def sample(self, kind: str, text: str) -> None:
        if len(self.samples[kind]) < SAMPLES:
            self.samples[kind].append(text)

    def as_dict(self) -> dict:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "gone": self.gone}

    @property
    def touched(self) -> int:
        return self.new + self.changed + self.gone


def _display(value) -> str:
    if value is None or value == "":
        return "(vide)"
    return str(value)


class Syncer:
    """Diff and write of one model for one run, batch after batch, keyed on a natural key.

    `row(record)` gives the values of a record's `fields`, in their order; `describe(record)` and
    `describe_row(instance)` the label shown in the summary for a record and for a row gone.
    """

    def __init__(
        self, model, key_field: str, fields: list[str], run: ImportRun, tally: Tally, *, row, describe, describe_row
    ):
        self.model = model
        self.key_field = key_field
        self.fields = fields
        self.run = run
        self.tally = tally
        self.now = run.started_at
        self.row = row
        self.describe = describe
        self.describe_row = describe_row
        self._verbose = {name: model._meta.get_field(name).verbose_name for name in fields}
        # Created inside the run's transaction, before the first batch:
        lock_for_import(model)
        check_constraints_per_statement(model)
        self.seen = Seen(model.objects.aggregate(top=Max("pk"))["top"] or 0)

    def fetch(self, keys: Iterable[str]) -> dict[str, Existing]:
        seen = self.seen
        return {
            key: Existing(pk, digest, bool(active), pk in seen)
            for key, pk, digest, active in select_in(
                self.model, [self.key_field, "pk", "source_hash", "active"], self.key_field, list(keys)
            )
        }

    def write(self, records: list[Record], existing: dict[str, Existing]) -> dict[str, int]:
        """Classifies and writes `records` (none of them already seen in this run); returns their pks."""
        new, changed, unchanged = [], [], []
        for record in records:
            found = existing.get(record.key)
            if found is None:
                new.append(record)
            elif found.hash != record.hash or not found.active:
                changed.append((found, record))
            else:
                unchanged.append(found.pk)
        self._create(new)
        self._change(changed)
        self.tally.unchanged += len(unchanged)
        for pk in unchanged:
            self.seen.add(pk)
        pks = {key: found.pk for key, found in existing.items()}
        if new:
            pks.update(select_in(self.model, [self.key_field, "pk"], self.key_field, [r.key for r in new]))
        return pks

    def _create(self, records: list[Record]) -> None:
        if not records:
            return
        run, now, row = self.run.pk, self.now, self.row
        names = [*self.fields, *TRACKING_FIELDS, "created_at"]
        if self.key_field in self.fields:
            rows = [(*row(r), r.hash, run, True, now, now) for r in records]
        else:
            names.insert(0, self.key_field)
            rows = [(r.key, *row(r), r.hash, run, True, now, now) for r in records]
        insert_rows(self.model, names, rows)
        for record in records[: SAMPLES - len(self.tally.samples["new"])]:
            self.tally.sample("new", self.describe(record))
        self.tally.new += len(records)

    def _change(self, pairs: list[tuple[Existing, Record]]) -> None:
        if not pairs:
            return
        before = {}
        for chunk in chunks([found.pk for found, _ in pairs], MAX_PARAMETERS):
            before.update(
                (row["pk"], row) for row in self.model.objects.filter(pk__in=chunk).values("pk", *self.fields)
            )
        rows = []
        for found, record in pairs:
            self.seen.add(found.pk)
            values = self.row(record)
            old, new = before[found.pk], dict(zip(self.fields, values, strict=True))
            diffs = [name for name in self.fields if old[name] != new[name]]
            self.tally.changed_fields.update(self._verbose[name] for name in diffs)
            if not found.active:
                self.tally.changed_fields["réapparition dans l'extraction"] += 1
            if len(self.tally.samples["changed"]) < SAMPLES:
                shown = [f"{self._verbose[n]} « {_display(old[n])} » → « {_display(new[n])} »" for n in diffs[:3]]
                if not found.active:
                    shown.insert(0, "de retour dans l'extraction")
                summary = ", ".join(shown) or "empreinte recalculée"
                self.tally.sample("changed", f"{self.describe(record)} : {summary}")
            rows.append((found.pk, (*values, record.hash, self.run.pk, True, self.now)))
        update_rows(self.model, [*self.fields, *TRACKING_FIELDS], rows)
        self.tally.changed += len(pairs)

    def retire_unseen(self) -> None:
        """Rows of a full extraction that this run did not see are deactivated, never deleted."""
        gone = array("q", (pk for pk in active_pks(self.model) if pk not in self.seen))
        for row in self.model.objects.filter(pk__in=gone[:SAMPLES]).order_by("pk"):
            self.tally.sample("gone", self.describe_row(row))
        set_where_pk_in(self.model, {"active": False, "last_run": self.run.pk, "updated_at": self.now}, gone)
        self.tally.gone = len(gone)


class Seen:
    """The rows of a table met by this run: one bit per primary key, about 125 KB per million rows.

    Rows with a key above `floor` (the highest when the run started) were created by the run,
    hence met: within the run's transaction nobody else adds rows to these tables
    (`lock_for_import`).
    """

    def __init__(self, floor: int):
        self.floor = floor
        self.bits = bytearray(floor // 8 + 1)

    def add(self, pk: int) -> None:
        if pk <= self.floor:
            self.bits[pk >> 3] |= 1 << (pk & 7)

    def __contains__(self, pk: int) -> bool:
        return pk > self.floor or bool(self.bits[pk >> 3] & (1 << (pk & 7)))


@dataclass
class Outcome:
    run: ImportRun
    applied: bool
    lines: int
    tallies: list[Tally]
    report: Report
    source: SourceFile
    notes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(t.touched for t in self.tallies)


@contextmanager
def quiet_garbage_collector():
    """Millions of short-lived records make the cyclic garbage collector walk the whole heap
    (Django included) again and again: a third of the run time. Everything alive before the run
    is frozen out of its sight, and it runs less often; the records themselves hold no cycles and
    are freed by reference counting as soon as their batch is written."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def batched(items: Iterator, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class BaseImport:
    """One run of one national import. Subclasses parse lines into items and apply batches."""

    source_kind: str = ""
    audit_action: str = ""

    def __init__(self, path, *, apply: bool = False, report_path: str | None = None, progress: Progress | None = None):
        self.path = Path(path)
        self.apply = apply
        self.source = SourceFile(self.path)  # raises SourceError before anything is written
        self.prepare()
        self.report = Report.next_to(self.path, report_path)
        self.progress = progress or Progress()
        self.progress.total_bytes = self.source.size
        self.notes: list[str] = []
        self.lines = 0
        self.run: ImportRun | None = None

    # Subclasses: read the header/first lines (raise SourceError), yield items, apply a batch.
    def prepare(self) -> None:
        raise NotImplementedError

    def items(self, run: ImportRun) -> Iterator:
        raise NotImplementedError

    def apply_batch(self, batch: list) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def tallies(self) -> list[Tally]:
        raise NotImplementedError

    def reject(self, issue: Issue) -> None:
        self.report.add(issue)

    def execute(self) -> Outcome:
        ImportRun.objects.filter(source=self.source_kind, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED,
            message="Interrompu avant la fin (processus arrêté) : rien n'a été enregistré.",
            finished_at=timezone.now(),
        )
        self.run = run = ImportRun.objects.create(
            source=self.source_kind, file_name=self.path.name[:255], file_size=self.source.size
        )
        try:
            with quiet_garbage_collector(), transaction.atomic():
                self.setup(run)
                for batch in batched(self.items(run), BATCH_SIZE):
                    self.apply_batch(batch)
                    self.progress.update(self.lines, self.source.bytes_read)
                self.finish()
                self.progress.update(self.lines, self.source.bytes_read, final=True)
                run.counts = self.counts()
                if self.apply:
                    audit.record(self.audit_action, obj=run, details=self.audit_details())
                else:
                    transaction.set_rollback(True)
        except BaseException as exc:
            self.report.close()
            run.status = ImportRun.Status.FAILED
            run.message = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            # The database may be what failed: then the next run marks this one as interrupted.
            with suppress(DatabaseError):
                run.save(update_fields=["status", "message", "finished_at"])
            raise
        self.report.close()
        run.status = ImportRun.Status.COMPLETED
        run.applied = self.apply
        run.finished_at = timezone.now()
        run.file_sha256 = self.source.sha256
        run.report_path = str(self.report.path) if self.report.written else ""
        run.save()
        return Outcome(run, self.apply, self.lines, self.tallies(), self.report, self.source, self.notes)

    def setup(self, run: ImportRun) -> None:
        """Called inside the transaction, before the first batch."""

    def counts(self) -> dict:
        counts = {"lines": self.lines, "rejected": self.report.rejected_total, "warnings": self.report.warnings_total}
        for tally in self.tallies():
            counts[tally.code] = tally.as_dict()
        return counts

    def audit_details(self) -> dict:
        return {"fichier": self.path.name, "sha256": self.source.sha256, **self.counts()}
