"""The territorial diagnostic: the territory's figures computed from the directory, exact to the
decimal, beside reference densities of a named source and year (never the loaded directory's)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.projet import diagnostic
from maillage.projet.models import CommuneZoning, ReferenceDensity
from maillage.unscheduled.models import CareRequest
from tests.factories import ActivityFactory, ProfessionalFactory


def _rows(result):
    return {row.label: row for row in result.professions}


def test_population_tier_and_counts_once_per_professional(dordogne):
    result = diagnostic.compute(dordogne["cpts"], year=2026)
    assert (result.population, result.tier.code) == (20_000, "T1")
    rows = _rows(result)
    assert {label: row.count for label, row in rows.items()} == {
        "Médecin généraliste": 3,
        "Infirmier": 2,
        "Médecin (autres spécialités)": 1,
        # Compared professions absent from the territory: a finding, at 0.
        "Chirurgien-Dentiste": 0,
        "Masseur-Kinésithérapeute": 0,
        "Orthophoniste": 0,
    }
    assert [row.label for row in result.professions][:3] == [
        "Médecin généraliste",
        "Infirmier",
        "Médecin (autres spécialités)",
    ]
    assert result.professionals == 6


SOURCE = "Cnam, Data ameli professionnels de santé libéraux"


def test_densities_per_10000_beside_the_shipped_reference_of_france(dordogne):
    # A salaried GP on the territory counts in « tous modes », not among the libéraux.
    salaried = ProfessionalFactory()
    ActivityFactory(professional=salaried, commune=dordogne["communes"]["24037"], mode_code="S")
    rows = _rows(diagnostic.compute(dordogne["cpts"], year=2026))
    gp = rows["Médecin généraliste"]
    assert (gp.count, gp.density) == (4, Decimal("2.0"))  # 4 / 20,000
    assert (gp.liberal_count, gp.liberal_density) == (3, Decimal("1.5"))
    # Shipped with the product: 77.0 GPs per 100,000 in 2021, per 10,000 here.
    assert (gp.national.label, gp.national.density, gp.national.year) == ("France", Decimal("7.7"), 2021)
    assert gp.national.citation == f"{SOURCE}, 2021 (libéraux)"
    assert gp.national.note == "2021"
    # No figure shipped for the Dordogne nor Nouvelle-Aquitaine: said, not computed.
    assert [(d.label, d.density, d.note) for d in gp.departements] == [
        ("Dordogne (24)", None, "pas de référence chargée")
    ]
    assert rows["Infirmier"].national.density == Decimal("14.6")
    assert rows["Médecin (autres spécialités)"].national.density is None  # not a compared profession


def test_the_departement_s_reference_else_its_region_s(dordogne):
    figures = {"source": "Test", "year": 2023, "scope": "libéraux"}
    ReferenceDensity.objects.create(area_kind="region", area_code="75", profession="10-MG", density="8.25", **figures)
    ReferenceDensity.objects.create(area_kind="region", area_code="75", profession="60", density="20", **figures)
    ReferenceDensity.objects.create(area_kind="departement", area_code="24", profession="60", density="21.5", **figures)
    ReferenceDensity.objects.create(
        area_kind="departement", area_code="24", profession="60", density="19", **{**figures, "year": 2019}
    )
    rows = _rows(diagnostic.compute(dordogne["cpts"], year=2026))
    nurse = rows["Infirmier"].departements[0]
    assert (nurse.label, nurse.density, nurse.year, nurse.fallback) == ("Dordogne (24)", Decimal("21.5"), 2023, False)
    gp = rows["Médecin généraliste"].departements[0]
    assert (gp.label, gp.density, gp.fallback, gp.note) == (
        "Nouvelle-Aquitaine (région)",
        Decimal("8.25"),
        True,
        "Nouvelle-Aquitaine (région), 2023",
    )
    result = diagnostic.compute(dordogne["cpts"], year=2026)
    assert result.sources == [f"Source : {SOURCE}, 2021 (libéraux)", "Source : Test, 2023 (libéraux)"]


def test_an_empty_directory_still_shows_france_s_reference(dordogne):
    from maillage.directory.models import Activity, Professional

    Activity.objects.all().delete()
    Professional.objects.all().delete()
    result = diagnostic.compute(dordogne["cpts"], year=2026)
    assert {row.key: (row.count, row.national.density) for row in result.professions} == {
        "10-MG": (0, Decimal("7.7")),
        "60": (0, Decimal("14.6")),
        "70": (0, Decimal("11.1")),
        "40": (0, Decimal("5.2")),
        "91": (0, Decimal("3.0")),
    }
    assert result.sources == [f"Source : {SOURCE}, 2021 (libéraux)"]


def test_a_handful_of_queries_whatever_the_size_of_the_directory(dordogne):
    cpts = dordogne["cpts"]
    diagnostic.compute(cpts, year=2026)  # the population of France is cached for an hour
    with CaptureQueriesContext(connection) as small:
        diagnostic.compute(cpts, year=2026)
    for _ in range(30):
        ActivityFactory(professional=ProfessionalFactory(), commune=dordogne["communes"]["24037"])
        ActivityFactory(professional=ProfessionalFactory(adeli=True), commune=dordogne["communes"]["24002"])
    with CaptureQueriesContext(connection) as large:
        result = diagnostic.compute(cpts, year=2026)
    assert _rows(result)["Médecin généraliste"].count == 33
    assert len(large.captured_queries) == len(small.captured_queries) <= 25


def test_zoning_shares_when_loaded(dordogne):
    assert diagnostic.compute(dordogne["cpts"], year=2026).zoning == []
    CommuneZoning.objects.create(commune=dordogne["communes"]["24037"], zone="ZIP")
    CommuneZoning.objects.create(commune=dordogne["communes"]["24001"], zone="ZAC")
    result = diagnostic.compute(dordogne["cpts"], year=2026)
    assert [(z.zone, z.communes, z.population, z.share) for z in result.zoning] == [
        ("ZIP", 1, 8_000, Decimal("40.0")),
        ("ZAC", 1, 12_000, Decimal("60.0")),
    ]
    assert {c.code: c.zone for c in result.communes} == {"24037": "ZIP", "24001": "ZAC"}


def test_mission_figures_only_when_the_missions_have_data(dordogne):
    cpts = dordogne["cpts"]
    assert diagnostic.compute(cpts, year=2026).missions == []
    commune = dordogne["communes"]["24037"]
    for reason in ("fièvre", "entorse"):
        CareRequest.objects.create(cpts=cpts, last_name="Petit", first_name="Jeanne", commune=commune, reason=reason)
    figures = {f.code: f for f in diagnostic.compute(cpts).missions}
    assert figures["unscheduled.requests"].value == 2
    assert figures["unscheduled.requests"].label == "Demandes de soins non programmés reçues"
    assert "doctor_access.waiting_by_priority" not in figures  # no request for a regular doctor


def test_the_references_do_not_move_with_the_loaded_directory(dordogne):
    cpts = dordogne["cpts"]
    before = _rows(diagnostic.compute(cpts, year=2026))["Médecin généraliste"]
    for _ in range(5):
        ActivityFactory(professional=ProfessionalFactory(), commune=dordogne["communes"]["33063"])
    after = _rows(diagnostic.compute(cpts, year=2026))["Médecin généraliste"]
    assert (after.national, after.departements) == (before.national, before.departements)


def test_a_profession_not_compared_and_absent_from_the_territory_has_no_row(dordogne):
    midwife = ProfessionalFactory(adeli=True, profession_code="50", profession_label="Sage-Femme")
    ActivityFactory(professional=midwife, commune=dordogne["communes"]["24002"])
    assert "Sage-Femme" not in _rows(diagnostic.compute(dordogne["cpts"], year=2026))
