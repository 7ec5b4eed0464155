"""The région's CPTS along their lifecycle: the funnel, phases, tiers, late deadlines, funding seam."""

from datetime import date

from maillage.funding import report
from maillage.funding.actions import save_contract
from maillage.funding.models import RuleSet
from maillage.funding.rules import ensure_rule_sets
from maillage.lifecycle import actions
from tests.factories import CommuneFactory, CptsFactory, DepartementFactory, RegionFactory, RoleFactory
from tests.funding.conftest import cmv_draft
from tests.lifecycle.conftest import CHAIN_DATES, TODAY, date_all, text


def _line(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def _funnel(page: str) -> dict[str, str]:
    found = {}
    for phase in ("ideation", "conception", "contractualisation", "fonctionnement"):
        start = page.index(f'data-phase="{phase}">') + len(f'data-phase="{phase}">')
        found[phase] = page[start : page.index("<", start)]
    return found


def test_funnel_counts_phases_tiers_and_late_deadlines(idf, login, coordinator):
    date_all(idf["cmv"], [*CHAIN_DATES, ("start_access", date(2023, 6, 1))])
    for target in ("conception", "contractualisation", "fonctionnement"):
        actions.move_phase(idf["cmv"], target, actor=coordinator, today=TODAY)
    date_all(idf["issy"], CHAIN_DATES[:1])
    actions.move_phase(idf["issy"], "conception", actor=coordinator, today=TODAY)
    # A CPTS of another région is not counted.
    occitanie = DepartementFactory(code="34", name="Hérault", region=RegionFactory(code="76", name="Occitanie"))
    CptsFactory(slug="beziers", name="CPTS Béziers", communes=[CommuneFactory(code="34032", departement=occitanie)])
    viewer = login(RoleFactory(regional=True, region=idf["region"]).user)
    response = viewer.get("/couverture/region/11/cpts/")
    assert response.status_code == 200
    page = text(response)
    assert _funnel(page) == {"ideation": "1", "conception": "1", "contractualisation": "0", "fonctionnement": "1"}
    assert "3 CPTS ayant au moins une commune dans la région" in page and "Béziers" not in page
    cmv = _line(page, "CPTS Châtillon-Malakoff-Vanves")
    assert "fonctionnement" in cmv and ">T3<" in cmv and 'class="badge warning">7<' in cmv
    assert "conception" in _line(page, "CPTS Grand Issy-Vanves") and ">0</td>" in _line(page, "CPTS Grand Issy-Vanves")
    paris = _line(page, "CPTS Paris 13")
    assert "idéation" in paris and ">T4<" in paris
    assert coordinator.email not in page and coordinator.last_name not in page
    assert 'href="/c/cmv/parcours/"' in page


def test_funding_columns_and_region_totals_come_from_the_contracts(idf, login):
    ensure_rule_sets()
    contract = save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)
    expected = report.build(contract, 2025)
    admin = login(RoleFactory(admin=True).user)
    page = text(admin.get("/couverture/region/11/cpts/", {"annee": "2025"})).replace("\xa0", " ").replace("\u202f", " ")
    assert "Financement de l'ACI en 2025" in page
    funding = page.split('data-testid="funding"')[1]

    def euros(amount) -> str:
        return f"{amount:,.2f} €".replace(",", " ").replace(".", ",")

    cmv = _line(funding, "CPTS Châtillon-Malakoff-Vanves")
    assert euros(expected.result.committed) in cmv and euros(expected.projection.total) in cmv
    assert "Pas de contrat ACI." in _line(funding, "CPTS Paris 13")
    total = _line(funding, "Total de la région")
    assert euros(expected.result.committed) in total  # the only contract of the région


def test_bad_year_and_other_region(idf, login):
    admin = login(RoleFactory(admin=True).user)
    response = admin.get("/couverture/region/11/cpts/", {"annee": "deux mille"})
    assert response.status_code == 400
    assert "Année invalide : « deux mille »" in text(response)
    other = login(RoleFactory(regional=True, region__code="76", region__name="Occitanie").user)
    assert other.get("/couverture/region/11/cpts/").status_code == 404
    assert (
        login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user, with_mfa=True)
        .get("/couverture/region/11/cpts/")
        .status_code
        == 404
    )
