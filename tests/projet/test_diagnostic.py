"""The territorial diagnostic: figures computed from the directory, exact to the decimal."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.projet import diagnostic
from maillage.projet.models import CommuneZoning
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
    }
    assert [row.label for row in result.professions] == [
        "Médecin généraliste",
        "Infirmier",
        "Médecin (autres spécialités)",
    ]
    assert result.professionals == 6


def test_densities_per_10000_next_to_the_departement_and_france(dordogne):
    rows = _rows(diagnostic.compute(dordogne["cpts"], year=2026))
    gp = rows["Médecin généraliste"]
    assert gp.density == Decimal("1.5")  # 3 / 20,000
    # 5 GPs / 40,000 = 1.25: half up to 1.3 (a banker's rounding would say 1.2).
    assert [(d.label, d.count, d.density) for d in gp.departements] == [("Dordogne (24)", 5, Decimal("1.3"))]
    assert (gp.national.count, gp.national.density) == (6, Decimal("1.2"))  # 6 / 50,000
    other = rows["Médecin (autres spécialités)"]
    assert (other.density, other.departements[0].density, other.national.density) == (
        Decimal("0.5"),
        Decimal("0.3"),  # 0.25 half up
        Decimal("0.2"),
    )
    nurse = rows["Infirmier"]
    assert (nurse.density, nurse.departements[0].density, nurse.national.count) == (Decimal("1.0"), Decimal("0.5"), 3)


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


def test_departement_and_national_figures_are_kept_until_the_next_rpps_import(dordogne):
    from maillage.directory.models import ImportRun

    def run():
        return ImportRun.objects.create(
            source="rpps", file_name="extraction.txt", applied=True, status=ImportRun.Status.COMPLETED
        )

    run()
    cpts = dordogne["cpts"]
    assert _rows(diagnostic.compute(cpts, year=2026))["Médecin généraliste"].national.count == 6
    ActivityFactory(professional=ProfessionalFactory(), commune=dordogne["communes"]["33063"])
    assert _rows(diagnostic.compute(cpts, year=2026))["Médecin généraliste"].national.count == 6
    run()  # the next import: figures read again
    assert _rows(diagnostic.compute(cpts, year=2026))["Médecin généraliste"].national.count == 7


def test_a_profession_of_the_departement_absent_from_the_territory_shows_at_zero(dordogne):
    midwife = ProfessionalFactory(adeli=True, profession_code="50", profession_label="Sage-Femme")
    ActivityFactory(professional=midwife, commune=dordogne["communes"]["24002"])
    row = _rows(diagnostic.compute(dordogne["cpts"], year=2026))["Sage-Femme"]
    assert (row.count, row.density, row.departements[0].density, row.national.count) == (
        0,
        Decimal("0.0"),
        Decimal("0.3"),  # 1 / 40,000 = 0.25, half up
        1,
    )
