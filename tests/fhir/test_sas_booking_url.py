"""Issue 18 — what a SAS answer gives the regulator to act on: each Slot's booking URL in
`Slot.comment`, the CPTS Organization's FINESS and phone (the numéro unique); and a CPTS without
FINESS exposes no slot (the admin says why)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from maillage.fhir import sas, systems
from maillage.territory.admin import SAS_HIDDEN
from maillage.unscheduled.models import SasConsumer, Slot
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory, UserFactory, with_check_digit
from tests.fhir.helpers import validate

pytestmark = pytest.mark.django_db
DAY = datetime(2031, 6, 12, tzinfo=ZoneInfo("Europe/Paris"))
RPPS = with_check_digit("1000290937")


@pytest.fixture
def doctor(idf):
    doctor = ProfessionalFactory(identifier=RPPS, last_name="FORET", first_name="Pierre")
    site = ActivityFactory(professional=doctor, commune=idf["communes"]["92046"])
    for n, cpts in enumerate((idf["cmv"], idf["paris13"])):
        start = DAY.replace(hour=9 + n)
        Slot.objects.create(
            cpts=cpts, professional=doctor, activity=site, commune=site.commune, start=start,
            end=start + timedelta(minutes=20), types=["SNP"], profession_code="10", profession_label="Médecin",
        )  # fmt: skip
    return doctor


def search(**params):
    _, key = SasConsumer.create_with_key("Plateforme SAS")
    query = {
        "start": [f"ge{DAY.date()}", f"le{(DAY + timedelta(days=1)).date()}"],
        "schedule.actor:Practitioner.identifier": f"{systems.IDNPS}|8{RPPS}",
        "status": "free",
        "_include": ["Slot:service-type-reference"],
        "_include:iterate": ["HealthcareService:organization"],
    }
    response = Client().get("/fhir/Slot", query | params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.content.decode()
    return validate(response.json())


def resources(bundle, resource_type):
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == resource_type]


def test_each_slot_carries_its_absolute_booking_url(idf, doctor, settings):
    settings.SITE_URL = "https://cpts.example.fr/"
    slots = resources(search(), "Slot")
    assert len(slots) == 2
    for resource in slots:
        row = Slot.objects.select_related("cpts").get(pk=resource["id"])
        assert resource["comment"] == f"https://cpts.example.fr/sas/{row.cpts.slug}/rdv/{row.pk}/?depuis=sas"
        assert resource["comment"] == sas.booking_url(row)


def test_the_booking_url_in_a_slot_opens_the_booking_page_with_the_origin(idf, doctor, settings, login):
    settings.SITE_URL = "http://testserver"
    url = resources(search(), "Slot")[0]["comment"]
    regulator = RoleFactory(kind="sas_regulator", cpts=None, region=idf["region"]).user
    page = login(regulator).get(url.removeprefix("http://testserver") + "&origin=sas")
    assert page.status_code == 200 and "Réserver ce créneau" in page.content.decode()


def test_the_cpts_organization_carries_its_finess_and_its_phone(idf, doctor):
    cmv = idf["cmv"]
    type(cmv).objects.filter(pk=cmv.pk).update(phone="01 99 00 12 34")
    organizations = {o["id"]: o for o in resources(search(), "Organization")}
    organization = organizations[f"cpts-{cmv.pk}"]
    assert organization["identifier"] == [
        {
            "type": {"coding": [{"system": "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type",
                                 "code": "IDNST"}]},
            "system": "urn:oid:1.2.250.1.71.4.2.2",
            "value": f"1{cmv.finess}",
        }
    ]  # fmt: skip
    assert organization["telecom"] == [{"system": "phone", "value": "+33199001234"}]
    assert "telecom" not in organizations[f"cpts-{idf['paris13'].pk}"]  # no phone given: none sent


@pytest.mark.parametrize(
    ("given", "sent"),
    [("01 99 00 12 34", "+33199001234"), ("+33 1 99 00 12 34", "+33199001234"), ("3624", "3624"), ("", "")],
)
def test_phones_go_in_international_form(given, sent):
    assert sas.international_phone(given) == sent


def test_a_cpts_without_finess_exposes_no_slot_and_the_admin_says_why(idf, doctor, login):
    type(idf["paris13"]).objects.filter(pk=idf["paris13"].pk).update(finess="")
    bundle = search()
    assert [Slot.objects.get(pk=s["id"]).cpts_id for s in resources(bundle, "Slot")] == [idf["cmv"].pk]
    assert bundle["total"] == 1
    assert {o["id"] for o in resources(bundle, "Organization")} == {f"cpts-{idf['cmv'].pk}"}
    admin = login(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/territory/cpts/{idf['paris13'].pk}/change/").content.decode()
    assert SAS_HIDDEN in page
    assert "Vos créneaux ne sont pas visibles du SAS : renseignez le numéro FINESS de la CPTS." in page
    assert SAS_HIDDEN not in admin.get(f"/admin/territory/cpts/{idf['cmv'].pk}/change/").content.decode()
