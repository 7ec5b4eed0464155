"""The listing of who works on each CPTS's territory follows every write it is derived from: what
a territory search finds is what the activities say, after imports, territory edits and saves."""

from maillage.directory import search
from maillage.directory.models import Listing
from maillage.territory import actions
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.factories import CptsFactory, UserFactory


def listed(cpts) -> list[str]:
    return sorted(Listing.objects.filter(cpts=cpts).values_list("national_id", flat=True))


def found(cpts, **data) -> list[str]:
    return sorted(p.national_id for p in search.professionals({"scope": "territory", **data}, cpts)[:100])


def line(seed: int, commune: str, **values) -> str:
    return rpps_line(rpps=rpps_number(seed), structure_id=f"S{seed}", commune_code=commune, **values)


def test_an_import_lists_who_works_on_the_territory_and_a_reimport_follows_moves(tmp_path, ain):
    cpts = CptsFactory(communes=[ain["01053"], ain["01451"]])
    first = write_rpps(tmp_path / "a.txt", [line(1, "01053"), line(2, "01451"), line(3, "01004")])
    run("import_rpps", first)  # a dry run lists nobody
    assert listed(cpts) == []
    run("import_rpps", first, "--apply")
    assert listed(cpts) == ["8" + rpps_number(1), "8" + rpps_number(2)]
    assert found(cpts) == listed(cpts)

    # 2 moves out of the territory, 3 moves in, 1 changes name, 4 arrives, nobody else changes.
    second = write_rpps(
        tmp_path / "b.txt",
        [line(1, "01053", last_name="NOUVEAU"), line(2, "01004"), line(3, "01451"), line(4, "01451")],
    )
    run("import_rpps", second, "--apply")
    assert listed(cpts) == ["8" + rpps_number(n) for n in (1, 3, 4)]
    assert found(cpts, name="nouv") == ["8" + rpps_number(1)]
    assert found(cpts, name="martin") == ["8" + rpps_number(3), "8" + rpps_number(4)]

    # Gone from the extraction: no longer listed.
    third = write_rpps(tmp_path / "c.txt", [line(1, "01053", last_name="NOUVEAU"), line(3, "01451")])
    run("import_rpps", third, "--apply", "--allow-mass-removal")
    assert listed(cpts) == ["8" + rpps_number(n) for n in (1, 3)]


def test_territory_edits_relist_the_cpts(tmp_path, ain):
    cpts = CptsFactory(communes=[ain["01053"]])
    other = CptsFactory(communes=[ain["01004"]])
    run("import_rpps", write_rpps(tmp_path / "a.txt", [line(1, "01053"), line(2, "01004")]), "--apply")
    coordinator = UserFactory()
    assert listed(cpts) == ["8" + rpps_number(1)]

    actions.add_commune(cpts, "01004", actor=coordinator)
    assert listed(cpts) == ["8" + rpps_number(1), "8" + rpps_number(2)]
    actions.remove_commune(cpts, "01053", actor=coordinator)
    assert listed(cpts) == ["8" + rpps_number(2)]
    actions.set_territory(cpts, ["01053", "01451"], actor=coordinator)
    assert listed(cpts) == ["8" + rpps_number(1)]
    assert listed(other) == ["8" + rpps_number(2)]  # another CPTS's listing is left alone


def test_saves_through_the_orm_are_followed(tmp_path, ain):
    cpts = CptsFactory(communes=[ain["01053"]])
    run("import_rpps", write_rpps(tmp_path / "a.txt", [line(1, "01053")]), "--apply")
    professional = Listing.objects.get(cpts=cpts).professional
    activity = professional.activities.get()
    activity.active = False
    activity.save()
    assert listed(cpts) == []
    activity.active = True
    activity.save()
    professional.last_name = "Autre"
    professional.save()
    assert Listing.objects.get(cpts=cpts).search_name == "autre claire"


def test_rebuilding_gives_the_same_listing(tmp_path, ain):
    cpts = CptsFactory(communes=[ain["01053"], ain["01451"]])
    lines = [line(n, "01053" if n % 2 else "01451") for n in range(6)]
    run("import_rpps", write_rpps(tmp_path / "a.txt", lines), "--apply")
    before = list(Listing.objects.filter(cpts=cpts).values_list("professional_id", "search_name", "profession_code"))
    Listing.objects.all().delete()
    out = run("rebuild_listing")
    assert "6 professionnels listés" in out
    after = list(Listing.objects.filter(cpts=cpts).values_list("professional_id", "search_name", "profession_code"))
    assert sorted(after) == sorted(before) and len(before) == 6
