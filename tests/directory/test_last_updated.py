"""`updated_at` — the FHIR resources' `meta.lastUpdated`, by which a client synchronises the
directory with `_lastUpdated` — moves only when an import changes what the resource shows, to
that import's time: never on a re-import of the same data, never on the CPTS's enrichment."""

from django.test import Client

from maillage.directory.models import Activity, DirectoryEntry, ImportRun, Professional, Structure
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.directory.test_finess_import import HEADER, structure_line, write
from tests.factories import CptsFactory

SITE = "010000024"  # a FINESS establishment of the FINESS sample line


def lines():
    """Three professionals: the first with two activities, the third working at a FINESS site."""
    return [
        rpps_line(rpps=rpps_number(1), last_name="MARTIN", mode_code="L", structure_id="S1", commune_code="01053"),
        rpps_line(rpps=rpps_number(1), last_name="MARTIN", mode_code="S", structure_id="S2", phone="0102030405"),
        rpps_line(rpps=rpps_number(2), last_name="DUBOIS", mode_code="L", structure_id="S3", commune_code="01451"),
        rpps_line(rpps=rpps_number(3), last_name="PETIT", mode_code="S", structure_id="S4", finess_site=SITE),
    ]


def last_run() -> ImportRun:
    return ImportRun.objects.latest("started_at", "id")


def stamps(model) -> dict:
    return dict(model.objects.values_list("pk", "updated_at"))


def professional(number: int) -> Professional:
    return Professional.objects.get(identifier=rpps_number(number))


def test_a_reimport_of_the_same_extraction_moves_no_date(tmp_path, ain):
    path = write_rpps(tmp_path / "a.txt", lines())
    run("import_rpps", path, "--apply")
    first = last_run()
    assert set(stamps(Professional).values()) == {first.started_at}
    assert set(stamps(Activity).values()) == {first.started_at}
    run("import_rpps", path, "--apply")
    second = last_run()
    assert second.pk != first.pk and second.started_at > first.started_at
    assert set(stamps(Professional).values()) == {first.started_at}
    assert set(stamps(Activity).values()) == {first.started_at}


def test_a_changed_line_moves_its_row_alone_to_the_second_run(tmp_path, ain):
    original = lines()
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    first = last_run()
    changed = list(original)
    changed[1] = changed[1].replace("0102030405", "0909090909")  # the first professional's second activity
    run("import_rpps", write_rpps(tmp_path / "b.txt", changed), "--apply")
    second = last_run()
    moved = Activity.objects.get(structure_id="S2")
    assert moved.updated_at == second.started_at and moved.last_run_id == second.pk
    assert {a.updated_at for a in Activity.objects.exclude(pk=moved.pk)} == {first.started_at}
    # The professional's own data did not change: neither did their date.
    assert set(stamps(Professional).values()) == {first.started_at}


def test_a_changed_professional_moves_with_the_roles_that_show_them(tmp_path, ain):
    """A PractitionerRole carries its practitioner's name: renamed, both resources changed."""
    original = lines()
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    first = last_run()
    changed = [line.replace("MARTIN", "MARTINEZ") for line in original]
    run("import_rpps", write_rpps(tmp_path / "b.txt", changed), "--apply")
    second = last_run()
    assert professional(1).updated_at == second.started_at
    assert {professional(2).updated_at, professional(3).updated_at} == {first.started_at}
    roles = Activity.objects.filter(professional=professional(1))
    assert {a.updated_at for a in roles} == {second.started_at}
    # The activity rows' data did not change: their import and their fingerprint stay.
    assert {a.last_run_id for a in roles} == {first.pk}
    assert {a.updated_at for a in Activity.objects.exclude(professional=professional(1))} == {first.started_at}


def test_a_removed_line_is_deactivated_at_the_run_time(tmp_path, ain):
    original = lines()
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    first = last_run()
    run("import_rpps", write_rpps(tmp_path / "b.txt", original[:2] + original[3:]), "--apply", "--allow-mass-removal")
    second = last_run()
    gone = professional(2)
    assert not gone.active and gone.updated_at == second.started_at
    activity = Activity.objects.get(structure_id="S3")
    assert not activity.active and activity.updated_at == second.started_at
    assert {a.updated_at for a in Activity.objects.active()} == {first.started_at}
    assert {p.updated_at for p in Professional.objects.active()} == {first.started_at}
    # Back in the next extraction: active again, at that run's time.
    run("import_rpps", write_rpps(tmp_path / "c.txt", original), "--apply")
    third = last_run()
    assert professional(2).active and professional(2).updated_at == third.started_at


def test_finess_dates_and_the_roles_of_a_site_new_to_finess(tmp_path, ain):
    run("import_rpps", write_rpps(tmp_path / "a.txt", lines()), "--apply")
    rpps = last_run()
    path = write(tmp_path / "f.txt", [HEADER, structure_line(finess=SITE)])
    run("import_finess", path, "--apply")
    finess = last_run()
    assert Structure.objects.get().updated_at == finess.started_at
    # The role at that site now refers to a served Organization: another resource, another date.
    assert Activity.objects.get(finess_site=SITE).updated_at == finess.started_at
    assert {a.updated_at for a in Activity.objects.exclude(finess_site=SITE)} == {rpps.started_at}
    # The same extraction again: nothing moves.
    run("import_finess", path, "--apply")
    assert Structure.objects.get().updated_at == finess.started_at
    assert Activity.objects.get(finess_site=SITE).updated_at == finess.started_at
    # A changed structure: it alone.
    run("import_finess", write(tmp_path / "g.txt", [HEADER, structure_line(finess=SITE, name="CH NEUF")]), "--apply")
    again = last_run()
    assert Structure.objects.get().updated_at == again.started_at
    assert Activity.objects.get(finess_site=SITE).updated_at == finess.started_at


def test_enrichment_does_not_move_the_national_resource(tmp_path, ain):
    """The Annuaire resources carry the national data only: what a CPTS adds is not in them."""
    run("import_rpps", write_rpps(tmp_path / "a.txt", lines()), "--apply")
    first = last_run()
    entry = DirectoryEntry.objects.create(cpts=CptsFactory(), professional=professional(1), is_member=True)
    entry.accepts_new_patients = True
    entry.save()
    assert professional(1).updated_at == first.started_at


def test_fhir_last_updated_is_the_import_time(tmp_path, ain):
    original = lines()
    run("import_rpps", write_rpps(tmp_path / "a.txt", original), "--apply")
    first = last_run()
    changed = [line.replace("DUBOIS", "DUBOST") for line in original]
    run("import_rpps", write_rpps(tmp_path / "b.txt", changed), "--apply")
    second = last_run()
    client = Client()
    national = professional(2).national_id
    assert client.get(f"/fhir/Practitioner/{national}").json()["meta"]["lastUpdated"] == second.started_at.isoformat()
    national = professional(1).national_id
    assert client.get(f"/fhir/Practitioner/{national}").json()["meta"]["lastUpdated"] == first.started_at.isoformat()
    role = Activity.objects.get(structure_id="S3").pk
    assert client.get(f"/fhir/PractitionerRole/{role}").json()["meta"]["lastUpdated"] == second.started_at.isoformat()
