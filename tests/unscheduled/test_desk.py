"""The desk: search, atomic booking, cancel and re-book, unmet, honoured."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.unscheduled import search
from maillage.unscheduled.actions import SlotError
from maillage.unscheduled.actions.desk import book, cancel, mark_outcome, mark_unmet, take_request
from maillage.unscheduled.enums import BookingStatus, Kind, RequestStatus, SlotStatus
from maillage.unscheduled.models import Booking, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_of(idf, member):
    def make(**changes):
        data = {"last_name": "Petit", "first_name": "Jeanne", "phone": "0600000000", "email": "jeanne@exemple.fr",
                "commune": idf["communes"]["92020"], "reason": "fièvre depuis 3 jours", "urgency": "24h"}  # fmt: skip
        data.update(changes)
        return take_request(idf["cmv"], data, member, confirm_duplicate=True)

    return make


def test_search_ranks_fit_then_time_then_distance(idf, gp, nurse, slot_of, soon, request_of):
    later = slot_of(gp, soon + timedelta(hours=3))
    first = slot_of(gp, soon)
    nurse_slot = slot_of(nurse, soon - timedelta(minutes=15))
    slot_of(gp, soon + timedelta(hours=30))  # beyond 24 h
    slot_of(gp, soon + timedelta(hours=5), types=("PRO",))  # not for the desk
    found = search.search(request_of())
    assert [f.slot for f in found] == [first, later, nurse_slot]  # the nurse does not fit a GP request
    assert all(f.within_24h for f in found)
    later_too = search.search(request_of(), horizon_hours=48)
    assert len(later_too) == 4


def test_a_patient_who_cannot_travel_gets_home_visits_first(idf, gp, slot_of, soon, request_of):
    slot_of(gp, soon)
    tele = slot_of(gp, soon + timedelta(hours=1), kind=Kind.TELE)
    home = slot_of(gp, soon + timedelta(hours=2), kind=Kind.HOME)
    found = search.search(request_of(cannot_travel=True))
    assert [f.slot for f in found] == [home, tele]


def test_booking_confirms_to_both_after_commit_and_cancel_frees_the_slot(
    gp, slot_of, soon, request_of, member, django_capture_on_commit_callbacks
):
    slot = slot_of(gp, soon)
    request = request_of()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(request, slot, member)
    run_pending()
    slot.refresh_from_db()
    assert (slot.status, request.status) == (SlotStatus.BOOKED, RequestStatus.BOOKED)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["jeanne@exemple.fr", member.email])
    with pytest.raises(SlotError, match="vient d'être pris"):
        book(request_of(last_name="Autre"), slot, member)
    cancel(booking, member)
    slot.refresh_from_db()
    request.refresh_from_db()
    assert (slot.status, request.status) == (SlotStatus.FREE, RequestStatus.OPEN)
    rebooked = book(request, slot, member)  # cancel and re-book
    assert rebooked.status == BookingStatus.BOOKED and Booking.objects.count() == 2


def test_unmet_is_recorded_with_its_reason(request_of, member):
    request = mark_unmet(request_of(), "no_slot", member)
    assert (request.status, request.unmet_reason) == (RequestStatus.UNMET, "no_slot")
    with pytest.raises(SlotError):
        mark_unmet(request_of(), "", member)


def test_honoured_only_after_the_time(gp, slot_of, soon, request_of, member):
    booking = book(request_of(), slot_of(gp, soon), member)
    with pytest.raises(SlotError, match="pas encore eu lieu"):
        mark_outcome(booking, honoured=True, actor=member)
    Slot.objects.filter(pk=booking.slot_id).update(start=timezone.now() - timedelta(hours=1))
    booking.slot.refresh_from_db()
    assert mark_outcome(booking, honoured=False, actor=member).status == BookingStatus.NO_SHOW


@pytest.mark.django_db(transaction=True)
def test_two_regulators_never_book_the_same_slot(idf, gp, slot_of, soon, request_of, member):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads (bench/booking_contention.py)")
    slot = slot_of(gp, soon)
    requests = [request_of(last_name=f"Patient{n}") for n in range(8)]
    barrier, outcomes = threading.Barrier(len(requests)), []

    def attempt(request):
        try:
            barrier.wait()
            book(request, Slot.objects.get(pk=slot.pk), member)
            outcomes.append("booked")
        except SlotError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * 7
    assert Booking.objects.filter(slot=slot).count() == 1
