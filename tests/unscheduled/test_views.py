"""Unscheduled care through its pages: the desk books, the professional keeps their slots."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.directory.models import ProfessionalAccount
from maillage.unscheduled.enums import BookingStatus, RequestStatus, SlotStatus
from maillage.unscheduled.models import Booking, CalendarFeed, CareRequest, Slot
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulator(idf, login):
    return login(RoleFactory(regulator=True, cpts=idf["cmv"]).user, with_mfa=True)


@pytest.fixture
def gp_client(idf, gp, member, login):
    ProfessionalAccount.objects.create(user=member, professional=gp)
    return login(member)


def _call(**changes):
    data = {"last_name": "Petit", "first_name": "Jeanne", "phone": "0600000000", "commune": "92020",
            "reason": "fièvre depuis trois jours", "urgency": "24h", "profession_code": "10"}  # fmt: skip
    data.update(changes)
    return data


def test_the_desk_takes_a_call_finds_a_slot_and_books_it(idf, regulator, gp, slot_of, soon):
    slot = slot_of(gp, soon)
    page = regulator.post("/c/cmv/snp/nouvelle/", _call(), follow=True)
    care = CareRequest.objects.get()
    text = page.content.decode()
    assert "Créneaux libres dans les 24 heures" in text and "Camille Bernard" in text
    week = regulator.get(f"/c/cmv/snp/{care.pk}/?delai=7j").content.decode()
    assert "Créneaux libres dans les 7 jours" in week and "168 heures" not in week
    assert AuditEntry.objects.filter(action="unscheduled.request.viewed", health_data=True).exists()
    asked = regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": slot.pk})
    assert asked.status_code == 200 and "Confirmer la réservation" in asked.content.decode()
    assert not Booking.objects.exists()  # the first step books nothing
    booked = regulator.post(
        f"/c/cmv/snp/{care.pk}/reserver/", {"slot": slot.pk, "confirme": "1"}, follow=True
    ).content.decode()
    assert "Rendez-vous réservé" in booked and "SMS à envoyer au patient" in booked
    assert "avec Camille Bernard au cabinet" in booked and 'data-copy="sms"' in booked
    slot.refresh_from_db()
    care.refresh_from_db()
    assert (slot.status, care.status) == (SlotStatus.BOOKED, RequestStatus.BOOKED)


def test_the_desk_explains_bad_input(idf, regulator):
    response = regulator.post("/c/cmv/snp/nouvelle/", _call(phone="", commune="75113"))
    text = response.content.decode()
    assert response.status_code == 400
    assert "Commune inconnue ou hors du territoire" in text
    assert not CareRequest.objects.exists()


def test_unmet_with_its_reason_and_another_cpts_request_is_404(idf, regulator, login):
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="A", first_name="B", commune=idf["communes"]["92020"],
                                      reason="toux", phone="0600000000")  # fmt: skip
    regulator.post(f"/c/cmv/snp/{care.pk}/sans-solution/", {"reason": "no_slot"})
    care.refresh_from_db()
    assert (care.status, care.unmet_reason) == ("unmet", "no_slot")
    other = login(RoleFactory(regulator=True, cpts=idf["paris13"]).user, with_mfa=True)
    assert other.get(f"/c/paris-13/snp/{care.pk}/").status_code == 404


def test_a_professional_opens_edits_and_withdraws_slots(idf, gp_client, soon):
    day = timezone.localtime(soon + timedelta(days=1))
    form = {"formulaire": "creneau", "day": f"{day:%Y-%m-%d}", "start_time": "18:00", "end_time": "18:20",
            "kind": "home", "types": ["CPTS", "SNP"]}  # fmt: skip
    page = gp_client.post("/c/cmv/mes-creneaux/", form, follow=True).content.decode()
    assert "Créneau ouvert." in page and "visite à domicile" in page
    overlap = gp_client.post("/c/cmv/mes-creneaux/", {**form, "start_time": "18:10", "end_time": "18:30"})
    assert overlap.status_code == 400 and "chevauche celui du" in overlap.content.decode()
    past = gp_client.post("/c/cmv/mes-creneaux/", {**form, "day": "2020-01-06"})
    assert "dans le passé" in past.content.decode()
    slot = Slot.objects.get()
    gp_client.post(
        f"/c/cmv/mes-creneaux/{slot.pk}/", {**form, "start_time": "19:00", "end_time": "19:30", "version": 0}
    )
    slot.refresh_from_db()
    assert timezone.localtime(slot.start).strftime("%H:%M") == "19:00" and slot.minutes == 30
    gp_client.post(f"/c/cmv/mes-creneaux/{slot.pk}/retirer/")
    slot.refresh_from_db()
    assert slot.status == SlotStatus.CANCELLED


def test_weekly_template_from_the_page(idf, gp_client):
    form = {"formulaire": "semaine", "weekday": "2", "start_time": "18:00", "end_time": "19:00", "length": "30",
            "kind": "practice", "types": ["SNP"], "weeks": "3"}  # fmt: skip
    page = gp_client.post("/c/cmv/mes-creneaux/", form, follow=True).content.decode()
    created = Slot.objects.count()
    assert created in (4, 6) and f"{created} créneaux ouverts" in page  # today's may be past


def test_bookings_show_in_the_space_and_in_the_private_calendar(
    idf, gp, member, gp_client, slot_of, soon, client, settings
):
    settings.SITE_URL = "https://cpts.example.fr"
    slot = slot_of(gp, soon)
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Roux", first_name="Paul", reason="entorse",
                                      commune=idf["communes"]["92046"], phone="0611111111", status="booked")  # fmt: skip
    booking = Booking.objects.create(slot=slot, request=care)
    Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.BOOKED)
    # The page shows one week: ask for the slot's, which is next week late on a Sunday evening.
    week = timezone.localdate(soon).isoformat()
    space = gp_client.get(f"/c/cmv/mes-creneaux/?semaine={week}").content.decode()
    assert "Paul Roux — entorse" in space
    gp_client.post("/c/cmv/mes-creneaux/agenda/")
    feed = CalendarFeed.objects.get()
    ics = client.get(f"/agenda/{feed.token}.ics")
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "SUMMARY:Rendez-vous SNP" in body
    # Calendar providers keep the feed on their servers: no name, phone or reason, a link instead.
    unfolded = body.replace("\r\n ", "")
    for private in ("Roux", "Paul", "entorse", "0611111111"):
        assert private not in unfolded
    assert "https://cpts.example.fr/c/cmv/mes-creneaux/" in unfolded
    assert AuditEntry.objects.filter(action="unscheduled.calendar.read", actor=member, health_data=True).exists()
    old = feed.token
    gp_client.post("/c/cmv/mes-creneaux/agenda/")
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() - timedelta(hours=1))
    gp_client.post(f"/c/cmv/mes-creneaux/reservations/{booking.pk}/", {"issue": "honore"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HONOURED


def test_the_week_view_shows_the_slots_day_by_day_with_their_bookings(idf, gp, gp_client, slot_of):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # next week's, whatever the day and hour
    next_week = timezone.make_aware(datetime.combine(monday, time(18, 0)))
    booked = slot_of(gp, next_week)
    slot_of(gp, next_week + timedelta(days=1))
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Roux", first_name="Paul", reason="entorse",
                                      commune=idf["communes"]["92046"], phone="0611111111", status="booked")  # fmt: skip
    Booking.objects.create(slot=booked, request=care)
    Slot.objects.filter(pk=booked.pk).update(status=SlotStatus.BOOKED)
    page = gp_client.get("/c/cmv/mes-creneaux/", {"semaine": f"{monday + timedelta(days=3):%Y-%m-%d}"}).content.decode()
    assert (
        f"?semaine={monday - timedelta(days=7):%Y-%m-%d}" in page
        and f"?semaine={monday + timedelta(days=7):%Y-%m-%d}" in page
    )
    assert "1 créneau libre, 1 rendez-vous réservé cette semaine." in page
    assert "Paul Roux — entorse (0611111111)" in page
    assert page.count('<li class="week-day') == 7
    assert gp_client.get("/c/cmv/mes-creneaux/", {"semaine": "n'importe quoi"}).status_code == 200  # this week
    assert gp_client.get("/c/cmv/mes-creneaux/", {"semaine": "9999-12-31"}).status_code == 200
