"""Opening slots: one by one, from a weekly template; never in the past, never overlapping."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.unscheduled.actions import SlotError
from maillage.unscheduled.actions.slots import open_from_template, save_template, update_slot, withdraw_slot
from maillage.unscheduled.enums import Kind, SlotStatus
from maillage.unscheduled.models import Slot
from tests.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_a_slot_takes_the_professional_and_site(gp, slot_of, soon):
    slot = slot_of(gp, soon)
    assert (slot.commune_id, slot.profession_code, slot.specialty_code) == ("92046", "10", "SM54")
    assert slot.types == ["SNP", "CPTS"] and slot.status == SlotStatus.FREE
    assert AuditEntry.objects.filter(action="unscheduled.slot.opened").count() == 1


@pytest.mark.parametrize(
    ("offset", "minutes", "message"),
    [
        (timedelta(hours=-2), 20, "dans le passé"),
        (timedelta(0), 0, "La fin du créneau doit être après son début."),
        (timedelta(minutes=10), 20, "chevauche celui du"),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_written(gp, slot_of, soon, offset, minutes, message):
    slot_of(gp, soon)
    with pytest.raises(SlotError, match=message):
        slot_of(gp, soon + offset, minutes)
    assert Slot.objects.count() == 1


def test_back_to_back_slots_do_not_overlap_and_a_withdrawn_slot_frees_its_time(gp, slot_of, soon):
    first = slot_of(gp, soon)
    slot_of(gp, soon + timedelta(minutes=20))
    withdraw_slot(first, None)
    assert slot_of(gp, soon, 10).status == SlotStatus.FREE


def test_someone_outside_the_territory_cannot_open_slots(idf, slot_of, soon):
    stranger = ProfessionalFactory()
    with pytest.raises(SlotError, match="n'exerce pas sur le territoire"):
        slot_of(stranger, soon)


def test_types_are_required(gp, slot_of, soon):
    with pytest.raises(SlotError, match="qui peut réserver"):
        slot_of(gp, soon, types=())


def test_a_template_opens_the_weeks_skipping_what_is_taken(idf, gp, slot_of, member):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # next week's Monday, never today
    template = save_template(
        idf["cmv"],
        gp,
        member,
        {"weekday": 0, "start_time": time(18), "end_time": time(19), "length": 20, "kind": Kind.PRACTICE,
         "types": ["SNP"]},
    )  # fmt: skip
    taken = timezone.make_aware(timezone.datetime.combine(monday, time(18, 20)))
    slot_of(gp, taken, 20)
    created, skipped = open_from_template(template, member, weeks=2, today=monday - timedelta(days=1))
    assert (created, skipped) == (5, 1)  # 3 slots a week, the 18:20 of the first week taken
    starts = [timezone.localtime(s.start).strftime("%Y-%m-%d %H:%M") for s in Slot.objects.order_by("start")]
    second = monday + timedelta(weeks=1)
    assert starts == [f"{day} {hour}" for day in (monday, second) for hour in ("18:00", "18:20", "18:40")]
    with pytest.raises(SlotError, match="entre 1 et 12 semaines"):
        open_from_template(template, member, weeks=13)


def test_a_booked_slot_cannot_be_edited_or_withdrawn(gp, slot_of, soon):
    slot = slot_of(gp, soon)
    Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.BOOKED)
    with pytest.raises(SlotError, match="réservé"):
        update_slot(slot, None, start=soon, end=soon + timedelta(minutes=30), kind=Kind.HOME, types=["SNP"])
    with pytest.raises(SlotError, match="annulez d'abord le rendez-vous"):
        withdraw_slot(slot, None)
