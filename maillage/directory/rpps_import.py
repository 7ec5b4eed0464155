"""Import of the RPPS extraction into Professional and Activity (see importer.py for the run).

Re-import: most lines of an extraction are those of the last one, to the byte. Each line gets a
fingerprint of its text (`line_fingerprint`: 64 bits, salted with everything else that decides
how a line is read — the header, the communes of the reference, the parser's version), stored
with the activity row it gave, and with the professional whose identity it gave (their first
line). A re-import looks the fingerprints of a batch up in one query; a line found there is
unchanged and is not even parsed — provided its row is active, not met yet in this run, and
needs no warning; that no line of the batch before it has the same activity; and, when it is the
first line of its professional in the run, that this professional's identity came from this very
line. Every other line (changed, new, repeated, rejected, warned about…) is parsed and compared
field by field, exactly as on a first load: so a duplicate is still reported, with the line it
repeats when that one is in the batch or the one before. When the fingerprints do not match (a new
reference of communes, another header), a re-import compares every line by its values, finds the
same rows unchanged and refreshes their fingerprints, without counting a change.
"""

import hashlib
from functools import lru_cache

from django.db import connections, router
from django.db.models import Min

from maillage.core.text import normalize
from maillage.directory import listing
from maillage.directory.bulk import select_int_in, select_rows, set_where_in
from maillage.directory.importer import BaseImport, Syncer
from maillage.directory.models import Activity, ImportRun, Professional
from maillage.directory.records import Existing, Record, Tally
from maillage.directory.rpps import PROFESSIONAL_FIELDS, SOURCE_ACTIVITY_FIELDS, Header, LineParser, ParsedLine
from maillage.directory.sources import Issue, Line, SourceError, excerpt
from maillage.territory.models import Commune

LAST_NAME, FIRST_NAME = PROFESSIONAL_FIELDS.index("last_name"), PROFESSIONAL_FIELDS.index("first_name")
# Part of every line's fingerprint: change it when the parser reads the same line differently.
LINE_FORMAT = "rpps-lines-1"


def line_salt(header: Header, communes: frozenset[str]) -> int:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{LINE_FORMAT}\n{header.text}\n".encode())
    digest.update(",".join(sorted(communes)).encode())
    return int.from_bytes(digest.digest(), "big", signed=True)


def line_fingerprint(salt: int):
    """The function giving the fingerprint of a line's text, a signed 64-bit integer (a column
    PostgreSQL and SQLite index natively). Fingerprints read under another salt match by chance
    only, one time in 2**64."""
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes

    def fingerprint(text: str) -> int:
        return from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big", signed=True) ^ salt

    return fingerprint


@lru_cache(maxsize=1 << 16)
def _normalized(name: str) -> str:
    return normalize(name)


def search_name(last_name: str, first_name: str) -> str:
    """`models.professionals.search_name` (and, the other way round, `search_given`), from names
    normalized once each (names repeat, pairs less): normalizing « nom prénom » is normalizing each
    and joining them with a space."""
    last, first = _normalized(last_name), _normalized(first_name)
    return f"{last} {first}" if last and first else last or first


def professional_row(record: Record) -> tuple:
    values = record.values
    last, first = values[LAST_NAME], values[FIRST_NAME]
    return (*values, search_name(last, first), search_name(first, last), record.line_hash)


def activity_row(record: Record) -> tuple:
    return (*record.values, record.extra["commune"], record.extra["professional"], record.line_hash)


def _professional_label(national_id, last_name, first_name, profession) -> str:
    label = " ".join(part for part in (national_id, last_name, first_name) if part)
    return f"{label} ({profession})" if profession else label


def describe_professional(record: Record) -> str:
    row = dict(zip(PROFESSIONAL_FIELDS, record.values, strict=True))
    return _professional_label(row["national_id"], row["last_name"], row["first_name"], row["profession_label"])


def describe_activity(record: Record) -> str:
    row = dict(zip(SOURCE_ACTIVITY_FIELDS, record.values, strict=True))
    owner = dict(zip(PROFESSIONAL_FIELDS, record.context.values, strict=True))
    site = row["trade_name"] or row["company_name"] or row["mode_label"] or "activité sans structure"
    return f"{owner['national_id']} {owner['last_name']} — {site}"


def _match_sql() -> str:
    """What a re-import needs of the rows of a batch's fingerprints: the activity (pk, key, whether
    an unchanged line may skip its parse) and its professional (pk, national id, the fingerprint
    of the line its identity came from, active)."""
    quote = connections[router.db_for_read(Activity)].ops.quote_name
    a, p = quote(Activity._meta.db_table), quote(Professional._meta.db_table)
    return (
        f"SELECT a.{quote('line_hash')}, a.{quote('id')}, a.{quote('key')}, "  # noqa: S608 (names from the models)
        f"(a.{quote('active')} AND NOT (a.{quote('commune_id')} IS NULL AND a.{quote('commune_code')} <> '')), "
        f"p.{quote('id')}, p.{quote('national_id')}, p.{quote('line_hash')}, p.{quote('active')} "
        f"FROM {a} a JOIN {p} p ON p.{quote('id')} = a.{quote('professional_id')} "
        f"WHERE a.{quote('line_hash')} {{in}}"
    )


def professional_label(p: Professional) -> str:
    return _professional_label(p.national_id, p.last_name, p.first_name, p.profession_label)


def activity_label(a: Activity) -> str:
    site = a.trade_name or a.company_name or a.mode_label or "activité sans structure"
    return f"{a.professional.national_id} {a.professional.last_name} — {site}"


class RppsImport(BaseImport):
    source_kind = ImportRun.Source.RPPS
    audit_action = "directory.rpps.imported"
    parse_ahead = True  # LineParser only reads its header and the communes, both set before the run

    def prepare(self) -> None:
        self._lines = self.source.lines()
        first = next(self._lines, None)
        if first is None:
            raise SourceError(f"Le fichier {self.path.name} est vide : aucune ligne à importer.")
        self.header = Header(first)
        self.professionals = Tally("professionals", "professionnels")
        self.activities = Tally("activities", "activités", feminine=True)
        self._tail: dict[str, ParsedLine] = {}
        self._matched_before: dict[str, tuple[Line, int]] = {}  # activity key → line, of the last batch
        self._whole_tail: str | None = None  # the professional whose activity rows are all in the tail

    def setup(self, run: ImportRun) -> None:
        communes = frozenset(Commune.objects.values_list("code", flat=True))
        if not communes:
            self.notes.append(
                "Le référentiel des communes est vide : lancez « manage.py install_reference ». "
                "Les codes commune sont conservés tels quels."
            )
        if self.header.ignored:
            self.notes.append(f"Colonnes ignorées : {', '.join(self.header.ignored)}.")
        self.parser = LineParser(self.header, communes)
        self.pro_sync = Syncer(
            Professional,
            "national_id",
            [*PROFESSIONAL_FIELDS, "search_name", "search_given", "line_hash"],
            run,
            self.professionals,
            row=professional_row,
            describe=describe_professional,
            describe_row=professional_label,
        )
        self.act_sync = Syncer(
            Activity,
            "key",
            [*SOURCE_ACTIVITY_FIELDS, "commune", "professional", "line_hash"],
            run,
            self.activities,
            row=activity_row,
            describe=describe_activity,
            describe_row=activity_label,
            filter_keys=False,  # on a first load, `_may_exist` tells from the professionals
        )
        self.salt = line_salt(self.header, communes)
        # A first load parses every line ahead (in the reading thread); a re-import matches them first.
        self.match_lines = not self.act_sync.fresh
        self._match_sql = _match_sql()
        # The activity pk after which the next batch's rows are looked for first (see `_rows_of`).
        self._window = (Activity.objects.aggregate(low=Min("pk"))["low"] or 1) - 1

    def tallies(self) -> list[Tally]:
        return [self.professionals, self.activities]

    def items(self, run: ImportRun):
        fingerprint = line_fingerprint(self.salt)
        if self.match_lines:
            for line in self._lines:
                self.lines += 1
                yield line, fingerprint(line.text)
            return
        parse = self.parser.parse
        for line in self._lines:
            self.lines += 1
            yield parse(line, fingerprint(line.text))

    def apply_batch(self, batch: list) -> None:
        if self.match_lines:
            self._match(batch)
        else:
            self._apply_parsed(batch)

    def _match(self, batch: list[tuple[Line, int]]) -> None:
        """A re-import's batch of (line, fingerprint): the lines found unchanged by their
        fingerprint are counted and marked met; the others are parsed and applied as on a first load."""
        found = self._rows_of(batch)
        activity_seen, professional_seen = self.act_sync.seen, self.pro_sync.seen
        parse, parse_alone = self.parser.parse, self.parser.parse_alone
        # Lines that cannot be unchanged are parsed, in the file's order; the others are candidates.
        items = []
        for line, h in batch:
            row = found.get(h)
            if row is not None and row[3] and row[1] not in activity_seen:
                items.append((line, h, row))
            else:
                items.append(parse(line, h))
        # Then in the file's order: who has an activity key, which professional met its first line.
        claimed: dict[str, ParsedLine | tuple[Line, int]] = {}
        firsts: set[str] = set()  # national ids whose first line in the run is behind
        matched: dict[int, int] = {}  # fingerprint → line number, of this batch's matched lines
        parsed, activities, professionals = [], [], []
        for item in items:
            if type(item) is tuple:
                line, h, (_, pk, key, _usable, professional, national_id, identity, active) = item
                if h in matched:  # the very text of a line matched above
                    where = f"la ligne {matched[h]}"
                    detail = f"ligne en double : identique à {where}"
                    self.reject(Issue(line.number, "ligne en double", detail, excerpt(line.text)))
                    continue
                first = national_id not in firsts and professional not in professional_seen
                if key not in claimed and not (first and (identity != h or not active)):
                    claimed[key] = (line, h)
                    firsts.add(national_id)
                    matched[h] = line.number
                    activities.append(pk)
                    if first:
                        professionals.append(professional)
                    continue
                item = parse_alone(line, h)  # compared field by field, in its place
            if isinstance(item, ParsedLine):
                firsts.add(item.professional.key)
                if item.activity is not None:
                    earlier = claimed.get(item.activity.key) or self._matched_before.get(item.activity.key)
                    if type(earlier) is tuple:  # the same activity as a line matched unparsed: parsed now
                        first_item = parse_alone(*earlier)
                        same_identity = item.professional.hash == first_item.professional.hash
                        self._duplicate(item, first_item.activity.hash, same_identity, first_item.line)
                        continue
                    claimed.setdefault(item.activity.key, item)
            parsed.append(item)
        for pk in activities:
            activity_seen.add(pk)
        for pk in professionals:
            professional_seen.add(pk)
        self.activities.unchanged += len(activities)
        self.professionals.unchanged += len(professionals)
        self._matched_before = {key: value for key, value in claimed.items() if type(value) is tuple}
        if activities:
            self._window = max(activities)
        self._apply_parsed(parsed)

    def _rows_of(self, batch: list[tuple[Line, int]]) -> dict[int, tuple]:
        """The rows of the batch's fingerprints (see `_match_sql`), by fingerprint. A re-import reads
        its file in the order of the last one, whose rows were created in that order: the batch's
        rows are first read as a range of keys after those of the last batch — neighbouring pages,
        instead of one index probe per line at a random place. The fingerprints not found there
        (new, changed lines, another order) are then looked up one by one through their index."""
        size = len(batch)
        window = self._match_sql.replace("{in}", "IS NOT NULL AND a.id > %s AND a.id <= %s")
        rows = select_rows(Activity, window, [self._window, self._window + size + size // 8 + 16])
        found = {row[0]: row for row in rows}
        missing = [h for _, h in batch if h not in found]
        if missing:
            found.update((row[0], row) for row in select_int_in(Activity, self._match_sql, missing))
        return found

    def _apply_parsed(self, batch: list) -> None:
        parsed: list[ParsedLine] = []
        for item in batch:
            if isinstance(item, Issue):
                self.reject(item)
            else:
                parsed.append(item)
        identity, pks, earlier = self._professionals(parsed)
        self._activities(parsed, identity, pks, earlier)

    def _professionals(self, parsed: list[ParsedLine]) -> tuple[dict[str, str], dict[str, int], set[str]]:
        """Writes each professional met for the first time in this run; identity = its first line.
        Also returns the professionals met in an earlier batch."""
        first: dict[str, Record] = {}
        for item in parsed:
            first.setdefault(item.professional.key, item.professional)
        existing = self.pro_sync.fetch(first)
        earlier = {key for key, found in existing.items() if found.seen}
        fresh = [record for key, record in first.items() if key not in earlier]
        pks = self.pro_sync.write(fresh, existing)
        identity = {key: existing[key].hash if key in earlier else record.hash for key, record in first.items()}
        return identity, pks, earlier

    def _may_exist(self, kept: dict[str, ParsedLine], earlier: set[str]) -> list[str]:
        """The activity keys to look up. On a first load only this run's rows exist, and an activity
        row only for a professional met in an earlier batch: none for the others, nor for the one
        whose lines went on from the previous batch if it was new there — its rows are in the tail,
        already compared. So a sorted extraction is loaded without a single lookup."""
        if not self.act_sync.fresh:
            return list(kept)
        return [
            key
            for key, item in kept.items()
            if item.professional.key in earlier and item.professional.key != self._whole_tail
        ]

    def _activities(
        self, parsed: list[ParsedLine], identity: dict[str, str], pks: dict[str, int], earlier: set[str]
    ) -> None:
        kept: dict[str, ParsedLine] = {}
        for item in parsed:
            if item.activity is None:
                continue
            key = item.activity.key
            previous = kept.get(key) or self._tail.get(key)
            if previous is None:
                kept[key] = item
                continue
            same_identity = item.professional.hash == previous.professional.hash
            self._duplicate(item, previous.activity.hash, same_identity, previous.line)
        existing = self.act_sync.fetch(self._may_exist(kept, earlier))
        self._keep_tail(parsed, kept, earlier)
        records = []
        for key, item in kept.items():
            found: Existing | None = existing.get(key)
            if found is not None and found.seen:
                same_identity = item.professional.hash == identity[item.professional.key]
                self._duplicate(item, found.hash, same_identity, None)
                continue
            for warning in item.warnings or ():
                self.report.add(warning)
            item.activity.extra["professional"] = pks[item.professional.key]
            records.append(item.activity)
        self.act_sync.write(records, existing, pks=False)

    def _keep_tail(self, parsed: list[ParsedLine], kept: dict[str, ParsedLine], earlier: set[str]) -> None:
        """The activities of the batch's last professional, whose lines may go on in the next batch:
        the extraction is sorted by professional, so duplicates across a batch boundary are then
        compared line to line like those within a batch. When that professional is new in this
        batch (or already was the whole tail's), the tail holds every activity it has in the run."""
        last = parsed[-1].professional.key if parsed else None
        tail = {key: item for key, item in self._tail.items() if item.professional.key == last}
        tail.update((key, item) for key, item in kept.items() if item.professional.key == last)
        self._tail = tail
        whole = last is not None and (last not in earlier or last == self._whole_tail)
        self._whole_tail = last if whole else None

    def _duplicate(self, item: ParsedLine, first_hash: str, same_identity: bool, first_line: int | None) -> None:
        """A second line for an activity already read in this file.

        Identical to the first: rejected as a duplicate line. Same activity, other values: rejected,
        the first line is kept (we cannot tell which one is right). Same activity and values but
        another identity column (the extraction repeats a line per savoir-faire): nothing to add.
        When the first line is far away in an unsorted file, only the database remembers it, with
        the identity of the professional's first line: the comparison is then made with that one.
        """
        text = excerpt(item.text)
        if item.activity.hash == first_hash:
            if same_identity:
                where = f"la ligne {first_line}" if first_line else "une ligne précédente"
                self.reject(Issue(item.line, "ligne en double", f"ligne en double : identique à {where}", text))
            return
        where = f"que la ligne {first_line}" if first_line else "qu'une ligne précédente"
        detail = (
            f"activité en double : même professionnel, même structure et même mode d'exercice {where}, "
            "avec d'autres valeurs (la première ligne est conservée)"
        )
        self.reject(Issue(item.line, "activité en double", detail, text))

    def finish(self) -> None:
        self.pro_sync.retire_unseen()
        self.act_sync.retire_unseen()
        self._touch_roles()
        self.pro_sync.close(rebuild=self.apply)
        self.act_sync.close(rebuild=self.apply)
        if self.apply:  # a dry run is rolled back: its listing would be too
            listing.after_import(self.run.pk)

    def _touch_roles(self) -> None:
        """A PractitionerRole shows its practitioner's name, profession and savoir-faire
        (`fhir.resources.practitioner_role`): when a professional changes, the resources of their
        activities change too, and a client synchronising PractitionerRole by `_lastUpdated` must
        get them again. Their `updated_at` moves to the run's time; their data, hash and `last_run`
        stay (the activity rows themselves did not change)."""
        changed = self.pro_sync.changed_pks
        if changed:
            set_where_in(Activity, {"updated_at": self.run.started_at}, "professional", changed)
