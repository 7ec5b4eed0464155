"""Import of the FINESS extraction into Structure (see importer.py for the run)."""

import itertools

from maillage.core.french import agree, plural
from maillage.directory.bulk import MAX_PARAMETERS, chunks, set_where_in, update_rows
from maillage.directory.finess import FIELDS, Geo, Layout, LineParser
from maillage.directory.importer import BaseImport, Syncer
from maillage.directory.models import Activity, ImportRun, Structure
from maillage.directory.models.structures import search_city
from maillage.directory.records import Record, Tally
from maillage.directory.sources import Issue, SourceError, excerpt
from maillage.territory.models import Commune

GEO_FIELDS = ["latitude", "longitude", "coordinates_source", "coordinates_epsg", "geocoded_on", "updated_at"]


POSTAL_LINE = FIELDS.index("postal_line")


def structure_row(record: Record) -> tuple:
    """The record's values and the search column derived from them (not part of the line's
    fingerprint: it changes only with the postal line)."""
    return (*record.values, search_city(record.values[POSTAL_LINE]))


def describe_structure(record: Record) -> str:
    row = dict(zip(FIELDS, record.values, strict=True))
    return f"{record.key} {row['long_name'] or row['short_name']}"


def structure_label(s: Structure) -> str:
    return f"{s.finess_et} {s.name}"


class FinessImport(BaseImport):
    source_kind = ImportRun.Source.FINESS
    audit_action = "directory.finess.imported"

    def prepare(self) -> None:
        self._lines = self.source.lines()
        first = next(self._lines, None)
        if first is None:
            raise SourceError(f"Le fichier {self.path.name} est vide : aucune ligne à importer.")
        self.layout = Layout(first)
        self.structures = Tally("structures", "structures", feminine=True)
        self.coordinates = Tally("coordinates", "coordonnées", feminine=True, show_gone=False)
        self.saw_structures = False
        self.damaged_lines = 0

    def setup(self, run: ImportRun) -> None:
        communes = frozenset(Commune.objects.values_list("code", flat=True))
        if not communes:
            self.notes.append(
                "Le référentiel des communes est vide : lancez « manage.py install_reference ». "
                "Les codes commune sont conservés tels quels."
            )
        self.parser = LineParser(self.layout, communes)
        self.sync = Syncer(
            Structure,
            "finess_et",
            [*FIELDS, "search_city"],
            run,
            self.structures,
            row=structure_row,
            describe=describe_structure,
            describe_row=structure_label,
            remember_created=True,
        )

    def tallies(self) -> list[Tally]:
        # A file of geolocations only says nothing about structures: no line for them.
        return [self.structures, self.coordinates] if self.saw_structures else [self.coordinates]

    def items(self, run: ImportRun):
        pending = [self.layout.first_data] if self.layout.first_data else []
        for line in itertools.chain(pending, self._lines):
            self.lines += 1
            if "\ufffd" in line.text:
                self.damaged_lines += 1
            yield from self.parser.parse(line)

    def apply_batch(self, batch: list) -> None:
        records: dict[str, Record] = {}
        geos: dict[str, Geo] = {}
        for item in batch:
            if isinstance(item, Issue):
                self.report.add(item)
            elif isinstance(item, Geo):
                geos[item.finess_et] = item  # the last position given wins
            elif item.key in records:
                self._duplicate(item, f"la ligne {records[item.key].line}")
            else:
                records[item.key] = item
        if records:
            self.saw_structures = True
            existing = self.sync.fetch(records)
            fresh = []
            for key, record in records.items():
                if key in existing and existing[key].seen:
                    self._duplicate(record, "une ligne précédente")
                else:
                    fresh.append(record)
            self.sync.write(fresh, existing)
        if geos:
            self._coordinates(geos)

    def _duplicate(self, record: Record, where: str) -> None:
        detail = f"structure {record.key} en double : déjà décrite par {where} (la première est conservée)"
        self.report.add(Issue(record.line, "structure en double", detail, excerpt(record.context)))

    def _coordinates(self, geos: dict[str, Geo]) -> None:
        """Coordinates of structures already in the database (this run's included)."""
        tally, now, rows = self.coordinates, self.run.started_at, []
        found = set()
        for finess, pk, lat, lon, source, epsg, geocoded_on in self._known(list(geos)):
            found.add(finess)
            geo = geos[finess]
            new = (geo.latitude, geo.longitude, geo.source, geo.epsg, geo.geocoded_on)
            if (lat, lon, source, epsg, geocoded_on) == new:
                tally.unchanged += 1
                continue
            text = f"{finess} : {geo.latitude:.5f}, {geo.longitude:.5f} (EPSG:{geo.epsg})"
            if lat is None:
                tally.new += 1
                tally.sample("new", text)
            else:
                tally.changed += 1
                tally.sample("changed", f"{finess} : {lat:.5f}, {lon:.5f} → {geo.latitude:.5f}, {geo.longitude:.5f}")
            rows.append((pk, (*new, now)))
        update_rows(Structure, GEO_FIELDS, rows)
        for finess in geos.keys() - found:
            geo = geos[finess]
            detail = f"structure {finess} inconnue : coordonnées ignorées"
            self.report.add(Issue(geo.line, "structure inconnue", detail, excerpt(geo.text), warning=True))

    @staticmethod
    def _known(numbers: list[str]):
        for chunk in chunks(numbers, MAX_PARAMETERS):
            yield from Structure.objects.filter(finess_et__in=chunk).values_list(
                "finess_et", "pk", "latitude", "longitude", "coordinates_source", "coordinates_epsg", "geocoded_on"
            )

    def finish(self) -> None:
        if self.saw_structures:
            self.sync.retire_unseen()
            self._touch_roles()
        else:
            self.notes.append(
                "Aucune ligne « structureet » : seules les coordonnées des structures connues sont mises à "
                "jour, aucune structure n'est retirée."
            )
        self.sync.close(rebuild=self.apply)
        if self.damaged_lines:
            self.notes.append(
                f"{plural(self.damaged_lines, 'ligne')} {agree(self.damaged_lines, 'contient', 'contiennent')} "
                "des caractères perdus dans la source (« \ufffd ») : "
                "importées telles quelles."
            )

    def _touch_roles(self) -> None:
        """A PractitionerRole refers to its site as a served Organization once FINESS knows the
        establishment, by its FINESS number before (`fhir.resources._site`): the activities of a
        structure new in this run show another resource, whose `meta.lastUpdated` (`updated_at`)
        moves to the run's time so that a delta synchronisation gets them again. Only the time:
        the RPPS import alone writes their data. (On PostgreSQL, an RPPS import running holds the
        activities: this waits for its end, and the FINESS run's transaction with it.)"""
        created = self.sync.created_keys
        if created:
            set_where_in(Activity, {"updated_at": self.run.started_at}, "finess_site", created)
