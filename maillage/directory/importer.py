"""What the RPPS and FINESS imports share: batches, diff by fingerprint, bulk writes, one run.

Consistency: the whole import — dry run or applied — is ONE transaction. An interrupted run
(error, Ctrl-C, `kill -9`, power cut) leaves the previous state untouched; the next run redoes
everything, which costs a few minutes but never leaves half of an extraction applied. The run's
`ImportRun` row is written outside that transaction, so a run killed on the spot stays « en cours »
until the next run of the same source marks it as interrupted.

Users go on reading meanwhile (PostgreSQL): a reader never waits for a transaction, only for a
lock, and the run takes none that stops one — each table it writes is locked against other
writers only (`bulk.lock_for_import`), its rows are written with their indexes and foreign keys in
place (no DROP, no ALTER: `bulk.suspend_indexes`), so readers see the previous state until the
commit, then the new one. Measured by bench/import_lock_wait.py, checked by
tests/directory/test_import_lock_wait.py. The WAL is shipped to replicas as it is written, so
they follow the run and apply its commit like any other. Nothing depends on the session beyond
the transaction (`SET LOCAL`/`SET CONSTRAINTS` only, no advisory lock, no server-side cursor, no
prepared statement): the run works through PgBouncer in transaction mode.

Dry run: the same code runs inside the same transaction, which is rolled back at the end. The
diff it prints is therefore exactly what `--apply` would do. On SQLite the dry run holds the write
lock for its duration, like an applied run; an unchanged extraction writes nothing, so it is quick.

Memory stays flat whatever the size of the file: lines are read and compared by batches, and
what the run must remember from one batch to the next — which rows it has met, to skip a
professional's later lines and to find the rows gone — is one bit per row of the table (`Seen`),
not a Python object per line. Rows are not marked in the database: rewriting every unchanged row
(and, on PostgreSQL, every index entry of it) would cost more than the whole comparison.

Speed (a national file is 2 million lines): a table found empty when the run starts, under its
lock, is a first load — nothing to look up but the keys this run created (`Syncer`); on SQLite,
secondary indexes built once at the end (`bulk.suspend_indexes`). Within the run, the next batch is parsed
in a thread (`streaming.read_ahead`) and, on PostgreSQL, each COPY runs in another while Python
goes on (`background.py`); the database work itself stays in the run's connection and order.
"""

from array import array
from collections.abc import Iterable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from maillage.core import audit
from maillage.directory import safeguard
from maillage.directory.background import background_copies
from maillage.directory.bulk import (
    MAX_PARAMETERS,
    PkAllocator,
    active_pks,
    active_pks_in_ranges,
    analyze,
    check_constraints_per_statement,
    chunks,
    insert_rows,
    lock_for_import,
    rebuild_indexes,
    select_in,
    set_where_pk_in,
    suspend_indexes,
    update_rows,
)
from maillage.directory.models import ImportRun
from maillage.directory.records import SAMPLES, Existing, Record, Tally
from maillage.directory.sources import Issue, Progress, Report, SourceFile
from maillage.directory.streaming import batched, quiet_garbage_collector, read_ahead
from maillage.directory.tracking import KeyFilter, Seen

BATCH_SIZE = 5000
MAX_UNSEEN_RANGES = 50_000
TRACKING_FIELDS = ["source_hash", "last_run", "active", "updated_at"]


def _display(value) -> str:
    if value is None or value == "":
        return "(vide)"
    return str(value)


class Syncer:
    """Diff and write of one model for one run, batch after batch, keyed on a natural key.

    `row(record)` gives the values of a record's `fields`, in their order; `describe(record)` and
    `describe_row(instance)` the label shown in the summary for a record and for a row gone.

    First load (`fresh`: the table was empty when the run started, as read under its lock): only
    rows this run created can exist, so a key need not be looked up unless it may have been
    created earlier in the run. `filter_keys` keeps a filter of the created keys for that; without
    it, the caller only fetches the keys that may exist (the RPPS import knows them from the
    professionals). The secondary indexes are built once, at the end (`close`).

    `line_hash` among `fields`: the model keeps the fingerprint of the line each row was read from
    (a cache, see `rpps_import`). It is written with the row, never compared nor shown as a change;
    for a row whose values are unchanged but read from another line, it is refreshed alone.

    `updated_at` is the run's start, written only with a change of the row's data (new, changed,
    back in the extraction, gone): it is the resource's `meta.lastUpdated`, by which the clients
    of the FHIR directory synchronise (`_lastUpdated`). A re-import of an unchanged row leaves it
    as it was. The pks of the rows changed (`changed_pks`) and, with `remember_created`, the keys
    of the rows created let the import bring along the rows whose resources show them.
    """

    def __init__(
        self,
        model,
        key_field: str,
        fields: list[str],
        run: ImportRun,
        tally: Tally,
        *,
        row,
        describe,
        describe_row,
        filter_keys: bool = True,
        remember_created: bool = False,
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
        self.changed_pks = array("q")
        self.created_keys: list[str] | None = [] if remember_created else None
        self._verbose = {name: model._meta.get_field(name).verbose_name for name in fields}
        self.line_hashes = "line_hash" in fields
        self.compared = [name for name in fields if name != "line_hash"]
        # Search columns derived from the data (`search_name`, `search_city`: not editable) change
        # with the field they come from, which the summary names: they are compared, never shown.
        self._shown = {name for name in self.compared if model._meta.get_field(name).editable}
        # Created inside the run's transaction, before the first batch:
        lock_for_import(model)
        check_constraints_per_statement(model)
        top = model.objects.aggregate(top=Max("pk"))["top"]
        self.seen = Seen(top or 0)
        self.pks = PkAllocator(model, top)
        self.fresh = top is None
        tally.before = 0 if self.fresh else model.objects.filter(active=True).count()
        self.created = KeyFilter() if self.fresh and filter_keys else None
        # First load: the rows met by the last batch, and those it created (key → pk, hash).
        self.recent: dict[str, Existing] = {}
        self.recent_new: dict[str, tuple[int, str]] = {}
        self.suspended = suspend_indexes(model) if self.fresh else []  # SQLite only: see there

    def fetch(self, keys: Iterable[str]) -> dict[str, Existing]:
        found = {}
        keys = list(keys)
        if self.fresh:
            # Those of the previous batch (a professional whose lines go on) are remembered; the
            # database is asked only for older ones (an unsorted file) and, with a filter, for its
            # rare false positives. Each lookup waits for the COPY running in the background.
            recent, new = self.recent, self.recent_new
            found = {key: recent[key] for key in keys if key in recent}
            found.update((key, Existing(*new[key], True, True)) for key in keys if key in new)
            keys = [key for key in keys if key not in found]
            if self.created is not None:
                keys = self.created.maybe(keys)
        names = [self.key_field, "pk", "source_hash", "active"] + (["line_hash"] if self.line_hashes else [])
        rows = select_in(self.model, names, self.key_field, keys)
        # One Existing per line of a re-import: `Seen` and the tuple's constructor inlined.
        floor, bits, make = self.seen.floor, self.seen.bits, tuple.__new__
        for key, pk, digest, active, *line_hash in rows:
            met = pk > floor or bool(bits[pk >> 3] & (1 << (pk & 7)))
            found[key] = make(Existing, (pk, digest, bool(active), met, line_hash[0] if line_hash else None))
        return found

    def write(self, records: list[Record], existing: dict[str, Existing], *, pks: bool = True) -> dict[str, int]:
        """Classifies and writes `records` (none of them already seen in this run); returns the pks
        of the records and of `existing` when `pks` is true."""
        new, changed, unchanged, moved = [], [], [], []
        for record in records:
            found = existing.get(record.key)
            if found is None:
                new.append(record)
            elif found.hash != record.hash or not found.active:
                changed.append((found, record))
            else:
                unchanged.append(found.pk)
                if self.line_hashes and found.line_hash != record.line_hash:
                    moved.append((found.pk, (record.line_hash,)))
        if self.fresh:
            self.recent = {key: found for key, found in existing.items() if found.seen}
            self.recent_new = {}
        created = self._create(new)
        self._change(changed)
        self.tally.unchanged += len(unchanged)
        for pk in unchanged:
            self.seen.add(pk)
        # The same values read from another line: only the cache moves (no change, no `last_run`).
        update_rows(self.model, ["line_hash"], moved)
        if not pks:
            return {}
        result = {key: found.pk for key, found in existing.items()}
        result.update(zip([r.key for r in new], created, strict=True))
        return result

    def _create(self, records: list[Record]) -> list[int]:
        if not records:
            return []
        run, now, row = self.run.pk, self.now, self.row
        pks = self.pks.take(len(records))
        names = [self.model._meta.pk.name, *self.fields, *TRACKING_FIELDS, "created_at"]
        if self.key_field in self.fields:
            rows = [(pk, *row(r), r.hash, run, True, now, now) for pk, r in zip(pks, records, strict=True)]
        else:
            names.insert(1, self.key_field)
            rows = [(pk, r.key, *row(r), r.hash, run, True, now, now) for pk, r in zip(pks, records, strict=True)]
        insert_rows(self.model, names, rows)
        if self.created_keys is not None:
            self.created_keys.extend(r.key for r in records)
        if min(pks) <= self.seen.floor:  # a sequence behind the table's keys: mark them met by hand
            for pk in pks:
                self.seen.add(pk)
        if self.fresh:
            if self.created is not None:
                self.created.add_all(r.key for r in records)
            keys, hashes = [r.key for r in records], [r.hash for r in records]
            self.recent_new = dict(zip(keys, zip(pks, hashes, strict=True), strict=True))
        for record in records[: SAMPLES - len(self.tally.samples["new"])]:
            self.tally.sample("new", self.describe(record))
        self.tally.new += len(records)
        return pks

    def _change(self, pairs: list[tuple[Existing, Record]]) -> None:
        if not pairs:
            return
        before = {}
        for chunk in chunks([found.pk for found, _ in pairs], MAX_PARAMETERS):
            before.update(
                (row["pk"], row) for row in self.model.objects.filter(pk__in=chunk).values("pk", *self.compared)
            )
        rows = []
        for found, record in pairs:
            self.seen.add(found.pk)
            self.changed_pks.append(found.pk)
            values = self.row(record)
            old, new = before[found.pk], dict(zip(self.fields, values, strict=True))
            diffs = [name for name in self.compared if old[name] != new[name]]
            shown_diffs = [name for name in diffs if name in self._shown]
            self.tally.changed_fields.update(self._verbose[name] for name in shown_diffs)
            if not found.active:
                self.tally.changed_fields["réapparition dans l'extraction"] += 1
            if len(self.tally.samples["changed"]) < SAMPLES:
                shown = [f"{self._verbose[n]} « {_display(old[n])} » → « {_display(new[n])} »" for n in shown_diffs[:3]]
                if not found.active:
                    shown.insert(0, "de retour dans l'extraction")
                summary = ", ".join(shown) or "empreinte recalculée"
                self.tally.sample("changed", f"{self.describe(record)} : {summary}")
            rows.append((found.pk, (*values, record.hash, self.run.pk, True, self.now)))
        update_rows(self.model, [*self.fields, *TRACKING_FIELDS], rows)
        self.tally.changed += len(pairs)

    def retire_unseen(self) -> None:
        """Rows of a full extraction that this run did not see are deactivated, never deleted."""
        if self.fresh:
            return  # the table was empty: every row in it now was created, hence seen, by this run
        # The keys not met form few ranges when the rows were met in about their order: the
        # database is asked for the active rows in them. Otherwise every active key is checked.
        ranges = self.seen.unseen_ranges(MAX_UNSEEN_RANGES)
        if ranges is not None:
            gone = array("q", active_pks_in_ranges(self.model, ranges))
        else:
            gone = array("q", (pk for pk in active_pks(self.model) if pk not in self.seen))
        for row in self.model.objects.filter(pk__in=gone[:SAMPLES]).order_by("pk"):
            self.tally.sample("gone", self.describe_row(row))
        set_where_pk_in(self.model, {"active": False, "last_run": self.run.pk, "updated_at": self.now}, gone)
        self.tally.gone = len(gone)

    def close(self, *, rebuild: bool = True) -> None:
        """After the last batch: the indexes dropped for a first load (SQLite) are built again —
        unless the run is to be rolled back (a dry run), which brings them back by itself — and
        the statistics of a table loaded from empty are taken (PostgreSQL)."""
        if rebuild:
            rebuild_indexes(self.model, self.suspended)
            if self.fresh:
                analyze(self.model)
        self.suspended = []


@dataclass
class Outcome:
    run: ImportRun
    applied: bool
    lines: int
    tallies: list[Tally]
    report: Report
    source: SourceFile
    notes: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # why the file may wipe rows (`safeguard`)

    @property
    def changed_anything(self) -> bool:
        return any(t.touched for t in self.tallies)


class BaseImport:
    """One run of one national import. Subclasses parse lines into items and apply batches."""

    source_kind: str = ""
    audit_action: str = ""
    # Parse the next batch in a thread while the database works (`streaming.read_ahead`): only
    # for parsers that touch no shared state but their own.
    parse_ahead: bool = False

    def __init__(
        self,
        path,
        *,
        apply: bool = False,
        report_path: str | None = None,
        progress: Progress | None = None,
        allow_mass_removal: bool = False,
    ):
        self.path = Path(path)
        self.apply = apply
        self.allow_mass_removal = allow_mass_removal
        self.alerts: list[str] = []
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
                with self.batches(run) as batches, background_copies():
                    for batch in batches:
                        self.apply_batch(batch)
                        self.progress.update(self.lines, self.source.bytes_read)
                self.finish()
                self.progress.update(self.lines, self.source.bytes_read, final=True)
                self.alerts = safeguard.alerts(self)
                if self.alerts and self.apply and not self.allow_mass_removal:
                    raise safeguard.MassRemovalRefused(self.alerts)
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
        return Outcome(run, self.apply, self.lines, self.tallies(), self.report, self.source, self.notes, self.alerts)

    def setup(self, run: ImportRun) -> None:
        """Called inside the transaction, before the first batch."""

    def batches(self, run: ImportRun):
        """A context manager giving the batches of items (read ahead by a thread if `parse_ahead`)."""
        batches = batched(self.items(run), BATCH_SIZE)
        return read_ahead(batches) if self.parse_ahead else nullcontext(batches)

    def counts(self) -> dict:
        counts = {"lines": self.lines, "rejected": self.report.rejected_total, "warnings": self.report.warnings_total}
        for tally in self.tallies():
            counts[tally.code] = tally.as_dict()
        return counts

    def audit_details(self) -> dict:
        details = {"fichier": self.path.name, "sha256": self.source.sha256, **self.counts()}
        if self.alerts:  # applied with --allow-mass-removal: who chose to, and why it was asked
            details["alertes"] = self.alerts
        return details
