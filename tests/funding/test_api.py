"""GET /api/v1/cpts/<slug>/funding?year=: the same readers as the page; errors in French."""

from datetime import date
from decimal import Decimal

import pytest

from maillage.funding.summary import region_totals
from tests.factories import RoleFactory
from tests.funding.conftest import FOUND, SERVED, keep


@pytest.fixture
def with_values(idf, cmv_contract):
    keep(idf["cmv"], FOUND, 2025, 35)
    keep(idf["cmv"], SERVED, 2025, 72.5)
    return cmv_contract


def test_the_funding_of_a_contract_year(coordinator_client, with_values):
    body = coordinator_client.get("/api/v1/cpts/cmv/funding", {"year": "2025"}).json()
    assert body["reglement"] == {"code": "avenant-2", "libelle": "ACI CPTS 2019, avenant 2"}
    assert (body["annee"], body["taille"], body["signature"]) == (2025, "T3", "2023-03-15")
    assert body["fonctionnement"] == "131250.00"
    access = next(m for m in body["missions"] if m["mission"] == "access")
    assert (access["fixe"], access["variable"], access["total"], access["debut"]) == (
        "35000.00", "12000.00", "47000.00", "2023-03-15",
    )  # fmt: skip
    assert (body["total_fixe"], body["total_variable"], body["total"]) == ("291250.00", "12000.00", "303250.00")
    assert body["echeancier"] == [
        {"date": "2025-03-15", "libelle": "avance (75 % de la part fixe)", "montant": "218437.50"},
        {"date": "2026-04-30", "libelle": "solde (reste de la part fixe et part variable)", "montant": "84812.50"},
    ]
    assert body["indicateurs_manquants"] == []


def test_errors_are_french_json(coordinator_client, login, idf, with_values):
    bad = coordinator_client.get("/api/v1/cpts/cmv/funding", {"year": "vingt"})
    assert bad.status_code == 400 and "Année « vingt » illisible" in bad.json()["detail"]
    missing = coordinator_client.get("/api/v1/cpts/cmv/funding")
    assert (missing.status_code, missing.json()) == (
        400,
        {"detail": "Indiquez l'année du contrat, par exemple year=2026."},
    )
    early = coordinator_client.get("/api/v1/cpts/cmv/funding", {"year": "2021"})
    assert early.status_code == 400 and "l'année 2021 n'en fait pas partie" in early.json()["detail"]
    admin = login(RoleFactory(admin=True).user)
    none = admin.get("/api/v1/cpts/paris-13/funding", {"year": "2025"})
    assert none.status_code == 404 and none.json() == {"detail": "La CPTS Paris 13 n'a pas de contrat ACI enregistré."}
    assert admin.get("/api/v1/cpts/cmv/funding", {"year": "2025"}).json()["total"] == "303250.00"


def test_who_may_read_it(client, login, idf, with_values):
    assert client.get("/api/v1/cpts/cmv/funding?year=2025").status_code == 401
    regional = login(RoleFactory(regional=True, region=idf["region"]).user)
    assert regional.get("/api/v1/cpts/cmv/funding?year=2025").status_code == 200
    for user in (RoleFactory(regional=True, region__code="76").user, RoleFactory(coordinator=True, cpts=idf["paris13"]).user,
                 RoleFactory(cpts=idf["cmv"]).user):  # fmt: skip
        answer = login(user, with_mfa=True).get("/api/v1/cpts/cmv/funding?year=2025")
        assert (answer.status_code, answer.json()) == (404, {"detail": "CPTS inconnue : cmv."})


def test_region_totals(idf, with_values):
    totals = region_totals([idf["cmv"], idf["paris13"]], 2025, today=date(2025, 6, 1))
    assert list(totals) == [idf["cmv"].pk]  # paris-13 has no contract
    cmv = totals[idf["cmv"].pk]
    # committed: fixed 291 250 + variable caps of the indicator missions (crisis: none recognised)
    assert cmv == {
        "committed": Decimal("291250") + Decimal("30000") + Decimal("30000") + Decimal("10000") + Decimal("10000"),
        "paid": Decimal("218437.50"),
        "projected": Decimal("303250.00"),
    }
    assert region_totals([idf["cmv"]], 2025, today=date(2026, 4, 30))[idf["cmv"].pk]["paid"] == Decimal("303250.00")
    assert region_totals([idf["cmv"]], 2020) == {}
