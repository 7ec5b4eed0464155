"""The directory's two answers about a professional — « accepte de nouveaux patients » and
« participe aux soins non programmés » — follow what they do in Maillage, not a second flag typed
elsewhere (issue 14):

- a GP with an offer in the CPTS accepts new patients when the offer is neither paused nor at zero
  (its capacity is the number shown);
- a professional takes part in unscheduled care when they have a slot (free or booked) in the CPTS
  that ended less than `RECENT` ago or is still to come.

Where nothing can be derived (no offer; never a slot), the entry keeps what the coordinator typed.
The actions that change an offer or slots call `sync` in their transaction, so that the stored
answers (read by the search, the lists and the exports) are the derived ones.
"""

from datetime import timedelta

from django.utils import timezone

RECENT = timedelta(days=30)


def derived(cpts, professional) -> dict:
    """The answers that Maillage knows for `professional` in `cpts` (only the derivable ones)."""
    from maillage.doctor_access.models import DoctorOffer
    from maillage.unscheduled.enums import SlotStatus
    from maillage.unscheduled.models import Slot

    answers = {}
    offer = DoctorOffer.objects.filter(cpts=cpts, professional=professional).first()
    if offer is not None:
        accepts = not offer.paused and offer.capacity > 0
        answers["accepts_new_patients"] = accepts
        answers["new_patient_capacity"] = offer.capacity if accepts else None
    slots = Slot.objects.filter(cpts=cpts, professional=professional)
    if slots.exists():
        answers["takes_part_in_snp"] = (
            slots.exclude(status=SlotStatus.CANCELLED).filter(end__gte=timezone.now() - RECENT).exists()
        )
    return answers


def sync(cpts, professional, actor) -> dict:
    """Writes the derived answers into the CPTS's directory entry (audited like any change of it);
    returns the changes. Inside the caller's transaction."""
    from maillage.directory.actions import update_entry

    answers = derived(cpts, professional)
    if not answers:
        return {}
    _, changes = update_entry(cpts, professional, answers, actor)
    return changes
