import pytest

from maillage.fhir import systems
from tests.factories import ActivityFactory, ProfessionalFactory, StructureFactory
from tests.fhir.helpers import ids


@pytest.fixture
def doctor(db):
    return ProfessionalFactory(identifier="10106476764", last_name="LEFÈVRE", first_name="Hélène")


def test_role_points_to_the_organization_when_finess_knows_the_site(fhir, doctor):
    centre = StructureFactory(short_name="CMS MALAKOFF")
    activity = ActivityFactory(professional=doctor, finess_site=centre.finess_et, mode_code="S", mode_label="Salarié")
    role = fhir.get(f"/fhir/PractitionerRole/{activity.pk}")
    assert role["id"] == str(activity.pk)
    assert role["practitioner"] == {
        "reference": "Practitioner/810106476764",
        "type": "Practitioner",
        "display": "Hélène LEFÈVRE",
    }
    assert role["organization"]["reference"] == f"Organization/1{centre.finess_et}"
    # No idSituationExercice in the RPPS open data: Maillage's own profile, not as-dp-practitionerrole.
    assert role["meta"]["profile"] == [systems.maillage_profile("PractitionerRole")]
    # The organization it points to is served here.
    assert fhir.get(f"/fhir/{role['organization']['reference']}")["name"] == "CMS MALAKOFF"
    codes = {c["coding"][0]["system"]: c["coding"][0]["code"] for c in role["code"]}
    assert codes == {systems.PROFESSION: "10", systems.MODE: "S", systems.GENRE: "GENR01"}
    assert role["specialty"][0]["coding"][1]["code"] == "SM54"


def test_role_telecom_and_site_address(fhir, doctor):
    activity = ActivityFactory(professional=doctor, phone="0146000000", email="cabinet@exemple.fr", fax="")
    role = fhir.get(f"/fhir/PractitionerRole/{activity.pk}")
    assert role["telecom"] == [
        {"system": "phone", "value": "0146000000", "use": "work"},
        {"system": "email", "value": "cabinet@exemple.fr", "use": "work"},
    ]
    [location] = role["contained"]
    assert role["location"] == [{"reference": "#site"}]
    assert location["address"]["line"] == ["3 Avenue PIERRE LAROUSSE"]
    assert location["address"]["postalCode"] == "92240"
    assert location["address"]["city"] == "Malakoff"
    assert location["address"]["extension"][0]["valueCoding"]["code"] == "92046"


def test_unknown_finess_site_is_a_logical_reference(fhir, doctor):
    activity = ActivityFactory(professional=doctor, finess_site="920000001", company_name="CLINIQUE X")
    role = fhir.get(f"/fhir/PractitionerRole/{activity.pk}")
    assert "reference" not in role["organization"]
    assert role["organization"]["identifier"]["value"] == "920000001"
    assert role["organization"]["display"] == "CLINIQUE X"


def test_search_by_practitioner_and_organization(fhir, doctor):
    centre = StructureFactory()
    here = ActivityFactory(professional=doctor, finess_site=centre.finess_et)
    elsewhere = ActivityFactory(professional=doctor)
    ActivityFactory(finess_site=centre.finess_et)  # a colleague at the same centre
    for practitioner in ("Practitioner/810106476764", "810106476764", "http://x/fhir/Practitioner/810106476764"):
        found = fhir.search("PractitionerRole", {"practitioner": practitioner})
        assert sorted(ids(found)) == sorted([str(here.pk), str(elsewhere.pk)])
    both = {"practitioner": "Practitioner/810106476764", "organization": f"Organization/1{centre.finess_et}"}
    assert ids(fhir.search("PractitionerRole", both)) == [str(here.pk)]
    assert fhir.search("PractitionerRole", {"organization": "Organization/999"})["total"] == 0


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"role": "10"}, 1),
        ({"role": f"{systems.PROFESSION}|10"}, 1),
        ({"role": f"{systems.PROFESSION}|60"}, 1),
        ({"role": f"{systems.MODE}|L"}, 2),
        ({"role": "10,60"}, 2),
        ({"specialty": "SM54"}, 1),
        ({"specialty": f"{systems.SAVOIR_FAIRE['S']}|SM54"}, 1),
        ({"specialty": f"{systems.SAVOIR_FAIRE_TYPE}|S"}, 1),
        ({"specialty": "SM26"}, 0),
        ({"active": "true"}, 1),
        ({"active": "false"}, 1),
    ],
)
def test_search_by_code_specialty_active(fhir, doctor, params, count):
    ActivityFactory(professional=doctor)
    ActivityFactory(professional=ProfessionalFactory(adeli=True), active=False)
    assert fhir.search("PractitionerRole", params)["total"] == count


def test_search_makes_a_fixed_number_of_queries(fhir, django_assert_max_num_queries):
    structures = StructureFactory.create_batch(3)
    for i in range(30):
        ActivityFactory(finess_site=structures[i % 3].finess_et if i % 2 else "")
    with django_assert_max_num_queries(3):  # the page, the COUNT, the known sites
        bundle = fhir.search("PractitionerRole", {"_count": 25})
    assert bundle["total"] == 30 and len(bundle["entry"]) == 25
    with django_assert_max_num_queries(2):
        assert len(fhir.search("Practitioner", {"_count": 100})["entry"]) == 30
    with django_assert_max_num_queries(1):
        assert len(fhir.search("Organization")["entry"]) == 3
