"""The SAS interface: GET /fhir/Slot as the ANS guide « Service d'Accès aux Soins » specifies it
for CPTS agenda managers, with its includes, its key, and its refusals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from maillage.fhir import sas, systems
from maillage.unscheduled.models import SasConsumer, Slot
from tests.factories import ActivityFactory, ProfessionalFactory, with_check_digit
from tests.fhir.helpers import FHIR_JSON, diagnostics, validate

PARIS = ZoneInfo("Europe/Paris")
DAY = datetime(2031, 6, 12, tzinfo=PARIS)  # far enough ahead: slots are never in the past
RPPS = with_check_digit("1000290937")
MSP_FINESS = with_check_digit("92003000")
INCLUDES = {
    "_include": ["Slot:schedule", "Slot:service-type-reference"],
    "_include:iterate": ["Schedule:actor", "HealthcareService:organization"],
}


def idnps(*national_ids: str) -> str:
    return ",".join(f"{systems.IDNPS}|{n}" for n in national_ids)


def criteria(*national_ids: str, start=DAY, end=DAY + timedelta(days=3), **extra) -> dict:
    params = {
        "start": [f"ge{start.isoformat()}", f"le{end.isoformat()}"],
        "schedule.actor:Practitioner.identifier": idnps(*(national_ids or (f"8{RPPS}",))),
        "status": "free",
    }
    return params | extra


class SasClient:
    """A consumer of the SAS interface: its key in every request, every answer checked as FHIR R4."""

    def __init__(self, key: str):
        self.client = Client()
        self.key = key

    def get(self, path, params=None, *, status=200, key=None, **headers):
        if key is None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        elif key:
            headers["Authorization"] = key
        response = self.client.get(path, params or {}, headers=headers)
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == FHIR_JSON
        body = validate(response.json())
        if status >= 400:
            assert body["resourceType"] == "OperationOutcome"
            assert body["issue"][0]["severity"] == "error"
        return body

    def search(self, params, **kwargs):
        bundle = self.get("/fhir/Slot", params, **kwargs)
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        return bundle


@pytest.fixture
def consumer(db):
    return SasConsumer.create_with_key("Plateforme SAS")


@pytest.fixture
def sas_client(consumer):
    return SasClient(consumer[1])


@pytest.fixture
def agenda(idf):
    """A GP of cmv with slots of every kind, and slots that must not come back."""
    doctor = ProfessionalFactory(identifier=RPPS, last_name="FORET", first_name="Pierre")
    # The site's FINESS as the RPPS gives it (no Structure row: the SAS only shows the number).
    site = ActivityFactory(professional=doctor, finess_site=MSP_FINESS, trade_name="MSP Malakoff")
    malakoff = idf["communes"]["92046"]

    def slot(start, *, cpts=idf["cmv"], professional=doctor, kind="practice", types=("PUBLIC", "CPTS"), **fields):
        return Slot.objects.create(
            cpts=cpts,
            professional=professional,
            activity=fields.pop("activity", site),
            commune=malakoff,
            start=start,
            end=start + timedelta(minutes=20),
            kind=kind,
            types=list(types),
            profession_code=professional.profession_code,
            profession_label=professional.profession_label,
            specialty_code=professional.savoir_faire_code,
            specialty_label=professional.savoir_faire_label,
            **fields,
        )

    slots = {
        "practice": slot(DAY.replace(hour=16, minute=40)),
        "home": slot(DAY.replace(hour=18), kind="home", types=("SNP",)),
        "tele": slot(DAY.replace(hour=9) + timedelta(days=1), kind="tele", types=("PRO", "SNP", "CPTS")),
        "issy": slot(DAY.replace(hour=11) + timedelta(days=2), cpts=idf["issy"]),
        # Never returned: booked, cancelled, before or after the period, another professional.
        "booked": slot(DAY.replace(hour=10), status="booked"),
        "cancelled": slot(DAY.replace(hour=10, minute=20), status="cancelled"),
        "before": slot(DAY - timedelta(hours=2)),
        "after": slot(DAY + timedelta(days=4)),
        "other": slot(DAY.replace(hour=12), professional=ProfessionalFactory(), activity=None),
    }
    return {"doctor": doctor, "site": site, "slots": slots, **idf}


def entries(bundle, resource_type=None, mode=None):
    return [
        e
        for e in bundle.get("entry", [])
        if (resource_type is None or e["resource"]["resourceType"] == resource_type)
        and (mode is None or e["search"]["mode"] == mode)
    ]


def resolve(bundle, ref: dict) -> dict:
    [found] = [e["resource"] for e in bundle["entry"] if e["fullUrl"].endswith("/" + ref["reference"])]
    return found


def test_the_guide_query_returns_the_free_slots_and_everything_they_lead_to(sas_client, agenda):
    bundle = sas_client.search(criteria(**INCLUDES))
    slots = agenda["slots"]
    expected = [slots[name].pk for name in ("practice", "home", "tele", "issy")]
    assert [int(e["resource"]["id"]) for e in entries(bundle, "Slot")] == expected  # by start
    assert bundle["total"] == 4
    assert bundle["meta"]["profile"] == [systems.SAS_PROFILES["Bundle"]]
    [link] = bundle["link"]
    assert link["relation"] == "self" and link["url"].startswith("http://testserver/fhir/Slot?start=ge")
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"http://testserver/fhir/{resource['resourceType']}/{resource['id']}"
        assert entry["search"]["mode"] == ("match" if resource["resourceType"] == "Slot" else "include")
        assert resource["meta"]["profile"] == [systems.SAS_PROFILES[resource["resourceType"]]]
    counts = {t: len(entries(bundle, t)) for t in ("Schedule", "Practitioner", "PractitionerRole")}
    counts |= {t: len(entries(bundle, t)) for t in ("HealthcareService", "Organization")}
    # One schedule per CPTS (cmv, issy) for the practitioner's site; one service and organization per CPTS.
    assert counts == {
        "Schedule": 2,
        "Practitioner": 1,
        "PractitionerRole": 1,
        "HealthcareService": 2,
        "Organization": 2,
    }
    assert len(bundle["entry"]) == 4 + sum(counts.values())

    # Slot → Schedule → Practitioner and PractitionerRole; Slot → HealthcareService → Organization.
    slot = entries(bundle, "Slot")[0]["resource"]
    schedule = resolve(bundle, slot["schedule"])
    practitioner, role = (resolve(bundle, actor) for actor in schedule["actor"])
    assert practitioner["identifier"] == [
        {
            "type": {"coding": [{"system": systems.SAS_IDENTIFIER_TYPE, "code": "IDNPS"}]},
            "system": "urn:oid:1.2.250.1.71.4.2.1",
            "value": f"8{RPPS}",
        }
    ]
    assert practitioner["name"][0]["family"] == "FORET" and practitioner["name"][0]["given"] == ["Pierre"]
    assert role["practitioner"]["reference"] == f"Practitioner/8{RPPS}"
    assert role["organization"]["identifier"]["system"] == systems.IDNST
    assert role["organization"]["identifier"]["value"] == f"1{MSP_FINESS}"
    assert role["organization"]["identifier"]["type"]["coding"][0]["code"] == "IDNST"
    [location] = role["contained"]
    assert role["location"] == [{"reference": "#site"}]
    assert location["address"]["city"] == "Malakoff" and location["address"]["postalCode"] == "92240"
    assert {t["system"] for t in role["telecom"]} == {"phone", "email"}
    [cpts_type] = [s for s in slot["serviceType"] if "extension" in s]
    [extension] = cpts_type["extension"]
    assert extension["url"] == "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
    service = resolve(bundle, extension["valueReference"])
    organization = resolve(bundle, service["providedBy"])
    assert organization["name"] == "CPTS Châtillon-Malakoff-Vanves"
    assert service["id"] == organization["id"] == f"cpts-{agenda['cmv'].pk}"


def test_each_slot_carries_types_consultation_kind_cpts_and_specialty(sas_client, agenda):
    bundle = sas_client.search(criteria())
    by_id = {e["resource"]["id"]: e["resource"] for e in entries(bundle)}
    practice = by_id[str(agenda["slots"]["practice"].pk)]
    assert practice["status"] == "free"
    assert practice["start"] == "2031-06-12T16:40:00+02:00" and practice["end"] == "2031-06-12T17:00:00+02:00"
    assert practice["meta"]["security"] == [
        {"system": "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau", "code": code}
        for code in ("PUBLIC", "CPTS")
    ]
    kind, cpts = practice["serviceType"]
    assert kind["coding"][0]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert kind["coding"][0]["code"] == "AMB"
    assert cpts["coding"] == [
        {
            "system": "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement",
            "code": "604",
        }
    ]
    assert cpts["extension"][0]["valueReference"]["reference"] == f"HealthcareService/cpts-{agenda['cmv'].pk}"
    assert practice["appointmentType"]["coding"] == [
        {"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "ROUTINE"}
    ]
    assert practice["specialty"][0]["coding"][0] == {
        "system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale",
        "code": "SM54",
        "display": "Médecine générale",
    }
    assert practice["schedule"]["reference"] == f"Schedule/{agenda['cmv'].pk}-8{RPPS}-{agenda['site'].pk}"

    home = by_id[str(agenda["slots"]["home"].pk)]
    assert home["serviceType"][0]["coding"][0]["code"] == "HH"
    assert home["appointmentType"]["coding"][0]["code"] == "WALKIN"
    assert [c["code"] for c in home["meta"]["security"]] == ["SNP"]
    tele = by_id[str(agenda["slots"]["tele"].pk)]
    assert tele["serviceType"][0]["coding"][0]["code"] == "VR"
    assert tele["appointmentType"]["coding"][0]["code"] == "ROUTINE"
    issy = by_id[str(agenda["slots"]["issy"].pk)]
    assert issy["serviceType"][1]["extension"][0]["valueReference"]["reference"].endswith(f"cpts-{agenda['issy'].pk}")


@pytest.mark.parametrize(
    ("includes", "types"),
    [
        ({}, {"Slot"}),
        ({"_include": "Slot:schedule"}, {"Slot", "Schedule"}),
        (
            {"_include": "Slot:schedule", "_include:iterate": "Schedule:actor"},
            {"Slot", "Schedule", "Practitioner", "PractitionerRole"},
        ),
        ({"_include": "Slot:service-type-reference"}, {"Slot", "HealthcareService"}),
        (
            {"_include": "Slot:service-type-reference", "_include:iterate": "HealthcareService:organization"},
            {"Slot", "HealthcareService", "Organization"},
        ),
        # An iterate include follows included resources only.
        ({"_include:iterate": "Schedule:actor"}, {"Slot"}),
        (
            {"_include": "Slot:schedule", "_include:iterate": "Schedule:actor:Practitioner"},
            {"Slot", "Schedule", "Practitioner", "PractitionerRole"},
        ),
    ],
)
def test_the_includes_select_what_comes_with_the_slots(sas_client, agenda, includes, types):
    bundle = sas_client.search(criteria(**includes))
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == types
    assert bundle["total"] == len(entries(bundle, "Slot", "match")) == 4


def test_no_result_is_a_success_with_total_zero(sas_client, agenda):
    unknown = f"8{with_check_digit('1999999999')}"
    bundle = sas_client.search(criteria(unknown, **INCLUDES))
    assert bundle["total"] == 0 and "entry" not in bundle
    later = sas_client.search(criteria(start=DAY + timedelta(days=30), end=DAY + timedelta(days=31)))
    assert later["total"] == 0


def test_several_practitioners_and_a_slot_without_site(sas_client, agenda):
    other = agenda["slots"]["other"]
    bundle = sas_client.search(criteria(f"8{RPPS}", other.professional.national_id, **INCLUDES))
    assert bundle["total"] == 5
    slot = next(e["resource"] for e in entries(bundle, "Slot") if e["resource"]["id"] == str(other.pk))
    schedule = resolve(bundle, slot["schedule"])
    # No site known: the schedule's one actor is the practitioner.
    assert [a["reference"] for a in schedule["actor"]] == [f"Practitioner/{other.professional.national_id}"]


def test_dates_as_the_sas_sends_them(sas_client, agenda):
    # An unencoded « + » of the offset arrives as a space; a bare date covers its whole day.
    raw = f"start=ge2031-06-12T16:20:00.000+02:00&start=le2031-06-12T17:20:00.000+02:00&status=free&schedule.actor:Practitioner.identifier={idnps(f'8{RPPS}')}"
    response = Client().get(f"/fhir/Slot?{raw}", headers={"Authorization": f"Bearer {sas_client.key}"})
    bundle = validate(response.json())
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(agenda["slots"]["practice"].pk)]
    assert bundle["link"][0]["url"] == f"http://testserver/fhir/Slot?{raw}"
    day = sas_client.search(criteria() | {"start": ["ge2031-06-12", "le2031-06-12"]})
    assert day["total"] == 2  # practice and home, not the slot before the day's start (it's the 11th)


def test_one_link_only_the_first_slots_and_the_total_the_sas_narrows_the_period(sas_client, agenda):
    first = sas_client.search(criteria(_count="3"))
    # BundleAgregateurCPTS: exactly one link, self; no `next` to follow.
    assert [link["relation"] for link in first["link"]] == ["self"]
    assert first["total"] == 4
    slots = [e["resource"] for e in entries(first, "Slot")]
    assert [s["id"] for s in slots] == [str(agenda["slots"][k].pk) for k in ("practice", "home", "tele")]
    # The rest of the period: the SAS asks again from after the last slot it got.
    after = datetime.fromisoformat(slots[-1]["start"]) + timedelta(seconds=1)
    rest = sas_client.search(criteria(start=after, _count="3"))
    assert rest["total"] == 1 and [e["resource"]["id"] for e in entries(rest)] == [str(agenda["slots"]["issy"].pk)]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"start": None}, "start=ge<date>, start=le<date>"),
        ({"start": ["ge2031-06-12T00:00:00+02:00"]}, "start=le<date>"),
        ({"start": ["ge2031-06-12T00:00:00+02:00", "le2031-13-45T00:00:00+02:00"]}, "Date invalide"),
        ({"start": ["ge2031-06-12T00:00:00+02:00", "le demain"]}, "Date invalide"),
        ({"start": ["ge2031-06-12", "le2031-06-13", "ge2031-06-11"]}, "qu'une fois"),
        ({"start": ["gt2031-06-12", "le2031-06-13"]}, "start=ge<date> et start=le<date>"),
        ({"start": ["ge2031-06-14", "le2031-06-13"]}, "postérieure"),
        ({"schedule.actor:Practitioner.identifier": None}, "Critère obligatoire manquant"),
        # Without « | » a token matches in any system: the bare value is read, and refused for its key.
        ({"schedule.actor:Practitioner.identifier": f"8{RPPS[:-1]}{(int(RPPS[-1]) + 1) % 10}"}, "clé de contrôle"),
        (
            {"schedule.actor:Practitioner.identifier": idnps(f"8{RPPS[:-1]}{(int(RPPS[-1]) + 1) % 10}")},
            "clé de contrôle",
        ),
        ({"schedule.actor:Practitioner.identifier": idnps(f"0{RPPS}")}, "8 suivi d'un RPPS"),
        ({"schedule.actor:Practitioner.identifier": f"https://rpps.esante.gouv.fr|{RPPS}"}, "système attendu"),
        (
            {
                "schedule.actor:Practitioner.identifier": idnps(
                    *[f"8{with_check_digit(f'10{n:08d}')}" for n in range(26)]
                )
            },
            "25 au plus",
        ),
        ({"status": None}, "status=free"),
        ({"status": "busy"}, "créneaux libres"),
        ({"_include": "Slot:*"}, "Inclusion non prise en charge"),
        ({"_include": "Slot:schedule:Patient"}, "Inclusion non prise en charge"),
        ({"_revinclude": "Appointment:slot"}, "Paramètre non pris en charge pour Slot"),
        ({"service-type": "AMB"}, "Paramètres acceptés"),
        ({"_count": "beaucoup"}, "entier"),
    ],
)
def test_bad_requests_are_operation_outcomes_in_french(sas_client, agenda, change, words):
    params = {k: v for k, v in (criteria() | change).items() if v is not None}
    outcome = sas_client.get("/fhir/Slot", params, status=400)
    assert outcome["issue"][0]["code"] in ("invalid", "not-supported")
    assert words in diagnostics(outcome)


def test_twenty_five_practitioners_are_accepted(sas_client, agenda):
    many = [f"8{with_check_digit(f'10{n:08d}')}" for n in range(24)]
    assert sas_client.search(criteria(f"8{RPPS}", *many))["total"] == 4


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer ", "Bearer not-a-key", "Basic dXNlcjpwYXNz", "Token {key}", "{key}"],
)
def test_a_key_is_required(sas_client, agenda, authorization):
    response = Client().get(
        "/fhir/Slot", criteria(), headers={"Authorization": authorization.format(key=sas_client.key)}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    outcome = validate(response.json())
    assert outcome["issue"][0]["code"] == "login"
    assert "Authorization: Bearer" in diagnostics(outcome)


def test_a_revoked_key_is_refused_and_use_is_recorded(sas_client, consumer, agenda):
    consumer, _ = consumer
    assert consumer.last_used_at is None
    sas_client.search(criteria())
    consumer.refresh_from_db()
    assert consumer.last_used_at is not None
    consumer.active = False
    consumer.save()
    sas_client.get("/fhir/Slot", criteria(), status=401)
    # Reads ask for the key too.
    sas_client.get(f"/fhir/Slot/{agenda['slots']['practice'].pk}", status=401, key="Bearer autre")


def test_every_full_url_reads_back(sas_client, agenda):
    bundle = sas_client.search(criteria(**INCLUDES))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        read = sas_client.get(entry["fullUrl"].removeprefix("http://testserver"))
        if resource["resourceType"] in ("Practitioner", "PractitionerRole"):
            # The directory serves them in the Annuaire Santé shape: same resource, other profile.
            assert (read["resourceType"], read["id"]) == (resource["resourceType"], resource["id"])
        else:
            assert read == resource


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/Slot/999999",
        "/fhir/Slot/abc",
        "/fhir/Schedule/1-800000000000-0",
        "/fhir/Schedule/nimporte",
        "/fhir/HealthcareService/cpts-999999",
        "/fhir/HealthcareService/12",
        "/fhir/Organization/cpts-999999",
    ],
)
def test_unknown_ids_are_404(sas_client, agenda, path):
    assert sas_client.get(path, status=404)["issue"][0]["code"] == "not-found"


def test_the_cpts_organization_carries_its_finess_when_known(agenda):
    cpts = agenda["cmv"]
    cpts.finess = ""
    assert "identifier" not in sas.cpts_organization(cpts)
    cpts.finess = "920030001"
    organization = validate(sas.cpts_organization(cpts))
    assert organization["identifier"] == [
        {
            "type": {"coding": [{"system": systems.SAS_ORGANIZATION_IDENTIFIER_TYPE, "code": "IDNST"}]},
            "system": "urn:oid:1.2.250.1.71.4.2.2",
            "value": "1920030001",
        }
    ]


def test_the_search_costs_the_same_few_queries_for_any_number_of_slots(
    sas_client, agenda, django_assert_max_num_queries
):
    doctors = [agenda["doctor"], *(ProfessionalFactory() for _ in range(24))]
    for n, doctor in enumerate(doctors[1:]):
        site = ActivityFactory(professional=doctor)
        for hour in (8, 9, 10):
            Slot.objects.create(
                cpts=agenda["cmv"] if n % 2 else agenda["issy"],
                professional=doctor,
                activity=site,
                commune=agenda["communes"]["92046"],
                start=DAY.replace(hour=hour) + timedelta(days=1),
                end=DAY.replace(hour=hour, minute=20) + timedelta(days=1),
                types=["SNP"],
                profession_code="10",
                profession_label="Médecin",
            )
    # Key, last use, professionals, slots (with CPTS, professional and site).
    with django_assert_max_num_queries(4):
        bundle = sas_client.search(criteria(*(d.national_id for d in doctors), **INCLUDES))
    assert bundle["total"] == 4 + 24 * 3
    assert len(entries(bundle, "Practitioner")) == 25


def test_the_capability_statement_declares_the_sas_search(sas_client):
    statement = Client().get("/fhir/metadata").json()
    assert statement["instantiates"] == [systems.SAS_CAPABILITY]
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    slot = resources["Slot"]
    assert slot["searchInclude"] == [
        "Slot:schedule",
        "Slot:service-type-reference",
        "Schedule:actor",
        "HealthcareService:organization",
    ]
    assert {p["name"] for p in slot["searchParam"]} == {"start", "schedule.actor:Practitioner.identifier", "status"}
    assert {"Schedule", "HealthcareService"} <= set(resources)
    schedule = resources["Schedule"]
    assert [i["code"] for i in schedule["interaction"]] == ["read", "search-type"]
    assert [(p["name"], p["type"]) for p in schedule["searchParam"]] == [("actor", "reference")]


def schedules(sas_client, params, **kwargs):
    bundle = sas_client.get("/fhir/Schedule", params, **kwargs)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    return bundle


def test_the_schedules_of_a_practitioner_by_actor(sas_client, agenda):
    doctor, site = agenda["doctor"], agenda["site"]
    expected = [
        f"{agenda['cmv'].pk}-{doctor.national_id}-{site.pk}",
        f"{agenda['issy'].pk}-{doctor.national_id}-{site.pk}",
    ]
    for params in (
        {"actor": f"Practitioner/{doctor.national_id}"},
        {"actor": doctor.national_id},
        {"actor:Practitioner": doctor.national_id},
        {"actor": f"http://testserver/fhir/Practitioner/{doctor.national_id}"},
        {"actor:Practitioner.identifier": idnps(doctor.national_id)},
    ):
        bundle = schedules(sas_client, params)
        assert sorted(e["resource"]["id"] for e in entries(bundle)) == sorted(expected), params
        assert bundle["total"] == 2 and [link["relation"] for link in bundle["link"]] == ["self"]
    # Each one reads back the same, and names the practitioner and the site's role.
    for entry in bundle["entry"]:
        assert sas_client.get(entry["fullUrl"].removeprefix("http://testserver")) == entry["resource"]
        assert entry["resource"]["actor"][0]["reference"] == f"Practitioner/{doctor.national_id}"
    # Several practitioners at once; an unknown one matches nothing.
    other = agenda["slots"]["other"].professional
    bundle = schedules(sas_client, {"actor": f"Practitioner/{doctor.national_id},Practitioner/{other.national_id}"})
    assert bundle["total"] == 3
    assert schedules(sas_client, {"actor": "Practitioner/800000000000"})["total"] == 0


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({}, 400, "Critère obligatoire manquant"),
        ({"actor": "PractitionerRole/12"}, 400, "Seuls les praticiens"),
        ({"actor": "Practitioner/a b"}, 400, "Référence invalide"),
        ({"actor:Practitioner.identifier": "urn:oid:1.2.3|8000"}, 400, "urn:oid:1.2.250.1.71.4.2.1"),
        ({"actor": ",".join(f"Practitioner/8{n:011d}" for n in range(26))}, 400, "25 au plus"),
        ({"actor": "Practitioner/8", "date": "2031"}, 400, "« date »"),
    ],
)
def test_bad_schedule_searches_are_operation_outcomes(sas_client, agenda, params, status, words):
    assert words in diagnostics(sas_client.get("/fhir/Schedule", params, status=status))


def test_the_schedule_search_asks_for_the_key(sas_client, agenda):
    sas_client.get("/fhir/Schedule", {"actor": agenda["doctor"].national_id}, status=401, key="")


def test_the_site_location_always_has_one_line_a_city_and_a_postal_code(agenda):
    """FrLocationAgregateur: address.line 1..1, city 1.., postalCode 1..; what the RPPS line leaves
    out comes from the site's other fields or its commune."""
    malakoff = agenda["communes"]["92046"]
    full = ActivityFactory(recipient_complement="Dr FORET", place_complement="Bâtiment A", distribution_mention="BP 12")
    assert sas.site_location(full)["address"] | {"extension": None} == {
        "use": "work",
        "line": ["3 Avenue PIERRE LAROUSSE"],  # one line: the street, not every complement
        "city": "Malakoff",
        "postalCode": "92240",
        "extension": None,
    }
    bare = ActivityFactory(
        street_number="", street_type_code="", street_type_label="", street_label="", place_complement="Résidence Les Tilleuls",
        postal_code="", commune_label="", commune=malakoff, cedex_office="",
    )  # fmt: skip
    address = sas.site_location(bare)["address"]
    assert (address["line"], address["city"]) == (["Résidence Les Tilleuls"], "Malakoff")
    assert address["postalCode"] == malakoff.postal_codes[0]
    cedex = ActivityFactory(
        street_number="", street_type_code="", street_type_label="", street_label="", postal_code="", commune_label="",
        cedex_office="92245 MALAKOFF CEDEX",
    )  # fmt: skip
    address = sas.site_location(cedex)["address"]
    assert (address["line"], address["city"], address["postalCode"]) == (["CABINET MEDICAL"], "MALAKOFF CEDEX", "92245")
    role = validate(sas.practitioner_role(full))
    assert role["location"] == [{"reference": "#site"}] and len(role["contained"]) == 1
