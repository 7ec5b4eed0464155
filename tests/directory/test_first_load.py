"""The shortcuts of a first load (empty tables) give what the general path gives; bulk helpers."""

import threading

import pytest
from django.db import connection, transaction

from maillage.directory import importer, tracking
from maillage.directory.background import background_copies
from maillage.directory.bulk import insert_rows, select_in
from maillage.directory.models import Activity, ImportRun, Professional
from maillage.directory.streaming import read_ahead
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps


def unsorted_lines():
    """A file whose professionals' lines are scattered (the extraction is normally sorted), with
    duplicates far from their first line."""
    a, b, c, d = (rpps_number(200 + i) for i in range(4))
    return [
        rpps_line(rpps=a, mode_code="L", structure_id="A1", commune_code="01053"),  # 2
        rpps_line(rpps=b, mode_code="S", structure_id="B1"),  # 3
        rpps_line(rpps=c, mode_code="L", structure_id="C1", company_name="A\\B"),  # 4: a backslash
        rpps_line(rpps=a, mode_code="S", structure_id="A2", trade_name="tab\there"),  # 5: a tab inside
        rpps_line(rpps=d, mode_code="L", structure_id="D1"),  # 6
        rpps_line(rpps=b, mode_code="S", structure_id="B1"),  # 7: same as line 3
        rpps_line(rpps=c, mode_code="L", structure_id="C1", phone="0102030405"),  # 8: line 4, other values
        rpps_line(rpps=a, mode_code="L", structure_id="A3", commune_code="01004"),  # 9: a's third activity
        rpps_line(rpps=d, first_name="Autre", mode_code="L", structure_id="D1"),  # 10: same, other identity
    ]


def import_and_describe(path, tmp_path, name):
    # Into tables holding another professional, the file retires them: allowed here.
    output = run("import_rpps", path, "--apply", "--allow-mass-removal", "--report", tmp_path / f"{name}.csv")
    report = (tmp_path / f"{name}.csv").read_text(encoding="utf-8-sig")
    professionals = sorted(Professional.objects.values_list("national_id", "first_name", "source_hash", "active"))
    activities = sorted(
        Activity.objects.values_list(
            "key", "professional__national_id", "company_name", "trade_name", "phone", "commune_id", "source_hash"
        )
    )
    counts = ImportRun.objects.latest("started_at", "id").counts
    return output, report, professionals, activities, counts


@pytest.mark.parametrize("bits", [None, 3], ids=["filter", "filter-always-maybe"])
def test_a_first_load_finds_what_the_general_path_finds(tmp_path, ain, monkeypatch, bits):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    if bits:  # every key answered « maybe »: the database is asked for each
        monkeypatch.setattr(tracking, "FILTER_BITS", bits)
    path = write_rpps(tmp_path / "unsorted.txt", unsorted_lines())
    first_load = import_and_describe(path, tmp_path, "first")
    assert Professional.objects.count() == 4
    assert Activity.objects.count() == 6
    assert Activity.objects.get(structure_id="C1").company_name == "A\\B"
    assert Activity.objects.get(structure_id="A2").trade_name == "tab\there"

    # The same file into tables holding another professional: no shortcut is taken.
    Activity.objects.all().delete()
    Professional.objects.all().delete()
    other = write_rpps(tmp_path / "other.txt", [rpps_line(rpps=rpps_number(299), mode_code="L")])
    run("import_rpps", other, "--apply")
    _output, report, professionals, activities, counts = import_and_describe(path, tmp_path, "general")
    other_id = "8" + rpps_number(299)
    professionals = [row for row in professionals if row[0] != other_id]
    activities = [row for row in activities if row[1] != other_id]
    counts["professionals"]["gone"] = counts["activities"]["gone"] = 0  # the other professional left
    assert first_load[1:] == (report, professionals, activities, counts)


def index_names(table):
    """The table's indexes and constraints, with the columns and the target of its foreign keys."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return sorted((name, tuple(c["columns"]), c["foreign_key"]) for name, c in found.items())


def test_indexes_and_keys_dropped_for_a_first_load_come_back(tmp_path, db, monkeypatch):
    before = {table: index_names(table) for table in ("directory_professional", "directory_activity")}
    keys = [k[1:] for k in before["directory_activity"]]
    assert (("professional_id",), ("directory_professional", "id")) in keys
    path = write_rpps(tmp_path / "a.txt", [rpps_line(rpps=rpps_number(210 + i), mode_code="L") for i in range(3)])
    run("import_rpps", path)  # dry run: rolled back
    assert {table: index_names(table) for table in before} == before
    run("import_rpps", path, "--apply")
    assert {table: index_names(table) for table in before} == before

    Activity.objects.all().delete()
    Professional.objects.all().delete()

    def failing(model, names, rows):
        raise OSError("disque plein")

    monkeypatch.setattr(importer, "insert_rows", failing)
    with pytest.raises(OSError, match="disque plein"):
        run("import_rpps", path, "--apply")
    assert {table: index_names(table) for table in before} == before


def test_select_in_quotes_what_it_looks_up(db):
    run_row = ImportRun.objects.create(source=ImportRun.Source.RPPS, file_name="x")
    odd = ['a"b', "c\\d", "NULL", "x,y", "{z}", " sp "]
    rows = [(f"8{i:011d}", "8", f"{i:011d}", name, "", "h", run_row.pk) for i, name in enumerate(odd)]
    names = ["national_id", "id_type", "identifier", "last_name", "search_name", "source_hash", "last_run"]
    insert_rows(Professional, names, rows)
    found = select_in(Professional, ["national_id", "last_name"], "last_name", [*odd, "absent"])
    assert sorted(name for _, name in found) == sorted(odd)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY in the background: PostgreSQL only")
def test_a_background_copy_error_is_raised_in_the_run(db):
    run_row = ImportRun.objects.create(source=ImportRun.Source.RPPS, file_name="x")
    row = ("812345678901", "8", "12345678901", "DOUBLE", "", "h", run_row.pk)
    names = ["national_id", "id_type", "identifier", "last_name", "search_name", "source_hash", "last_run"]
    with (
        pytest.raises(Exception, match="unique_professional_national_id"),
        transaction.atomic(),
        background_copies(),
    ):
        insert_rows(Professional, names, [row])
        insert_rows(Professional, names, [row])  # the unique key refuses it
        Professional.objects.count()  # waits for both: the error comes here at the latest
    assert not Professional.objects.exists()


def test_read_ahead_hands_over_errors_and_stops_early():
    def items():
        yield 1
        yield 2
        raise ValueError("ligne illisible")

    with read_ahead(items()) as iterator, pytest.raises(ValueError, match="ligne illisible"):
        assert list(iterator) == [1, 2]

    produced = []

    def endless():
        for i in range(10**9):
            produced.append(i)
            yield i

    with read_ahead(endless(), depth=2) as iterator:
        assert next(iterator) == 0
    assert len(produced) < 10  # the thread stopped with the consumer
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]
