"""The Appointment sent to the SAS meets FrAppointmentSAS (guide SAS 1.1.0,
input/fsh/profiles/FrAppointmentSAS.fsh, parent FrAppointment of FR Core): each rule of the profile
checked on the resource the builder makes, then the base resource validated by fhir.resources R4B."""

from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.appointment import Appointment

from maillage.fhir import sas_appointment

FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
START = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def build(**changes):
    values = {
        "system": "https://maillage.example/sas/rendez-vous",
        "value": "b6e39355-8a61-4556-b340-36f7b95fec6a",
        "status": "booked",
        "start": START,
        "end": START + timedelta(minutes=15),
        "practitioner_id": "810100050075",
        "operator_type": "IDNPS",
        "operator_value": "3456780581/11242343",
        "created": START - timedelta(hours=4),
    }
    values.update(changes)
    return sas_appointment.appointment(**values)


def conforms(resource: dict) -> None:
    """FrAppointmentSAS 1.1.0, rule by rule."""
    assert resource["meta"]["profile"] == ["http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS"]
    # extension[appointmentOperator] 1..1, valueReference.identifier with type (one coding in
    # fr-v2-0203), system and value.
    operators = [e for e in resource["extension"] if e["url"] == sas_appointment.OPERATOR_EXTENSION]
    assert len(operators) == 1
    assert set(operators[0]) == {"url", "valueReference"}
    ident = operators[0]["valueReference"]["identifier"]
    assert len(ident["type"]["coding"]) == 1
    assert ident["type"]["coding"][0]["system"] == FR_V2_0203
    assert ident["type"]["coding"][0]["code"] in ("IDNPS", "INTRN")
    assert (
        ident["system"]
        == {"IDNPS": IDNPS_SYSTEM, "INTRN": "urn:oid:1.2.250.1.213.3.6"}[ident["type"]["coding"][0]["code"]]
    )
    assert ident["value"]
    # identifier 1..1 with system and value.
    assert (
        len(resource["identifier"]) == 1 and resource["identifier"][0]["system"] and resource["identifier"][0]["value"]
    )
    # status (the SAS reads booked, fulfilled, noshow, cancelled); start and end 1..1.
    assert resource["status"] in ("booked", "fulfilled", "noshow", "cancelled")
    assert datetime.fromisoformat(resource["start"]) < datetime.fromisoformat(resource["end"])
    # participant (1..* in the base): each actor by IDNPS identifier only, status fixed to accepted.
    assert resource["participant"]
    for participant in resource["participant"]:
        ident = participant["actor"]["identifier"]
        assert ident["type"]["coding"] == [{"system": FR_V2_0203, "code": "IDNPS"}]
        assert ident["system"] == IDNPS_SYSTEM and ident["value"]
        assert participant["status"] == "accepted"
        assert set(participant["actor"]) == {"identifier"}  # no name, no reference to resolve
    # Base validation (FHIR 4.0.1 as R4B models it): cardinalities, app-2/app-3 invariants, codes.
    Appointment.model_validate(resource)


def test_a_booking_is_a_conformant_appointment():
    resource = build()
    conforms(resource)
    assert resource["status"] == "booked"
    assert resource["start"] == "2026-12-07T14:00:00+01:00"  # local time, with its offset, as the guide's example
    assert resource["end"] == "2026-12-07T14:15:00+01:00"
    assert resource["created"] == "2026-12-07T10:00:00+01:00"
    assert resource["participant"][0]["actor"]["identifier"]["value"] == "810100050075"
    assert "id" not in resource  # the SAS gives the id (Location of its 201)


def test_the_cancellation_is_the_same_appointment_cancelled():
    booked, cancelled = build(), build(status="cancelled")
    conforms(cancelled)
    assert cancelled["identifier"] == booked["identifier"]
    assert {k: v for k, v in cancelled.items() if k != "status"} == {k: v for k, v in booked.items() if k != "status"}


def test_a_regulator_without_national_id_is_named_by_the_sas_technical_id():
    resource = build(operator_type="INTRN", operator_value="5f0c7c8e-2a35-4b8e-9d6c-6d2f4c1b9a11")
    conforms(resource)
    ident = resource["extension"][0]["valueReference"]["identifier"]
    assert ident["system"] == "urn:oid:1.2.250.1.213.3.6"
    assert ident["type"]["coding"][0]["code"] == "INTRN"


def test_nothing_about_the_patient_is_sent():
    resource = build()
    text = str(resource)
    assert "Patient" not in text
    assert set(resource) == {"resourceType", "meta", "extension", "identifier", "status", "start", "end",
                             "created", "participant"}  # fmt: skip
    assert len(resource["participant"]) == 1


@pytest.mark.parametrize("national_id", ["810100050075", "0751234567"])
def test_rpps_and_adeli_professionals(national_id):
    conforms(build(practitioner_id=national_id))
