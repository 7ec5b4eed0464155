"""What every FHIR endpoint shares: paging, formats, errors as OperationOutcome, metadata."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from maillage.fhir import views
from tests.factories import ProfessionalFactory
from tests.fhir.helpers import FHIR_JSON, diagnostics, ids, links, validate


@pytest.fixture
def many(db):
    return [ProfessionalFactory(last_name=f"MARTIN{i:02d}") for i in range(7)]


def _follow(fhir, url):
    parts = urlsplit(url)
    assert parts.netloc == "testserver"
    return fhir.search(parts.path.removeprefix("/fhir/"), {k: v[-1] for k, v in parse_qs(parts.query).items()})


def test_paging_walks_every_row_once(fhir, many):
    ProfessionalFactory(last_name="DUPONT")  # not matched
    page = fhir.search("Practitioner", {"name": "martin", "_count": "3"})
    seen = []
    relations = []
    while True:
        assert page["total"] == 7
        seen += ids(page)
        relations.append(sorted(links(page)))
        if "next" not in links(page):
            break
        page = _follow(fhir, links(page)["next"])
    assert seen == [p.national_id for p in many]
    assert relations == [
        ["first", "last", "next", "self"],
        ["first", "last", "next", "previous", "self"],
        ["first", "last", "previous", "self"],
    ]
    # Back from the last page, with the search parameters kept in the links.
    previous = links(page)["previous"]
    assert "name=martin" in previous and "_count=3" in previous and "_offset=3" in previous
    assert ids(_follow(fhir, previous)) == [p.national_id for p in many[3:6]]
    assert links(page)["self"].startswith("http://testserver/fhir/Practitioner?")


def test_count_is_capped_and_offset_beyond_the_end_is_empty(fhir, many):
    capped = fhir.search("Practitioner", {"_count": "1000"})
    assert [e["search"]["mode"] for e in capped["entry"]] == ["match"] * 7 + ["outcome"]
    assert "au plus" in capped["entry"][-1]["resource"]["issue"][0]["diagnostics"]
    assert "_count=100" in links(fhir.search("Practitioner", {"_count": "1000"}))["self"]
    beyond = fhir.search("Practitioner", {"_count": "5", "_offset": "50"})
    assert beyond["total"] == 7 and "entry" not in beyond
    assert "_offset=5" in links(beyond)["previous"]
    only_total = fhir.search("Practitioner", {"_count": "0"})
    assert only_total["total"] == 7 and "entry" not in only_total


def test_default_page_is_fifty_as_the_national_api(fhir, db):
    ProfessionalFactory.create_batch(51)
    bundle = fhir.search("Practitioner")
    assert len(bundle["entry"]) == 50 and bundle["total"] == 51


@pytest.mark.parametrize(
    ("path", "status", "code", "words"),
    [
        ("/fhir/Practitioner/899999999999", 404, "not-found", "Ressource introuvable"),
        ("/fhir/Organization/1000000000", 404, "not-found", "Ressource introuvable"),
        ("/fhir/Organization/abc", 404, "not-found", "Ressource introuvable"),
        ("/fhir/PractitionerRole/0", 404, "not-found", "Ressource introuvable"),
        ("/fhir/Patient", 404, "not-supported", "Type de ressource non pris en charge"),
        ("/fhir/Patient/1", 404, "not-supported", "Type de ressource non pris en charge"),
        ("/fhir/", 404, "not-supported", "Type de ressource non pris en charge"),
        ("/fhir/Practitioner/1/_history", 404, "not-supported", "Interaction non prise en charge"),
        ("/fhir/Practitioner?identifier=urn:oid:9.9|abc", 400, "invalid", "Système non pris en charge"),
        ("/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1|", 400, "invalid", "Valeur manquante"),
        ("/fhir/Practitioner?_count=abc", 400, "invalid", "entier"),
        ("/fhir/Practitioner?_offset=-1", 400, "invalid", "entier"),
        ("/fhir/Practitioner?_offset=99999999999999999999", 400, "invalid", "entier"),
        ("/fhir/Practitioner?_count=²", 400, "invalid", "entier"),
        ("/fhir/Practitioner?active=peut-etre", 400, "invalid", "true, false"),
        ("/fhir/Practitioner?birthdate=1970", 400, "not-supported", "Paramètres de recherche non pris en charge"),
        ("/fhir/Practitioner?_sort=name", 400, "not-supported", "Paramètres acceptés"),
        ("/fhir/Practitioner?name:missing=true", 400, "not-supported", "« name:missing »"),
        ("/fhir/PractitionerRole?practitioner=Patient/1", 400, "invalid", "référence"),
        ("/fhir/PractitionerRole?role=http://x|10", 400, "invalid", "Système non pris en charge"),
        ("/fhir/Organization?type=http://x|124", 400, "invalid", "Système non pris en charge"),
        ("/fhir/Organization?identifier=urn:oid:9.9|1", 400, "invalid", "Système non pris en charge"),
        ("/fhir/Practitioner?_format=xml", 406, "not-supported", "JSON"),
        ("/fhir/metadata?_format=application/fhir%2Bxml", 406, "not-supported", "JSON"),
    ],
)
def test_errors_are_operation_outcomes_in_french(fhir, path, status, code, words):
    outcome = fhir.get(path, status=status)
    issue = outcome["issue"][0]
    assert (issue["severity"], issue["code"]) == ("error", code)
    assert words in diagnostics(outcome)


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"_format": "json"}, {}),
        ({"_format": "application/fhir+json"}, {}),
        ({"_format": "application/json"}, {}),
        ({}, {"Accept": "application/fhir+json"}),
        ({}, {"Accept": "application/json"}),
        ({}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
    ],
)
def test_json_formats_are_honoured(fhir, params, headers):
    assert fhir.get("/fhir/metadata", params, **headers)["resourceType"] == "CapabilityStatement"


def test_xml_accept_header_is_refused(fhir):
    fhir.get("/fhir/Practitioner", status=406, Accept="application/fhir+xml")


def test_writes_are_refused_with_405(db):
    response = Client(enforce_csrf_checks=True).post("/fhir/Practitioner", {"name": "x"})
    assert response.status_code == 405
    assert response["Content-Type"] == FHIR_JSON
    assert response["Allow"] == "GET, HEAD"
    assert validate(response.json())["issue"][0]["code"] == "not-supported"


def test_anonymous_and_logged_in_users_read_alike(fhir, many, login, user_factory):
    anonymous = fhir.search("Practitioner", {"name": "martin"})
    logged_in = login(user_factory()).get("/fhir/Practitioner", {"name": "martin"})
    assert logged_in.status_code == 200
    assert ids(validate(logged_in.json())) == ids(anonymous)


def test_metadata_lists_what_is_supported(fhir):
    statement = fhir.get("/fhir/metadata")
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json"]
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert sorted(resources) == [
        "CarePlan",  # issue 15: the patients' pathways (tests/fhir/test_pathways_fhir.py)
        "CareTeam",
        "HealthcareService",
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "Schedule",
        "Slot",
        "Task",
    ]
    params = {t: {p["name"] for p in r.get("searchParam", [])} for t, r in resources.items()}
    assert params["Practitioner"] == {
        "_id",
        "_lastUpdated",
        "identifier",
        "identifier-type",
        "name",
        "family",
        "given",
        "qualification-code",
        "mailbox-mss",
        "active",
    }
    assert params["PractitionerRole"] == {
        "_id",
        "_lastUpdated",
        "identifier",
        "practitioner",
        "organization",
        "role",
        "specialty",
        "mailbox-mss",
        "active",
    }
    assert {"address-postalcode", "address-city", "type"} <= params["Organization"]
    assert {i["code"] for i in resources["Practitioner"]["interaction"]} == {"read", "search-type"}
    assert resources["Organization"]["profile"].endswith("/as-dp-organization|1.1.0")


def test_trailing_slash_and_empty_parameters(fhir, many):
    assert fhir.get("/fhir/Practitioner/", {"name": ""})["total"] == 7


def test_an_unexpected_error_is_an_operation_outcome_not_a_traceback(fhir, many, monkeypatch):
    def broken(rows):
        raise RuntimeError("boom")

    monkeypatch.setitem(views.BUILDERS, "Practitioner", broken)
    outcome = fhir.get("/fhir/Practitioner", status=500)
    assert outcome["issue"][0]["code"] == "exception"
    assert "boom" not in diagnostics(outcome)
