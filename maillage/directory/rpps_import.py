"""Import of the RPPS extraction into Professional and Activity (see importer.py for the run)."""

from maillage.directory.importer import BaseImport, Syncer
from maillage.directory.models import Activity, ImportRun, Professional
from maillage.directory.models.professionals import search_name
from maillage.directory.records import Existing, Record, Tally
from maillage.directory.rpps import PROFESSIONAL_FIELDS, SOURCE_ACTIVITY_FIELDS, Header, LineParser, ParsedLine
from maillage.directory.sources import Issue, SourceError, excerpt
from maillage.territory.models import Commune

LAST_NAME, FIRST_NAME = PROFESSIONAL_FIELDS.index("last_name"), PROFESSIONAL_FIELDS.index("first_name")


def professional_row(record: Record) -> tuple:
    values = record.values
    return (*values, search_name(values[LAST_NAME], values[FIRST_NAME]))


def activity_row(record: Record) -> tuple:
    return (*record.values, record.extra["commune"], record.extra["professional"])


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
            [*PROFESSIONAL_FIELDS, "search_name"],
            run,
            self.professionals,
            row=professional_row,
            describe=describe_professional,
            describe_row=professional_label,
        )
        self.act_sync = Syncer(
            Activity,
            "key",
            [*SOURCE_ACTIVITY_FIELDS, "commune", "professional"],
            run,
            self.activities,
            row=activity_row,
            describe=describe_activity,
            describe_row=activity_label,
            filter_keys=False,  # on a first load, `_may_exist` tells from the professionals
        )

    def tallies(self) -> list[Tally]:
        return [self.professionals, self.activities]

    def items(self, run: ImportRun):
        parse = self.parser.parse
        for line in self._lines:
            self.lines += 1
            yield parse(line)

    def apply_batch(self, batch: list) -> None:
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
        self.pro_sync.close(rebuild=self.apply)
        self.act_sync.close(rebuild=self.apply)
