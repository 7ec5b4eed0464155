"""The Appointment Maillage sends to the SAS when one of its regulators' bookings is made or
cancelled: the guide « Service d'Accès aux Soins » 1.1.0, flow INT_R03 « gestion de rendez-vous »
(page specifications_techniques-tous-gestion_rdv, shared by the PS indiv and CPTS use cases),
profile FrAppointmentSAS (« commun cas d'usage PS Indiv et CPTS »; the guide has no CPTS-specific
Appointment profile nor a CPTS « RDV » capability statement: SAS-GestionnaireAgenda-RDVpsindiv is
the one the SAS platform states for receiving them).

What the profile requires, and nothing more (the SAS tracks activity, not patients):
- `meta.profile`: the profile's canonical URL, as the guide asks for its validator;
- `extension[appointmentOperator]` (1..1): the regulator who booked, by identifier only — IDNPS in
  urn:oid:1.2.250.1.71.4.2.1 for a national identifier, INTRN in urn:oid:1.2.250.1.213.3.6 for the
  SAS's technical one;
- `identifier` (1..1): ours, chosen once per booking; the cancellation finds it by it;
- `status`: booked, then cancelled, fulfilled or noshow (the four the SAS reads);
- `start`, `end` (1..1): the slot's, in local time with its offset;
- `participant`: the professional only, by IDNPS (8 + RPPS, 0 + ADELI), `status` accepted (fixed in
  1.1.0). The profile's constraints on `participant.actor.identifier` apply to every participant,
  so a patient could not be one: no patient, nor anything about them, is sent.
- `created` (not required; « must support » at the guide's HEAD): when the booking was made.
No `slot` reference: the guide's examples have none and the SAS would not resolve ours.
"""

from django.utils import timezone

from maillage.fhir import systems

PROFILE = "http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS"
OPERATOR_EXTENSION = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator"
# The regulator's identifier, as the SAS gives it (gestion des comptes régulateurs, INT_R02).
NATIONAL = "IDNPS"
SAS_TECHNICAL = "INTRN"
OPERATOR_SYSTEMS = {NATIONAL: systems.IDNPS, SAS_TECHNICAL: "urn:oid:1.2.250.1.213.3.6"}
BOOKED, CANCELLED = "booked", "cancelled"
# Maillage's booking status → the SAS's reading of what happened (AppointmentStatus).
OUTCOMES = {"honoured": "fulfilled", "no_show": "noshow"}


def _identifier(type_code: str, system: str, value: str) -> dict:
    return {
        "type": {"coding": [{"system": systems.SAS_IDENTIFIER_TYPE, "code": type_code}]},
        "system": system,
        "value": value,
    }


def operator(type_code: str, value: str) -> dict:
    """The regulator as the extension carries it: IDNPS (national id, with its prefix) or INTRN (the
    SAS's technical id)."""
    return {
        "url": OPERATOR_EXTENSION,
        "valueReference": {"identifier": _identifier(type_code, OPERATOR_SYSTEMS[type_code], value)},
    }


def _instant(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def appointment(
    *, system: str, value: str, status: str, start, end, practitioner_id: str, operator_type: str,
    operator_value: str, created=None,
) -> dict:  # fmt: skip
    """One FrAppointmentSAS. `practitioner_id` is the professional's IDNPS (8 + RPPS or 0 + ADELI)."""
    resource = {
        "resourceType": "Appointment",
        "meta": {"profile": [PROFILE]},
        "extension": [operator(operator_type, operator_value)],
        "identifier": [{"system": system, "value": value}],
        "status": status,
        "start": _instant(start),
        "end": _instant(end),
    }
    if created is not None:
        resource["created"] = _instant(created)
    resource["participant"] = [
        {"actor": {"identifier": _identifier("IDNPS", systems.IDNPS, practitioner_id)}, "status": "accepted"}
    ]
    return resource


def for_booking(booking, *, status: str, system: str, value: str, operator_type: str, operator_value: str) -> dict:
    """The Appointment of a booking (read through its attributes: slot, professional, created_at)."""
    slot = booking.slot
    return appointment(
        system=system,
        value=value,
        status=status,
        start=slot.start,
        end=slot.end,
        practitioner_id=slot.professional.national_id,
        operator_type=operator_type,
        operator_value=operator_value,
        created=booking.created_at,
    )
