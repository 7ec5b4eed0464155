from maillage.territory import coverage
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory


def test_region_coverage_counts_population_zones_blanches_and_overlaps(idf):
    result = coverage.compute(region="11")
    units = 37_500 + 30_557 + 28_622 + 67_669 + 49_976 + 181_271  # Paris itself is not a unit
    assert result.unit_count == 6
    assert result.population == units
    assert result.covered_population == units - 49_976
    assert [c.code for c in result.zones_blanches] == ["92049"]
    assert [(c.code, c.cpts) for c in result.overlaps] == [
        ("92075", ["CPTS Châtillon-Malakoff-Vanves", "CPTS Grand Issy-Vanves"])
    ]
    assert result.covered_share == round(100 * (units - 49_976) / units, 2)


def test_departement_scope_and_json_shape(idf):
    data = coverage.compute(departement="75").as_dict()
    assert data["scope"] == "departement:75"
    assert data["communes"] == 1
    assert data["population_couverte"] == 181_271
    assert data["zones_blanches"] == {"communes": 0, "population": 0, "liste": []}


def test_other_regions_do_not_leak_into_a_region(idf):
    occitanie = DepartementFactory(code="34", name="Hérault", region=RegionFactory(code="76", name="Occitanie"))
    CommuneFactory(code="34032", name="Béziers", population=80_000, departement=occitanie)
    assert coverage.compute(region="76").zones_blanches[0].name == "Béziers"
    assert coverage.compute(region="11").unit_count == 6
    national = coverage.compute()
    assert national.unit_count == 7
    assert national.scope == "France"


def test_inactive_communes_are_ignored(idf):
    idf["communes"]["92049"].active = False
    idf["communes"]["92049"].save()
    assert coverage.compute(region="11").zones_blanches == []


def test_collectivities_no_one_lives_in_stay_out_of_the_coverage_lists(idf, login):
    from tests.factories import RoleFactory

    taaf = DepartementFactory(code="984", name="Terres australes et antarctiques françaises",
                              region=RegionFactory(code="984", name="TAAF"))  # fmt: skip
    CommuneFactory(code="98415", name="Crozet", population=0, departement=taaf)
    clipperton = DepartementFactory(code="989", name="Île de Clipperton", region=idf["region"])
    CommuneFactory(code="98901", name="Île de Clipperton", population=0, departement=clipperton)
    admin = login(RoleFactory(admin=True).user, with_mfa=True)
    overview = admin.get("/couverture/").content.decode()
    assert "Île-de-France" in overview and "TAAF" not in overview
    region = admin.get(f"/couverture/region/{idf['region'].code}/").content.decode()
    assert "Clipperton" not in region.split("Par département")[1].split("</nav>")[0]
    assert "0 sur 0 habitants" not in overview + region
