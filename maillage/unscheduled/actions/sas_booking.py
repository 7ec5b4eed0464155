"""Issue 18 — a regulator of the SAS books a slot from the national platform.

The SAS shows Maillage's slots with a booking URL (`Slot.comment`); the regulator opens it, enters
the patient's minimal identity, and the slot is booked by the desk's own atomic booking: the
request is taken (origin SAS) and the slot booked in one transaction, so that nothing is left
half-done and a slot is never booked twice, whoever clicks at the same moment.
"""

from django.db import DatabaseError, transaction
from django.utils import timezone

from maillage.unscheduled.actions import SlotError, desk
from maillage.unscheduled.enums import Origin, SlotStatus, sas_bookable
from maillage.unscheduled.models import Booking, Slot

# What a regulator of the SAS enters: the patient's identity and how to reach them, no more.
PATIENT_FIELDS = ("last_name", "first_name", "birth_date", "phone", "commune", "reason")
DEFAULT_REASON = "Orienté par la régulation du SAS"


def refusal(slot: Slot, *, now=None) -> str:
    """Why a regulator of the SAS cannot book `slot` now (French, shown as is); "" when they can."""
    if not slot.cpts.exposed_to_sas:
        return (
            f"Les créneaux de la {slot.cpts.name} ne sont pas ouverts au SAS : la CPTS n'a pas encore "
            "renseigné son numéro FINESS. Appelez son numéro unique."
        )
    if not sas_bookable(slot.types):
        return (
            "Ce créneau n'est pas ouvert à la régulation du SAS : la CPTS le réserve à son numéro unique "
            "ou aux professionnels de santé. Choisissez un autre créneau dans le SAS."
        )
    if slot.status != SlotStatus.FREE:
        return "Ce créneau est déjà réservé ou a été retiré : choisissez un autre créneau dans le SAS."
    if slot.start <= (now or timezone.now()):
        return "Ce créneau est déjà passé : choisissez un autre créneau dans le SAS."
    return ""


def book_from_sas(slot: Slot, data: dict, actor) -> Booking:
    """Takes the request (origin SAS) and books `slot` for it, both or neither: the desk's two
    audit entries (the request, marked « origine : sas », and the booking) in one transaction.

    Raises `SlotError` (French) when the slot cannot be booked or was taken meanwhile."""
    reason = refusal(slot)
    if reason:
        raise SlotError(reason)
    patient = {name: data[name] for name in PATIENT_FIELDS if name in data}
    patient["reason"] = (patient.get("reason") or "").strip() or DEFAULT_REASON
    patient["profession_code"] = slot.profession_code  # what the desk's statistics count by
    try:
        with transaction.atomic():
            request = desk.take_request(slot.cpts, patient, actor, confirm_duplicate=True, origin=Origin.SAS)
            # The regulator chose this slot in the SAS, knowing its time: the desk's urgency
            # window (which the regulator never set here) does not apply.
            return desk.book(request, slot, actor, confirm_beyond_window=True)
    except SlotError:
        raise
    except DatabaseError as exc:
        # A lock timeout under a burst of clicks: the other regulator's booking went first.
        raise SlotError("Ce créneau vient d'être pris : choisissez un autre créneau dans le SAS.") from exc
