"""The Annuaire conformance suite: every resource the demo's directory emits for the searches of
issue 18's « Done when » meets the profiles it claims (annuaire_profiles.py, from the Annuaire guide
1.1.0) and FHIR R4 (fhir.resources R4B); each rule family rejects a mutated resource.

The demo (reference territory, demo CPTS, directory imported from its generated RPPS and FINESS
files) is loaded once, in a transaction rolled back after the last test
(tests/fhir/conformance/conftest.py: shared with the SAS suite in a whole run)."""

import copy
from collections import Counter

import pytest

from maillage.directory.models import Activity, DirectoryEntry, Professional, Structure
from maillage.fhir import systems
from tests.fhir.conformance import annuaire_profiles as rules
from tests.fhir.conftest import FhirClient


@pytest.fixture(scope="module")
def demo(conformance_demo):
    """The demo, loaded once (tests/fhir/conformance/conftest.py)."""
    return conformance_demo


@pytest.fixture
def fhir(db, demo):
    return FhirClient()


def _conforms(bundle: dict) -> Counter:
    """Every entry's resource meets its claimed profiles; returns the count per (type, mode)."""
    seen = Counter()
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        seen[(resource["resourceType"], entry["search"]["mode"])] += 1
        if entry["search"]["mode"] == "outcome":
            continue
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
        assert rules.check(resource) == [], (resource["resourceType"], resource["id"], rules.check(resource))
    keys = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle.get("entry", [])]
    assert len(keys) == len(set(keys)), "une ressource incluse deux fois"
    return seen


# « Done when » -----------------------------------------------------------------------------------


def test_role_search_with_both_includes(fhir):
    bundle = fhir.search(
        "PractitionerRole",
        {"_include": ["PractitionerRole:practitioner", "PractitionerRole:organization"], "_count": "100"},
    )
    seen = _conforms(bundle)
    assert seen[("PractitionerRole", "match")] == 100 and seen[("Practitioner", "include")] > 0
    # The roles at establishments FINESS knows: their Organization is included.
    # (The demo's professionals work in cabinets: one of them is placed at a demo establishment.)
    site = Activity.objects.order_by("pk").first()
    site.finess_site = Structure.objects.order_by("finess_et").first().finess_et
    site.save()
    at_site = fhir.search(
        "PractitionerRole",
        {
            "organization": f"Organization/1{site.finess_site}",
            "_include": ["PractitionerRole:practitioner", "PractitionerRole:organization"],
        },
    )
    assert _conforms(at_site)[("Organization", "include")] == 1
    bundle["entry"] += at_site["entry"]
    # Each reference of a match to a served resource is in the Bundle.
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    for entry in bundle["entry"]:
        if entry["search"]["mode"] == "match":
            assert entry["resource"]["practitioner"]["reference"] in present
            reference_ = entry["resource"].get("organization", {}).get("reference")
            assert reference_ is None or reference_ in present


def test_role_search_include_star_is_both(fhir):
    star = fhir.search("PractitionerRole", {"_include": "*", "_count": "20"})
    both = fhir.search(
        "PractitionerRole", {"_include": "PractitionerRole:practitioner,PractitionerRole:organization", "_count": "20"}
    )
    assert _conforms(star) == _conforms(both)


def test_practitioner_search_with_revinclude(fhir):
    bundle = fhir.search("Practitioner", {"_revinclude": "PractitionerRole:practitioner", "_count": "100"})
    seen = _conforms(bundle)
    assert seen[("Practitioner", "match")] == 100 and seen[("PractitionerRole", "include")] >= 100
    matched = {e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"}
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "PractitionerRole":
            assert entry["resource"]["practitioner"]["reference"].split("/")[1] in matched


def test_organization_search_with_revinclude(fhir):
    bundle = fhir.search("Organization", {"_revinclude": "PractitionerRole:organization", "_count": "50"})
    _conforms(bundle)


def test_last_updated_delta_page(fhir):
    """A day's changes, read in the order they were made, page after page, each row once."""
    changed = list(Professional.objects.order_by("national_id")[:7])
    Professional.objects.filter(pk__in=[p.pk for p in changed]).update(updated_at="2031-03-04T10:00:00+01:00")
    first = fhir.search("Practitioner", {"_lastUpdated": "ge2031-03-04", "_count": "5"})
    second = fhir.search("Practitioner", {"_lastUpdated": "ge2031-03-04", "_count": "5", "_offset": "5"})
    _conforms(first), _conforms(second)
    got = [e["resource"]["id"] for e in first["entry"] + second["entry"]]
    assert sorted(got) == sorted(p.national_id for p in changed) and first["total"] == 7
    assert {e["resource"]["meta"]["lastUpdated"] for e in first["entry"]} == {"2031-03-04T09:00:00+00:00"}
    assert "next" in {link["relation"] for link in first["link"]}
    assert fhir.search("Practitioner", {"_lastUpdated": "gt2031-03-04"})["total"] == 0
    assert fhir.search("Practitioner", {"_lastUpdated": "eq2031-03-04"})["total"] == 7
    assert (
        fhir.search("Practitioner", {"_lastUpdated": "lt2031-03-04T10:00:00+01:00", "_total": "accurate"})["total"]
        == Professional.objects.count() - 7
    )


# Every resource of each type, and the claims ---------------------------------------------------


@pytest.mark.parametrize("resource_type", ["Practitioner", "PractitionerRole", "Organization"])
def test_every_resource_of_the_demo_conforms(fhir, resource_type):
    offset, served = 0, set()
    while True:
        page = fhir.search(resource_type, {"_count": "100", "_offset": str(offset)})
        _conforms(page)
        ids = [e["resource"]["id"] for e in page.get("entry", [])]
        assert not served & set(ids), "une ressource sur deux pages"
        served |= set(ids)
        if "next" not in {link["relation"] for link in page["link"]}:
            break
        offset += 100
    assert len(served) == page["total"] > 0


def test_claims_follow_the_identifiers(fhir):
    rpps = Professional.objects.filter(id_type="8").first()
    adeli = Professional.objects.filter(id_type="0").first()
    assert fhir.get(f"/fhir/Practitioner/{rpps.national_id}")["meta"]["profile"] == [
        systems.AS_DP_PRACTITIONER,
        systems.FR_CORE_PRACTITIONER,
    ]
    if adeli is not None:
        assert fhir.get(f"/fhir/Practitioner/{adeli.national_id}")["meta"]["profile"] == [systems.FR_CORE_PRACTITIONER]
    role = fhir.search("PractitionerRole", {"_count": "1"})["entry"][0]["resource"]
    assert systems.AS_DP_PRACTITIONER_ROLE not in role["meta"]["profile"]


def test_mssante_mailboxes_are_published_when_listed(fhir):
    entry = DirectoryEntry.objects.listed().exclude(mssante_address="").select_related("professional").first()
    assert entry is not None
    practitioner = fhir.get(f"/fhir/Practitioner/{entry.professional.national_id}")
    assert entry.mssante_address in [t["value"] for t in practitioner["telecom"]]
    assert rules.check(practitioner) == []
    found = fhir.search("Practitioner", {"mailbox-mss": entry.mssante_address.upper()})
    assert entry.professional.national_id in [e["resource"]["id"] for e in found["entry"]]
    roles = fhir.search("PractitionerRole", {"mailbox-mss": entry.mssante_address})
    assert {e["resource"]["practitioner"]["reference"] for e in roles["entry"]} == {
        f"Practitioner/{entry.professional.national_id}"
    }
    hidden = DirectoryEntry.objects.filter(public_listing=False).exclude(mssante_address="").first()
    if hidden is not None:
        assert fhir.search("Practitioner", {"mailbox-mss": hidden.mssante_address})["total"] in (0, 1)
        text = str(fhir.get(f"/fhir/Practitioner/{hidden.professional.national_id}"))
        listed_elsewhere = DirectoryEntry.objects.listed().filter(mssante_address=hidden.mssante_address).exists()
        assert listed_elsewhere or hidden.mssante_address not in text


# Negative tests: no checker is vacuous -----------------------------------------------------------


def _sample(fhir, resource_type, **params):
    return fhir.search(resource_type, {"_count": "1", **params})["entry"][0]["resource"]


def _rejected(resource, family):
    errors = rules.check(resource)
    assert any(family in e for e in errors), errors


@pytest.mark.parametrize(
    ("resource_type", "mutate", "family"),
    [
        # cardinalities
        ("Practitioner", lambda r: r.pop("active"), rules.CARDINALITY),
        ("Practitioner", lambda r: r.update(address=[{"city": "Vanves"}]), rules.CARDINALITY),
        ("Practitioner", lambda r: r.update(communication=[{"coding": [{"code": "fr"}]}]), rules.CARDINALITY),
        ("Organization", lambda r: r.update(contact=[{"name": {"text": "X"}}]), rules.CARDINALITY),
        ("PractitionerRole", lambda r: r.pop("practitioner"), rules.CARDINALITY),
        # fixed values and claims
        ("Practitioner", lambda r: r["meta"].update(profile=[systems.AS_DP_PRACTITIONER]), rules.FIXED),
        ("PractitionerRole", lambda r: r["meta"]["profile"].append(systems.AS_DP_PRACTITIONER_ROLE), rules.FIXED),
        ("PractitionerRole", lambda r: r["identifier"][0].update(system=systems.RPPS), rules.FIXED),
        ("Organization", lambda r: r["meta"].update(profile=["https://example.org/autre|1"]), rules.FIXED),
        # bindings
        ("Practitioner", lambda r: r["qualification"][0]["code"]["coding"][0].update(code="médecin"), rules.BINDING),
        ("PractitionerRole", lambda r: r["code"][0]["coding"][0].update(system="https://example.org"), rules.BINDING),
        ("Organization", lambda r: r["type"][0]["coding"][0].update(code="HOSPITAL"), rules.BINDING),
        # invariants
        ("Practitioner", lambda r: r["identifier"][0].update(value="812345678901"), rules.INVARIANT),
        ("Practitioner", lambda r: r.update(telecom=[{"system": "phone", "value": "0102030405"}]), rules.INVARIANT),
        ("Practitioner", lambda r: r["meta"].update(lastUpdated="2026-12-06"), rules.INVARIANT),
        ("Organization", lambda r: r["type"][0].pop("extension"), rules.INVARIANT),
        ("Organization", lambda r: r.update(name=""), rules.INVARIANT),
        ("PractitionerRole", lambda r: r.update(contained=[{"resourceType": "Location", "id": "x"}]), rules.INVARIANT),
    ],
)
def test_each_rule_family_rejects_a_mutated_resource(fhir, resource_type, mutate, family):
    params = {"identifier-type": "RPPS"} if resource_type == "Practitioner" else {}
    resource = _sample(fhir, resource_type, **params)
    assert rules.check(resource) == []
    broken = copy.deepcopy(resource)
    mutate(broken)
    _rejected(broken, family)


def test_a_mailbox_without_its_type_is_rejected(fhir):
    entry = DirectoryEntry.objects.listed().exclude(mssante_address="").select_related("professional").first()
    practitioner = fhir.get(f"/fhir/Practitioner/{entry.professional.national_id}")
    practitioner["telecom"][0].pop("extension")
    _rejected(practitioner, rules.INVARIANT)
