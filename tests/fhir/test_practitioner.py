import pytest

from maillage.directory.models import DirectoryEntry, Skill
from maillage.fhir import systems
from tests.factories import ActivityFactory, CptsFactory, ProfessionalFactory
from tests.fhir.helpers import ids

IDNPS = "urn:oid:1.2.250.1.71.4.2.1"


@pytest.fixture
def doctor(db):
    return ProfessionalFactory(identifier="10106476764", last_name="LEFÈVRE", first_name="Hélène", civility_code="MME")


def test_done_when_search_by_national_identifier(fhir, doctor):
    ProfessionalFactory()  # someone else, not returned
    bundle = fhir.search("Practitioner", {"identifier": f"{IDNPS}|810106476764"})
    assert bundle["total"] == 1
    [entry] = bundle["entry"]
    assert entry["fullUrl"] == "http://testserver/fhir/Practitioner/810106476764"
    assert entry["search"] == {"mode": "match"}
    practitioner = entry["resource"]
    assert practitioner["id"] == "810106476764"
    assert practitioner["identifier"] == [
        {
            "use": "official",
            "type": {
                "coding": [{"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "IDNPS"}]
            },
            "system": IDNPS,
            "value": "810106476764",
        },
        {
            "use": "official",
            "type": {
                "coding": [{"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "RPPS"}]
            },
            "system": "https://rpps.esante.gouv.fr",
            "value": "10106476764",
        },
    ]


def test_read_practitioner(fhir, doctor):
    practitioner = fhir.get("/fhir/Practitioner/810106476764")
    assert practitioner["resourceType"] == "Practitioner"
    assert practitioner["active"] is True
    assert practitioner["meta"]["profile"][0].endswith("/as-dp-practitioner|1.1.0")
    assert practitioner["name"] == [
        {"use": "usual", "family": "LEFÈVRE", "given": ["Hélène"], "prefix": ["MME"], "suffix": ["DR"]}
    ]
    profession, specialty = practitioner["qualification"]
    assert profession["code"]["coding"][0] == {"system": systems.PROFESSION, "code": "10", "display": "Médecin"}
    assert specialty["code"]["coding"] == [
        {"system": systems.SAVOIR_FAIRE_TYPE, "code": "S", "display": "Spécialité ordinale"},
        {
            "system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale",
            "code": "SM54",
            "display": "Médecine générale",
        },
    ]


def test_adeli_professional_has_only_the_national_identifier(fhir):
    nurse = ProfessionalFactory(adeli=True)
    practitioner = fhir.get(f"/fhir/Practitioner/{nurse.national_id}")
    assert nurse.national_id.startswith("0")
    assert [i["system"] for i in practitioner["identifier"]] == [IDNPS]
    assert [q["code"]["coding"][0]["code"] for q in practitioner["qualification"]] == ["60"]


@pytest.mark.parametrize(
    "identifier",
    ["810106476764", "10106476764", "https://rpps.esante.gouv.fr|10106476764", f"{IDNPS}|810106476764,{IDNPS}|80"],
)
def test_identifier_forms(fhir, doctor, identifier):
    assert ids(fhir.search("Practitioner", {"identifier": identifier})) == ["810106476764"]


def test_identifier_without_system_matches_nothing_here(fhir, doctor):
    assert fhir.search("Practitioner", {"identifier": "|810106476764"})["total"] == 0


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"name": "lefevre"}, True),
        ({"name": "HELENE"}, True),
        ({"name": "Hél"}, True),
        ({"family": "Lefèv"}, True),
        ({"family": "helene"}, False),
        ({"given": "helene"}, True),
        ({"given": "lefevre"}, False),
        ({"name": "lefevre", "given": "hel"}, True),
        ({"name": "lefevre", "family": "martin"}, False),
        ({"name": "martin,lefevre"}, True),
        ({"name": "efevre"}, False),
    ],
)
def test_name_search_is_accent_and_case_insensitive_prefix(fhir, doctor, params, found):
    ProfessionalFactory(last_name="MARTINEZ", first_name="Paul")
    assert ("810106476764" in ids(fhir.search("Practitioner", params))) is found


def test_active_filter(fhir, doctor):
    gone = ProfessionalFactory(active=False)
    assert ids(fhir.search("Practitioner", {"active": "false"})) == [gone.national_id]
    assert ids(fhir.search("Practitioner", {"active": "true"})) == [doctor.national_id]
    assert fhir.get(f"/fhir/Practitioner/{gone.national_id}")["active"] is False


def test_enrichment_never_appears(fhir, doctor):
    """What a CPTS adds (languages, skills, new patients) stays out, published or not; of it, only
    the MSSanté mailbox of a publicly listed entry is published (tests/fhir/conformance)."""
    ActivityFactory(professional=doctor, email="cabinet@exemple.fr")
    entry = DirectoryEntry.objects.create(
        cpts=CptsFactory(),
        professional=doctor,
        languages=["Tamoul"],
        accepts_new_patients=True,
        new_patient_capacity=12,
        mssante_address="helene.lefevre@medecin.mssante.fr",
        public_listing=True,
    )
    entry.skills.add(Skill.objects.create(code="echographie", label="Échographie"))
    bodies = [
        fhir.get("/fhir/Practitioner/810106476764"),
        fhir.search("Practitioner", {"name": "lefevre"}),
        fhir.search("PractitionerRole", {"practitioner": "Practitioner/810106476764"}),
    ]
    for body in bodies:
        text = str(body).lower()
        for secret in ("tamoul", "chographie", "communication", "patient"):
            assert secret not in text
    entry.public_listing = False
    entry.save()
    assert "helene.lefevre@medecin.mssante.fr" not in str(fhir.get("/fhir/Practitioner/810106476764"))
