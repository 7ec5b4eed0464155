"""The Annuaire search parameters behave as the national API documents them (documentation
version 2: _include, _revinclude, _lastUpdated, _total, _elements, modifiers, POST _search, paging),
every resource they return meets its profiles, and bad input is an OperationOutcome, never a 500."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from maillage.directory.models import DirectoryEntry
from maillage.fhir import systems
from tests.factories import ActivityFactory, CptsFactory, ProfessionalFactory, StructureFactory
from tests.fhir.conformance import annuaire_profiles as rules
from tests.fhir.helpers import FHIR_JSON, diagnostics, ids, links, validate


def _ok(bundle):
    for entry in bundle.get("entry", []):
        if entry["search"]["mode"] != "outcome" and "SUBSETTED" not in str(entry["resource"]["meta"]):
            assert rules.check(entry["resource"]) == [], rules.check(entry["resource"])
    return bundle


def search(fhir, resource_type, params=None, **kwargs):
    return _ok(fhir.search(resource_type, params, **kwargs))


@pytest.fixture
def people(db):
    return {
        "martin": ProfessionalFactory(last_name="Martin", first_name="Élodie"),
        "martinez": ProfessionalFactory(last_name="MARTINEZ", first_name="Paul"),
        "demartin": ProfessionalFactory(last_name="Le Martin", first_name="Jean", profession_code="60"),
        "adeli": ProfessionalFactory(
            id_type="0", identifier="929999999", last_name="Infirmière", profession_code="60", savoir_faire_code=""
        ),
    }


def test_name_modifiers(fhir, people):
    assert set(ids(search(fhir, "Practitioner", {"family": "martin"}))) == {
        people["martin"].national_id,
        people["martinez"].national_id,
    }
    assert ids(search(fhir, "Practitioner", {"family:exact": "Martin"})) == [people["martin"].national_id]
    assert ids(search(fhir, "Practitioner", {"family:exact": "MARTIN"})) == []  # case and accents count
    assert ids(search(fhir, "Practitioner", {"given:exact": "Élodie"})) == [people["martin"].national_id]
    assert ids(search(fhir, "Practitioner", {"given:exact": "Elodie"})) == []
    contains = search(fhir, "Practitioner", {"name:contains": "martin"})
    assert len(ids(contains)) == 3 and "total" in contains  # a short page counts itself
    assert ids(search(fhir, "Practitioner", {"name:exact": "Paul"})) == [people["martinez"].national_id]


def test_identifier_type_and_qualification_code(fhir, people):
    adeli = people["adeli"].national_id
    assert adeli in ids(search(fhir, "Practitioner", {"identifier-type": "ADELI"}))
    assert adeli not in ids(search(fhir, "Practitioner", {"identifier-type": f"{systems.IDENTIFIER_TYPE}|RPPS"}))
    assert len(ids(search(fhir, "Practitioner", {"identifier-type": "IDNPS"}))) == 4
    nurses = ids(search(fhir, "Practitioner", {"qualification-code": f"{systems.PROFESSION}|60"}))
    assert set(nurses) == {adeli, people["demartin"].national_id}
    assert len(ids(search(fhir, "Practitioner", {"qualification-code": "SM54"}))) == 3
    gp = f"{systems.SAVOIR_FAIRE['S']}|SM54"
    assert len(ids(search(fhir, "Practitioner", {"qualification-code": gp}))) == 3
    fhir.get("/fhir/Practitioner", {"qualification-code": "https://example.org|1"}, status=400)
    fhir.get("/fhir/Practitioner", {"identifier-type": "NIR"}, status=400)


def test_organization_parameters(fhir, db):
    centre = StructureFactory(short_name="CENTRE MIGNOT", finess_ej="750000012", postal_line="78000 VERSAILLES")
    other = StructureFactory(finess_ej="750000012")
    StructureFactory()
    assert set(ids(search(fhir, "Organization", {"partof": "Organization/1750000012"}))) == {
        f"1{centre.finess_et}",
        f"1{other.finess_et}",
    }
    assert ids(search(fhir, "Organization", {"name:contains": "mignot"})) == [f"1{centre.finess_et}"]
    assert ids(search(fhir, "Organization", {"name:exact": "CENTRE MIGNOT"})) == [f"1{centre.finess_et}"]
    assert ids(search(fhir, "Organization", {"name:exact": "centre mignot"})) == []
    assert ids(search(fhir, "Organization", {"address-postalcode": "78", "address-city": "versailles"})) == [
        f"1{centre.finess_et}"
    ]
    assert len(ids(search(fhir, "Organization", {"identifier-type": "SIRET"}))) == 3
    fhir.get("/fhir/Organization", {"partof": "Practitioner/810000000000"}, status=400)


def test_role_identifier_and_mailbox(fhir, db):
    role = ActivityFactory()
    ActivityFactory()
    system = systems.maillage_canonical("NamingSystem", "activite")
    assert ids(search(fhir, "PractitionerRole", {"identifier": f"{system}|{role.pk}"})) == [str(role.pk)]
    assert ids(search(fhir, "PractitionerRole", {"identifier": str(role.pk)})) == [str(role.pk)]
    fhir.get("/fhir/PractitionerRole", {"identifier": f"{systems.RPPS}|1"}, status=400)
    DirectoryEntry.objects.create(
        cpts=CptsFactory(),
        professional=role.professional,
        mssante_address="a.b@medecin.mssante.fr",
        public_listing=True,
    )
    assert ids(search(fhir, "PractitionerRole", {"mailbox-mss": "A.B@medecin.mssante.fr"})) == [str(role.pk)]


def test_total_elements_and_count(fhir, people):
    assert "total" not in search(fhir, "Practitioner", {"_total": "none"})
    assert search(fhir, "Practitioner", {"_total": "accurate", "_count": "1"})["total"] == 4
    assert search(fhir, "Practitioner", {"_total": "estimate", "_count": "1"})["total"] == 4
    fhir.get("/fhir/Practitioner", {"_total": "sometimes"}, status=400)
    only = search(fhir, "Practitioner", {"_count": "0"})
    assert only["total"] == 4 and "entry" not in only
    subset = search(fhir, "Practitioner", {"_elements": "name", "_count": "1"})["entry"][0]["resource"]
    assert set(subset) == {"resourceType", "id", "meta", "name"}
    assert subset["meta"]["tag"][0]["code"] == "SUBSETTED" and "profile" not in subset["meta"]
    fhir.get("/fhir/Practitioner", {"_elements": "name;drop"}, status=400)


def test_paging_links_walk_every_row_once(fhir, db):
    ProfessionalFactory.create_batch(23)
    url, seen = "/fhir/Practitioner?_count=5", []
    while url:
        page = (
            search(fhir, "Practitioner", None) if url is None else _ok(fhir.get(url.replace("http://testserver", "")))
        )
        seen += ids(page)
        relations = links(page)
        assert {"self", "first"} <= set(relations)
        url = relations.get("next")
    assert len(seen) == len(set(seen)) == 23
    middle = fhir.get("/fhir/Practitioner", {"_count": "5", "_offset": "10"})
    assert "_offset=5" in links(middle)["previous"] and "_offset=15" in links(middle)["next"]


def test_includes_are_bounded_and_unknown_ones_refused(fhir, db):
    structure = StructureFactory()
    ActivityFactory.create_batch(3, finess_site=structure.finess_et)
    bundle = search(fhir, "Organization", {"_revinclude": "PractitionerRole:organization"})
    assert [e["search"]["mode"] for e in bundle["entry"]] == ["match", "include", "include", "include"]
    outcome = fhir.get("/fhir/PractitionerRole", {"_include": "PractitionerRole:location"}, status=400)
    assert "PractitionerRole:location" in diagnostics(outcome)
    fhir.get("/fhir/Practitioner", {"_include": "PractitionerRole:practitioner"}, status=400)
    fhir.get("/fhir/Organization", {"_revinclude": "Organization:partof"}, status=400)
    fhir.get("/fhir/PractitionerRole", {"_include:iterate": "PractitionerRole:practitioner"}, status=400)


def test_unsupported_parameters_are_named_or_ignored_when_lenient(fhir, people):
    outcome = fhir.get("/fhir/Practitioner", {"birthdate": "1970", "gender": "female"}, status=400)
    assert "« birthdate »" in diagnostics(outcome) and "« gender »" in diagnostics(outcome)
    lenient = search(fhir, "Practitioner", {"birthdate": "1970", "family": "martin"}, Prefer="handling=lenient")
    assert [e["search"]["mode"] for e in lenient["entry"]] == ["match", "match", "outcome"]
    assert "birthdate" in lenient["entry"][-1]["resource"]["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "params",
    [{"_lastUpdated": "2026-13-01"}, {"_lastUpdated": "xx2026"}, {"_lastUpdated": "ge1850-01-01"}, {"_count": "-1"}],
)
def test_bad_values_are_operation_outcomes(fhir, db, params):
    fhir.get("/fhir/Practitioner", params, status=400)


def test_post_search_with_form_parameters(db, people):
    client = Client()
    form = urlencode({"family": "martin", "_count": "1", "_revinclude": "PractitionerRole:practitioner"})
    response = client.post("/fhir/Practitioner/_search", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    bundle = _ok(validate(response.json()))
    assert bundle["total"] == 2 and len(ids(bundle)) == 1
    assert "family=martin" in links(bundle)["next"] and "/fhir/Practitioner?" in links(bundle)["next"]
    json_body = client.post("/fhir/Practitioner/_search", "{}", content_type="application/json")
    assert json_body.status_code == 415 and json_body.json()["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/Practitioner/_search").status_code == 405
    assert client.post("/fhir/Practitioner", {"family": "x"}).status_code == 405


def test_metadata_lists_exactly_what_is_served(fhir, people):
    from maillage.fhir.search import RESOURCES

    statement = fhir.get("/fhir/metadata")
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    samples = {"token": "x", "string": "x", "reference": "Organization/1000000000", "date": "ge2026-01-01"}
    for resource_type, spec in RESOURCES.items():
        declared = resources[resource_type]
        names = [p["name"] for p in declared["searchParam"]]
        assert names == ["_id", "_lastUpdated", *(p.name for p in spec.params)]
        for param in declared["searchParam"]:
            assert param["definition"].startswith(("http://hl7.org/fhir/SearchParameter/", "https://", "http://"))
            assert param["type"] in samples and param["documentation"]
            value = samples[param["type"]]
            if param["name"] in ("practitioner",):
                value = "Practitioner/810000000000"
            if param["name"] == "active":
                value = "true"
            if param["name"] == "identifier-type":
                value = "IDNST" if resource_type == "Organization" else "RPPS"
            search(fhir, resource_type, {param["name"]: value})  # each one is served
        assert declared.get("searchInclude", []) == (["*", *spec.includes] if spec.includes else [])
        assert declared.get("searchRevInclude", []) == list(spec.revincludes)
        assert "POST" in declared["interaction"][1]["documentation"]
    assert resources["PractitionerRole"]["profile"] == systems.maillage_profile("PractitionerRole")
    assert resources["Practitioner"]["profile"] == systems.AS_DP_PRACTITIONER


def test_a_hospitals_reverse_includes_stop_at_the_bound_and_say_how_to_page(fhir, db, monkeypatch):
    from maillage.fhir import includes

    monkeypatch.setattr(includes, "MAX_REVINCLUDED", 4)  # the bound as it works at 200, on a few rows
    hospital = StructureFactory()
    roles = ActivityFactory.create_batch(6, finess_site=hospital.finess_et)
    bundle = search(fhir, "Organization", {"_revinclude": "PractitionerRole:organization"})
    modes = [e["search"]["mode"] for e in bundle["entry"]]
    assert modes == ["match", "include", "include", "include", "include", "outcome"]
    warning = bundle["entry"][-1]["resource"]["issue"][0]
    assert warning["severity"] == "warning" and "4 premières situations d'exercice" in warning["diagnostics"]
    assert "PractitionerRole?organization=" in warning["diagnostics"]
    # The client pages through the rest: every role of the hospital, once.
    paged = search(fhir, "PractitionerRole", {"organization": f"Organization/1{hospital.finess_et}"})
    assert sorted(ids(paged), key=int) == sorted(str(r.pk) for r in roles)


def test_a_total_beyond_the_bound_is_left_out_unless_asked(fhir, db, monkeypatch):
    from maillage.fhir import search as fhir_search

    monkeypatch.setattr(fhir_search, "COUNT_BOUND", 5)  # as at 10,000, on a few rows
    ProfessionalFactory.create_batch(7, last_name="Lefebvre")
    many = search(fhir, "Practitioner", {"family": "lefebvre", "_count": "2"})
    assert "total" not in many and len(ids(many)) == 2 and "next" in links(many) and "last" not in links(many)
    assert search(fhir, "Practitioner", {"family": "lefebvre", "_count": "2", "_total": "accurate"})["total"] == 7
    monkeypatch.setattr(fhir_search, "COUNT_BOUND", 10)
    assert search(fhir, "Practitioner", {"family": "lefebvre", "_count": "2"})["total"] == 7


def test_name_lists_family_names_then_given_names_across_pages(fhir, db):
    family = [ProfessionalFactory(last_name=n, first_name="Zoé") for n in ("Paulin", "Paul", "Pauly")]
    given = [ProfessionalFactory(last_name=n, first_name="Pauline") for n in ("Abadie", "Zola", "Moreau")]
    ProfessionalFactory(last_name="Durand", first_name="Jean")
    expected = [p.national_id for p in sorted(family, key=lambda p: p.search_name)]
    expected += [p.national_id for p in sorted(given, key=lambda p: p.search_given)]
    first = search(fhir, "Practitioner", {"name": "paul", "_count": "2"})
    assert first["total"] == 6
    pages = [ids(first)] + [
        ids(search(fhir, "Practitioner", {"name": "paul", "_count": "2", "_offset": str(at)})) for at in (2, 4, 6)
    ]
    assert pages == [expected[:2], expected[2:4], expected[4:], []]
    # A page starting past the family names: the given names are reached by counting the first part.
    assert ids(search(fhir, "Practitioner", {"name": "paul", "_count": "2", "_offset": "3"})) == expected[3:5]


def test_postal_code_and_city_are_searched_from_the_postal_line(fhir, db):
    issy = StructureFactory(postal_line="92130 ISSY LES MOULINEAUX CEDEX")
    saint = StructureFactory(postal_line="93200 ST DENIS")
    StructureFactory(postal_line="75014 PARIS")

    def found(params):
        return set(ids(search(fhir, "Organization", params)))

    assert found({"address-postalcode": "9213"}) == {f"1{issy.finess_et}"}
    assert found({"address-postalcode": "93200"}) == {f"1{saint.finess_et}"}
    assert found({"address-city": "Issy-les-Moulineaux"}) == {f"1{issy.finess_et}"}
    assert found({"address-city": "Saint-Denis"}) == {f"1{saint.finess_et}"}  # « ST » is saint
    assert found({"address-city": "moulineaux"}) == set()  # the start of the town, not any word
    assert found({"address-postalcode": "%"}) == set() and found({"address-city": "_"}) == set()
