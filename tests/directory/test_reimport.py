"""A re-import skips the lines it finds unchanged by their fingerprint: what it must still see."""

import csv

import pytest

from maillage.directory import importer, rpps_import
from maillage.directory.models import Activity, ImportRun, Professional
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps


def report_of(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["ligne"]: row["motif"] for row in csv.DictReader(handle, delimiter=";")}


def counts():
    return ImportRun.objects.latest("started_at", "id").counts


def lines(count=6):
    """Professionals with two activities each, the second with another savoir-faire (identity column)."""
    made = []
    for i in range(count):
        number = rpps_number(300 + i)
        made.append(rpps_line(rpps=number, mode_code="L", structure_id=f"S{i}", commune_code="01053"))
        made.append(rpps_line(rpps=number, mode_code="S", structure_id=f"T{i}", savoir_faire_code=f"SF{i}"))
    return made


@pytest.fixture(params=[2, 5000], ids=["small-batches", "one-batch"])
def batch_size(request, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", request.param)
    return request.param


def test_identical_reimport_matches_every_line_and_changes_nothing(tmp_path, ain, batch_size):
    path = write_rpps(tmp_path / "a.txt", lines())
    run("import_rpps", path, "--apply")
    assert Activity.objects.filter(line_hash=None).count() == 0
    assert Professional.objects.filter(line_hash=None).count() == 0
    before = list(Activity.objects.values_list("pk", "updated_at", "last_run", "line_hash"))
    run("import_rpps", path, "--apply")
    assert counts()["activities"] == {"new": 0, "changed": 0, "unchanged": 12, "gone": 0}
    assert counts()["professionals"] == {"new": 0, "changed": 0, "unchanged": 6, "gone": 0}
    assert list(Activity.objects.values_list("pk", "updated_at", "last_run", "line_hash")) == before


def test_changes_after_unchanged_lines_are_found_and_lines_removed_are_gone(tmp_path, ain, batch_size):
    original = lines()
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    changed = list(original)
    changed[10] = original[10].replace("MARTIN", "MARTINEZ")  # a professional's first line: identity
    changed[11] = rpps_line(
        rpps=rpps_number(305), mode_code="S", structure_id="T5", savoir_faire_code="SF5", phone="0102030405"
    )
    del changed[3]  # professional 1 loses its second activity
    output = run(
        "import_rpps",
        write_rpps(tmp_path / "b.txt", changed),
        "--apply",
        "--allow-mass-removal",
        "--report",
        tmp_path / "r.csv",
    )
    assert counts()["activities"] == {"new": 0, "changed": 1, "unchanged": 10, "gone": 1}, output
    assert counts()["professionals"] == {"new": 0, "changed": 1, "unchanged": 5, "gone": 0}
    assert Professional.objects.get(identifier=rpps_number(305)).last_name == "MARTINEZ"
    assert Activity.objects.get(structure_id="T5").phone == "0102030405"
    assert not Activity.objects.get(structure_id="T1").active
    # And back: the lines match again where they are the same, the others are compared.
    run("import_rpps", write_rpps(tmp_path / "c.txt", original), "--apply")
    assert counts()["activities"] == {"new": 0, "changed": 2, "unchanged": 10, "gone": 0}
    assert Activity.objects.filter(active=True).count() == 12


def test_duplicates_are_still_reported_on_a_reimport(tmp_path, ain, batch_size):
    original = lines(3)
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    # Lines 8 and 9 repeat lines 2 and 4; line 10 is line 6's activity with another commune.
    repeated = [*original, original[0], original[2], original[4].replace("01053", "01004")]
    path = write_rpps(tmp_path / "b.txt", repeated)
    run("import_rpps", path, "--apply", "--report", tmp_path / "r.csv")
    report = report_of(tmp_path / "r.csv")
    assert report["8"].startswith("ligne en double : identique à"), report
    assert report["9"].startswith("ligne en double : identique à"), report
    assert report["10"].startswith("activité en double"), report
    assert counts()["activities"] == {"new": 0, "changed": 0, "unchanged": 6, "gone": 0}
    assert counts()["rejected"] == 3


def test_identical_line_in_the_same_batch_names_the_first(tmp_path, ain):
    original = lines(2)
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    run(
        "import_rpps",
        write_rpps(tmp_path / "b.txt", [*original, original[1]]),
        "--apply",
        "--report",
        tmp_path / "r.csv",
    )
    assert report_of(tmp_path / "r.csv") == {"6": "ligne en double : identique à la ligne 3"}


def test_another_salt_compares_every_line_and_refreshes_the_fingerprints(tmp_path, ain, monkeypatch, batch_size):
    path = write_rpps(tmp_path / "a.txt", lines())
    run("import_rpps", path, "--apply")
    old = set(Activity.objects.values_list("line_hash", flat=True))
    monkeypatch.setattr(rpps_import, "LINE_FORMAT", "another parser")
    run("import_rpps", path, "--apply")
    assert counts()["activities"] == {"new": 0, "changed": 0, "unchanged": 12, "gone": 0}
    assert counts()["professionals"] == {"new": 0, "changed": 0, "unchanged": 6, "gone": 0}
    assert not old & set(Activity.objects.values_list("line_hash", flat=True))
    assert Professional.objects.filter(line_hash=None).count() == 0


def test_a_line_with_a_warning_is_warned_about_again(tmp_path, ain):
    line = rpps_line(rpps=rpps_number(320), mode_code="L", structure_id="X", commune_code="99999")
    path = write_rpps(tmp_path / "a.txt", [line])
    run("import_rpps", path, "--apply")
    output = run("import_rpps", path, "--apply")
    assert "1 avertissement (commune inconnue : 1)" in output
    assert counts()["activities"]["unchanged"] == 1


def test_the_first_line_of_a_professional_gives_its_identity_on_a_reimport(tmp_path, ain, batch_size):
    number = rpps_number(330)
    first = rpps_line(rpps=number, first_name="Anne", mode_code="L", structure_id="A")
    second = rpps_line(rpps=number, first_name="Anna", mode_code="S", structure_id="B")
    run("import_rpps", write_rpps(tmp_path / "a.txt", [first, second]), "--apply")
    assert Professional.objects.get().first_name == "Anne"
    run("import_rpps", write_rpps(tmp_path / "b.txt", [second, first]), "--apply")
    assert Professional.objects.get().first_name == "Anna"
    assert counts()["activities"] == {"new": 0, "changed": 0, "unchanged": 2, "gone": 0}
    assert counts()["professionals"]["changed"] == 1
