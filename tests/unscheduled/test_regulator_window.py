"""The regulator's 24 hours: the urgency window checked against the slot, the territory's
alternatives when nothing fits, the duplicate caller, confirmation before booking and cancelling,
and an SMS with nothing clinical in it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.unscheduled import notify, window
from maillage.unscheduled.actions import BeyondWindow, DuplicateCaller
from maillage.unscheduled.actions.alternatives import add_alternative, remove_alternative, update_alternative
from maillage.unscheduled.actions.desk import book, take_request
from maillage.unscheduled.enums import BookingStatus, RequestStatus
from maillage.unscheduled.models import Alternative, Booking, CareRequest
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulator(idf, login):
    return login(RoleFactory(regulator=True, cpts=idf["cmv"]).user, with_mfa=True)


def _data(idf, **changes):
    data = {"last_name": "Petit", "first_name": "Jeanne", "phone": "06 00 00 00 00", "commune": idf["communes"]["92020"],
            "reason": "fièvre", "urgency": "24h"}  # fmt: skip
    return {**data, **changes}


def test_the_window_of_each_urgency_and_the_delay_in_words():
    received = timezone.make_aware(timezone.datetime(2026, 12, 5, 19, 30))  # a Saturday evening, Paris
    care = CareRequest(received_at=received, urgency="24h")
    assert window.deadline(care) == received + timedelta(hours=24)
    care.urgency = "48h"
    assert window.deadline(care) == received + timedelta(hours=48)
    care.urgency = "today"
    assert timezone.localtime(window.deadline(care)).strftime("%d %H:%M") == "06 00:00"
    assert window.delay_words(timedelta(days=2, hours=3, minutes=10)) == "2 jours et 3 heures"
    assert window.delay_words(timedelta(days=1)) == "1 jour"
    assert window.delay_words(timedelta(hours=1, minutes=1)) == "1 heure et 1 minute"
    assert window.delay_words(timedelta(minutes=40)) == "40 minutes"


def test_a_slot_beyond_the_window_is_booked_only_once_confirmed(idf, gp, member, slot_of, soon):
    care = take_request(idf["cmv"], _data(idf), member)
    late = slot_of(gp, soon + timedelta(days=2, hours=2))
    with pytest.raises(BeyondWindow) as refused:
        book(care, late, member)
    assert "au-delà du délai de 24 heures demandé. Confirmer quand même ?" in str(refused.value)
    assert "Ce créneau est dans 2 jours et" in str(refused.value)
    assert not Booking.objects.exists()
    booking = book(care, late, member, confirm_beyond_window=True)
    entry = AuditEntry.objects.get(action="unscheduled.slot.booked")
    assert entry.details["hors_délai"] is True and booking.status == BookingStatus.BOOKED


def test_a_slot_within_the_window_needs_no_window_confirmation(idf, gp, member, slot_of, soon):
    care = take_request(idf["cmv"], _data(idf), member)
    book(care, slot_of(gp, soon), member)
    assert AuditEntry.objects.get(action="unscheduled.slot.booked").details["hors_délai"] is False


def test_the_same_caller_within_ten_minutes_is_a_duplicate_unless_confirmed(idf, member):
    first = take_request(idf["cmv"], _data(idf), member)
    with pytest.raises(DuplicateCaller) as same_phone:
        take_request(idf["cmv"], _data(idf, phone="+33 6 00 00 00 00", last_name="Autre"), member)
    assert same_phone.value.existing == first and first.reference in str(same_phone.value)
    with pytest.raises(DuplicateCaller):  # same name, another phone
        take_request(idf["cmv"], _data(idf, phone="0611111111", last_name="PETIT"), member)
    born = timezone.localdate() - timedelta(days=3000)
    first.birth_date = born
    first.save()
    # Same name, another birth date: another person.
    other = take_request(idf["cmv"], _data(idf, phone="0611111111", birth_date=born - timedelta(days=1)), member)
    assert other.pk
    second = take_request(idf["cmv"], _data(idf), member, confirm_duplicate=True)
    assert AuditEntry.objects.filter(object_id=str(second.pk), action="unscheduled.request.created").get().details
    # Older than ten minutes, or in another CPTS: not a duplicate.
    CareRequest.objects.update(received_at=timezone.now() - timedelta(minutes=11))
    assert take_request(idf["cmv"], _data(idf), member).pk
    assert take_request(idf["issy"], _data(idf), member).pk


def test_the_desk_warns_of_a_duplicate_and_links_to_it(idf, regulator):
    call = {"last_name": "Petit", "first_name": "Jeanne", "phone": "0600000000", "commune": "92020",
            "reason": "fièvre", "urgency": "24h", "profession_code": "10"}  # fmt: skip
    regulator.post("/c/cmv/snp/nouvelle/", call)
    first = CareRequest.objects.get()
    again = regulator.post("/c/cmv/snp/nouvelle/", call)
    text = again.content.decode()
    assert again.status_code == 409 and "Ce patient a déjà une demande enregistrée" in text
    assert f"/c/cmv/snp/{first.pk}/" in text and "Créer quand même une seconde demande" in text
    assert CareRequest.objects.count() == 1
    assert regulator.post("/c/cmv/snp/nouvelle/", {**call, "doublon": "1"}).status_code == 302
    assert CareRequest.objects.count() == 2


def test_the_desk_asks_confirmation_beyond_the_window_then_books(idf, regulator, gp, member, slot_of, soon):
    care = take_request(idf["cmv"], _data(idf), member)
    late = slot_of(gp, soon + timedelta(days=2))
    page = regulator.get(f"/c/cmv/snp/{care.pk}/?delai=7j").content.decode()
    assert "hors délai" in page and "les recours du territoire" in page and 'href="tel:15"' in page
    asked = regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": late.pk}).content.decode()
    assert "au-delà du délai de 24 heures demandé" in asked and "Réserver malgré le délai" in asked
    # Confirming the booking without confirming the delay (a skipped step) books nothing.
    skipped = regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": late.pk, "confirme": "1"})
    assert skipped.status_code == 409 and not Booking.objects.exists()
    done = regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": late.pk, "confirme": "1", "hors_delai": "1"})
    assert done.status_code == 302 and Booking.objects.get().slot == late


def test_cancelling_asks_confirmation_first(idf, regulator, gp, member, slot_of, soon):
    care = take_request(idf["cmv"], _data(idf), member)
    booking = book(care, slot_of(gp, soon), member)
    asked = regulator.post(f"/c/cmv/snp/reservations/{booking.pk}/annuler/")
    assert asked.status_code == 200 and "Oui, annuler le rendez-vous" in asked.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    regulator.post(f"/c/cmv/snp/reservations/{booking.pk}/annuler/", {"confirme": "1"})
    booking.refresh_from_db()
    care.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and care.status == RequestStatus.OPEN


def test_the_sms_says_when_and_where_nothing_clinical(idf, gp, member, slot_of, soon):
    care = take_request(idf["cmv"], _data(idf, reason="douleur thoracique"), member)
    booking = book(care, slot_of(gp, soon), member)
    sms = notify.sms_text(booking)
    assert "RDV le" in sms and gp.full_name in sms
    for clinical in ("douleur", "thoracique", "médecin", "Petit"):
        assert clinical.lower() not in sms.lower()


def test_alternatives_are_kept_by_actions_audited_and_version_checked(idf, member):
    from maillage.core.versioning import StaleEdit

    alternative = add_alternative(idf["cmv"], {"kind": "sos", "name": "SOS Médecins", "phone": "3624"}, member)
    update_alternative(alternative, {"hours": "24 h/24"}, member, expected_version=0)
    with pytest.raises(StaleEdit):
        update_alternative(alternative, {"hours": "nuit"}, member, expected_version=0)
    remove_alternative(alternative, member)
    assert not Alternative.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="unscheduled.alternative").values_list("action", flat=True)
    ) == ["unscheduled.alternative.removed", "unscheduled.alternative.updated", "unscheduled.alternative.added"]


def test_the_alternatives_page_adds_edits_and_refuses_a_stale_edit(idf, regulator):
    page = regulator.post(
        "/c/cmv/snp/recours/", {"kind": "pdsa", "name": "Maison médicale de garde de Vanves", "phone": "01 00 00 00 00",
                                "hours": "samedi 12 h–24 h, dimanche 8 h–24 h", "order": 1}, follow=True,
    ).content.decode()  # fmt: skip
    assert "Recours ajouté" in page and "samedi 12 h–24 h" in page
    alternative = Alternative.objects.get()
    form = {"kind": "mmg", "name": alternative.name, "phone": "01 00 00 00 01", "hours": "", "order": 1}
    assert regulator.post(f"/c/cmv/snp/recours/{alternative.pk}/", {**form, "version": 0}).status_code == 302
    stale = regulator.post(f"/c/cmv/snp/recours/{alternative.pk}/", {**form, "phone": "02", "version": 0})
    assert stale.status_code == 409 and 'data-testid="stale-edit"' in stale.content.decode()
    assert regulator.post("/c/cmv/snp/recours/", {"kind": "pdsa"}).status_code == 400


def test_a_slot_taken_meanwhile_is_refused_at_the_first_step(idf, regulator, gp, member, slot_of, soon):
    slot = slot_of(gp, soon)
    book(take_request(idf["cmv"], _data(idf), member), slot, member)
    care = take_request(idf["cmv"], _data(idf, last_name="Roux", phone="0611111111"), member)
    page = regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": slot.pk}, follow=True).content.decode()
    assert "vient d&#x27;être pris ou retiré" in page and "Confirmer la réservation" not in page
