import pytest


@pytest.fixture
def api(anonymous):
    return anonymous


def test_commune_by_code(idf, api):
    response = api.get("/api/v1/communes/92046")
    assert response.status_code == 200
    assert response.json()["nom"] == "Malakoff"
    assert response.json()["population"] == 30_557


def test_unknown_commune_is_a_french_json_404(idf, api):
    response = api.get("/api/v1/communes/99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Commune inconnue : 99999."}


def test_commune_search(idf, api):
    response = api.get("/api/v1/communes", {"q": "VANVES"})
    assert [c["code"] for c in response.json()["items"]] == ["92075"]


@pytest.mark.parametrize("params", [{"q": "a", "limit": "beaucoup"}, {"q": "a", "limit": 0}, {}])
def test_bad_parameters_get_a_french_message(idf, api, params):
    response = api.get("/api/v1/communes", params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Paramètre invalide")


def test_cpts_list_has_population_and_tier(idf, api):
    body = api.get("/api/v1/cpts/").json()
    assert (body["count"], body["next"]) == (3, None)
    by_slug = {c["slug"]: c for c in body["items"]}
    assert by_slug["cmv"]["population"] == 96_679
    assert by_slug["cmv"]["taille"] == "T3"
    assert by_slug["cmv"]["chevauchements"] == 1
    assert by_slug["paris-13"]["taille"] == "T4"
    assert by_slug["issy"]["statut"] == "projet"


def test_cpts_detail_lists_territory_and_shared_communes(idf, api):
    body = api.get("/api/v1/cpts/cmv").json()
    assert [c["code"] for c in body["territoire"]] == ["92020", "92046", "92075"]
    assert body["communes_partagees"] == [{"code": "92075", "nom": "Vanves", "autres_cpts": ["CPTS Grand Issy-Vanves"]}]
    missing = api.get("/api/v1/cpts/nope")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "CPTS inconnue : nope."


def test_coverage_of_a_region(idf, api):
    body = api.get("/api/v1/coverage", {"region": "11"}).json()
    assert body["population_couverte"] == 96_679 + 67_669 + 181_271
    assert body["zones_blanches"]["liste"] == [
        {"code": "92049", "nom": "Montrouge", "population": 49_976, "cpts": None}
    ]
    assert body["chevauchements"]["liste"][0]["cpts"] == ["CPTS Châtillon-Malakoff-Vanves", "CPTS Grand Issy-Vanves"]


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"region": "99"}, 404, "Région inconnue : 99."),
        ({"departement": "00"}, 404, "Département inconnu : 00."),
        ({"region": "11", "departement": "92"}, 400, "Indiquez une région ou un département, pas les deux."),
    ],
)
def test_coverage_bad_input(idf, api, params, status, detail):
    response = api.get("/api/v1/coverage", params)
    assert (response.status_code, response.json()["detail"]) == (status, detail)


def test_openapi_document(idf, api):
    spec = api.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "API Maillage"
    assert {"/api/v1/communes/{code}", "/api/v1/cpts/", "/api/v1/coverage"} <= set(spec["paths"])
