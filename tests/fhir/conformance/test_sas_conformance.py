"""The SAS half of the conformance suite: every resource the demo serves to the SAS meets its profile
of the guide « Service d'Accès aux Soins » 1.1.0 (tests/fhir/conformance/sas_profiles.py), and is
valid FHIR R4 (fhir.resources R4B).

The demo (real reference territory, `load_demo`) is loaded once, in a transaction rolled back after
the last test; each test runs in a savepoint inside it (tests/fhir/conformance/conftest.py: shared
with the Annuaire suite in a whole run). The guide's example CPTS
query (specifications_techniques-cpts-recherche_creneaux.md: start=ge/le, up to 25 IDNPS,
status=free, the four includes) is sent for every practitioner who has slots to come.
"""

import copy
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from maillage.fhir import systems
from maillage.unscheduled.enums import SlotStatus
from maillage.unscheduled.models import SasConsumer, Slot
from tests.fhir.conformance import sas_profiles
from tests.fhir.helpers import validate

pytestmark = pytest.mark.reference

GUIDE_INCLUDES = [
    ("_include", "Slot:schedule"),
    ("_include:iterate", "Schedule:actor"),
    ("_include", "Slot:service-type-reference"),
    ("_include:iterate", "HealthcareService:organization"),
]


@pytest.fixture(scope="module")
def _sas_demo(conformance_demo, django_db_blocker):
    """A SAS consumer's key, on the demo loaded once (tests/fhir/conformance/conftest.py), inside its
    transaction."""
    with django_db_blocker.unblock():
        return SasConsumer.create_with_key("Plateforme SAS (conformité)")[1]


def _check(resource: dict) -> list[str]:
    return sas_profiles.check(resource)


def _get(key, path, params, *, status=200):
    response = Client().get(path, params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == status, response.content.decode()
    return validate(response.json())  # R4 (fhir.resources R4B): the bundle and each entry


def _served():
    """The free slots to come the SAS is served: those of the CPTS with a FINESS (the guide knows a
    CPTS by it; the demo also has CPTS without one, whose slots stay out of every answer)."""
    return Slot.objects.filter(status=SlotStatus.FREE, start__gte=timezone.now()).exclude(cpts__finess="")


def _groups_of_practitioners() -> list[list[str]]:
    """The IDNPS of every practitioner with free slots to come served to the SAS, by 25 (the guide's
    maximum)."""
    ids = sorted(set(_served().values_list("professional__national_id", flat=True)))
    return [ids[i : i + 25] for i in range(0, len(ids), 25)]


def _guide_query(national_ids, start, end) -> list[tuple[str, str]]:
    identifiers = ",".join(f"{systems.IDNPS}|{n}" for n in national_ids)
    return [
        *GUIDE_INCLUDES,
        ("start", f"ge{timezone.localtime(start).isoformat()}"),
        ("start", f"le{timezone.localtime(end).isoformat()}"),
        ("schedule.actor:Practitioner.identifier", identifiers),
        ("status", "free"),
    ]


@pytest.fixture(scope="module")
def guide_answers(_sas_demo, django_db_blocker):
    """The guide's query for every practitioner of the demo with slots to come (all of them)."""
    from urllib.parse import urlencode

    with django_db_blocker.unblock():
        groups = _groups_of_practitioners()
        now = timezone.now()
        last = Slot.objects.filter(status=SlotStatus.FREE).order_by("-start").values_list("start", flat=True).first()
        answers = []
        for group in groups:
            query = urlencode(_guide_query(group, now, last + timedelta(hours=1)), safe=":|,")
            answers.append(_get(_sas_demo, f"/fhir/Slot?{query}", {}))
    return groups, answers


def _resources(bundles) -> list[dict]:
    found = []
    for bundle in bundles:
        for entry in bundle.get("entry", []):
            found.append(entry["resource"])
            found += entry["resource"].get("contained", [])
    return found


def test_the_guide_query_on_the_demo_meets_the_sas_profiles(db, guide_answers):
    groups, answers = guide_answers
    assert groups and sum(len(g) for g in groups) >= 10, "the demo opens slots for some practitioners of each CPTS"
    for bundle in answers:
        assert _check(bundle) == []
        assert bundle["total"] == sum(e["search"]["mode"] == "match" for e in bundle["entry"])
    checked = Counter(r["resourceType"] for r in _resources(answers))
    # Every profile in scope was met at least once, the contained Location included.
    assert set(checked) == {"Slot", "Schedule", "Practitioner", "PractitionerRole", "Location", "HealthcareService",
                            "Organization"}  # fmt: skip
    assert checked["Slot"] == _served().count()
    assert Slot.objects.filter(status=SlotStatus.FREE, cpts__finess="").exists(), "the demo shows the exclusion too"


def test_every_reference_of_the_answer_resolves_in_it(db, guide_answers):
    """What the includes promise: the Slot leads to its Schedule and HealthcareService, the Schedule
    to its Practitioner and PractitionerRole, the HealthcareService to its Organization."""
    for bundle in guide_answers[1]:
        by_url = {e["fullUrl"].split("/fhir/")[1]: e["resource"] for e in bundle["entry"]}
        for resource in by_url.values():
            services = sas_profiles.values(resource, f"serviceType.ext({sas_profiles.SERVICE_TYPE_R5}).valueReference")
            refs = {
                "Slot": [resource.get("schedule"), *services],
                "Schedule": resource.get("actor", []),
                "HealthcareService": [resource.get("providedBy")],
                "PractitionerRole": [resource.get("practitioner")],
            }.get(resource["resourceType"], [])
            for ref in refs:
                assert ref["reference"] in by_url, f"{resource['resourceType']}/{resource['id']} → {ref['reference']}"


def test_the_schedule_search_and_the_reads_meet_the_profiles(db, _sas_demo, guide_answers):
    groups, answers = guide_answers
    for group in groups:
        actors = ",".join(f"Practitioner/{n}" for n in group)
        bundle = _get(_sas_demo, "/fhir/Schedule", {"actor": actors})
        assert [link["relation"] for link in bundle["link"]] == ["self"] and bundle["total"] >= len(group)
        for entry in bundle["entry"]:
            assert _check(entry["resource"]) == []
    # Each Slot, Schedule, HealthcareService and Organization reads back in its SAS shape.
    seen = set()
    for entry in answers[0]["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in ("Practitioner", "PractitionerRole") or resource["resourceType"] in seen:
            continue  # those two are read from the directory, in the Annuaire's shape
        seen.add(resource["resourceType"])
        read = _get(_sas_demo, entry["fullUrl"].removeprefix("http://testserver"), {})
        assert _check(read) == []


# Each rule family can fail: a mutated resource is rejected ----------------------------------------


def _first(guide_answers, resource_type) -> dict:
    for bundle in guide_answers[1]:
        for entry in bundle["entry"]:
            resource = entry["resource"]
            if resource["resourceType"] == resource_type and not sas_profiles.check(resource):
                return copy.deepcopy(resource)
    raise AssertionError(resource_type)


def _broken(resource, change) -> list[str]:
    assert _check(resource) == []
    change(resource)
    return _check(resource)


def test_a_cardinality_broken_is_caught(db, guide_answers):
    role = _first(guide_answers, "PractitionerRole")
    problems = _broken(role, lambda r: r["contained"][0]["address"]["line"].append("Bâtiment B"))
    assert any("line: 2 valeur(s), cardinalité 1..1" in p for p in problems)
    role = _first(guide_answers, "PractitionerRole")
    assert any("city: 0 valeur(s)" in p for p in _broken(role, lambda r: r["contained"][0]["address"].pop("city")))
    practitioner = _first(guide_answers, "Practitioner")
    assert any("identifier: 0 valeur(s)" in p for p in _broken(practitioner, lambda r: r.pop("identifier")))
    bundle = copy.deepcopy(guide_answers[1][0])
    next_link = {"relation": "next", "url": "http://testserver/fhir/Slot?_offset=1000"}
    assert any("link: 2 valeur(s)" in p for p in _broken(bundle, lambda b: b["link"].append(next_link)))


def test_a_fixed_value_broken_is_caught(db, guide_answers):
    slot = _first(guide_answers, "Slot")
    assert any("status: 'busy'" in p for p in _broken(slot, lambda s: s.update(status="busy")))
    organization = _first(guide_answers, "Organization")
    # The HEAD (1.2.0 ci-build) identifier type, not the pinned version's.
    head = {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "IDNST"}
    problems = _broken(organization, lambda o: o["identifier"][0]["type"].update(coding=[head]))
    assert any("type.coding" in p for p in problems)
    practitioner = _first(guide_answers, "Practitioner")
    problems = _broken(practitioner, lambda p: p["identifier"][0].update(system="https://rpps.esante.gouv.fr"))
    assert any("system" in p for p in problems)


def test_a_required_binding_broken_is_caught(db, guide_answers):
    slot = _first(guide_answers, "Slot")
    problems = _broken(slot, lambda s: s["meta"]["security"].append({"system": sas_profiles.TRE_R314, "code": "VIP"}))
    assert any("sas-cpts-valueset-typecreneau" in p for p in problems)
    slot = _first(guide_answers, "Slot")
    problems = _broken(slot, lambda s: s["appointmentType"]["coding"][0].update(code="EMERGENCY"))
    assert any("sas-valueset-appointmentreason" in p for p in problems)
    slot = _first(guide_answers, "Slot")
    problems = _broken(slot, lambda s: s["serviceType"][0]["coding"][0].update(code="EMER"))
    assert any("sas-valueset-typeconsultation" in p for p in problems)


def test_an_invariant_broken_is_caught(db, guide_answers):
    organization = _first(guide_answers, "Organization")
    problems = _broken(organization, lambda o: o["identifier"][0].update(value="12A0000001"))
    assert any(p.startswith("identifier › FINESS-invariant") for p in problems)
    role = _first(guide_answers, "PractitionerRole")
    assert any("ref-location" in p for p in _broken(role, lambda r: r.update(location=[{"reference": "#ailleurs"}])))
    schedule = _first(guide_answers, "Schedule")
    problems = _broken(schedule, lambda s: s["actor"].append({"reference": "Device/1"}))
    assert any("ref-actor" in p for p in problems)
    slot = _first(guide_answers, "Slot")
    assert any("ele-1" in p for p in _broken(slot, lambda s: s.update(specialty=[])))
    for resource_type in sas_profiles.PROFILES:
        if resource_type in ("Bundle", "Location"):
            continue
        resource = _first(guide_answers, resource_type)
        assert any("meta-profile" in p for p in _broken(resource, lambda r: r["meta"].update(profile=["x"])))


def test_a_slice_broken_is_caught(db, guide_answers):
    slot = _first(guide_answers, "Slot")
    # The CPTS slice without its reference to the HealthcareService…
    problems = _broken(slot, lambda s: s["serviceType"][1].pop("extension"))
    assert any(p.startswith("serviceType › ext(") and "1..1" in p for p in problems)
    # …and the consultation slice with one.
    slot = _first(guide_answers, "Slot")
    problems = _broken(slot, lambda s: s["serviceType"][0].update(extension=s["serviceType"][1]["extension"]))
    assert any("0..0" in p for p in problems)
    # A Bundle without the Practitioner its slice asks for.
    bundle = copy.deepcopy(guide_answers[1][0])
    problems = _broken(
        bundle, lambda b: b.update(entry=[e for e in b["entry"] if e["resource"]["resourceType"] != "Practitioner"])
    )
    assert "entry[practitionerAgregateur]: 1..* entrée(s) Practitioner" in problems
