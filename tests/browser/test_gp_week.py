"""The GP's week in headless Chromium: slots and bookings day by day (columns on a wide screen,
stacked at 390 px), the week navigation, and the « médecin traitant déclaré » step after an
acceptance."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import Proposal
from maillage.unscheduled.actions.slots import open_slot
from maillage.unscheduled.enums import SlotStatus
from maillage.unscheduled.models import Booking, CareRequest, Slot
from tests.browser.conftest import Page
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    DoctorOfferFactory,
    DoctorRequestFactory,
    ProfessionalFactory,
    RoleFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def doctor(idf, settings):
    settings.DEMO_RELAX_MFA = True
    professional = ProfessionalFactory(last_name="Bernard", first_name="Camille")
    ActivityFactory(professional=professional, commune=idf["communes"]["92046"])
    user = RoleFactory(cpts=idf["cmv"]).user
    ProfessionalAccount.objects.create(user=user, professional=professional)
    return user, professional


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    wrapped = Page(context.new_page(), live_server.url)
    yield wrapped
    context.close()


def _slots_next_week(idf, professional):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # next week's, whatever the day and hour
    start = timezone.make_aware(datetime.combine(monday, time(18, 0)))
    booked = open_slot(idf["cmv"], professional, None, start=start, end=start + timedelta(minutes=20),
                       kind="practice", types=["CPTS"])  # fmt: skip
    open_slot(idf["cmv"], professional, None, start=start + timedelta(days=1),
              end=start + timedelta(days=1, minutes=20), kind="home", types=["CPTS"])  # fmt: skip
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Roux", first_name="Paul", reason="entorse",
                                      commune=idf["communes"]["92046"], phone="0611111111", status="booked")  # fmt: skip
    Booking.objects.create(slot=booked, request=care)
    Slot.objects.filter(pk=booked.pk).update(status=SlotStatus.BOOKED)


def test_the_week_on_a_wide_screen(page, idf, doctor):
    _the_week(page, idf, doctor, wide=True)


def test_the_week_on_a_phone(phone, idf, doctor):
    _the_week(phone, idf, doctor, wide=False)


def _the_week(page, idf, doctor, *, wide):
    user, professional = doctor
    _slots_next_week(idf, professional)
    page.login(user.email, PASSWORD)
    page.goto("/c/cmv/mes-creneaux/")
    assert "Semaine du" in page.text()
    assert page.axe() == [] and page.overflow() <= 0
    page.page.get_by_role("link", name="Semaine suivante →").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "1 créneau libre, 1 rendez-vous réservé cette semaine." in text
    assert "Paul Roux — entorse (0611111111)" in text
    days = page.page.locator("li.week-day")
    assert days.count() == 7
    first, second = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    if wide:
        assert second["x"] > first["x"] and abs(second["y"] - first["y"]) < 2  # columns
    else:
        assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 2  # stacked
    assert page.axe() == [] and page.overflow() <= 0
    page.page.get_by_role("link", name="← Semaine précédente").click()
    page.page.wait_for_load_state("networkidle")
    assert "Paul Roux" not in page.text()
    assert page.console_errors == [] and page.failed == []


def test_the_doctor_accepts_then_records_the_declaration(phone, idf, doctor):
    user, professional = doctor
    offer = DoctorOfferFactory(cpts=idf["cmv"], professional=professional, user=user,
                               commune=idf["communes"]["92046"])  # fmt: skip
    patient = DoctorRequestFactory(cpts=idf["cmv"], commune=idf["communes"]["92046"], status="proposed",
                                   first_name="Hélène", last_name="Lefèvre")  # fmt: skip
    Proposal.objects.create(request=patient, offer=offer, expires_at=timezone.now() + timedelta(days=3))
    phone.login(user.email, PASSWORD)
    phone.goto("/c/cmv/medecin-traitant/mes-patients/")
    reason = phone.page.get_by_label("Motif du refus")
    assert reason.input_value() == ""  # nothing preselected: the doctor chooses
    assert phone.axe() == [] and phone.overflow() <= 0
    phone.page.get_by_role("button", name="Accepter ce patient").click()
    phone.page.get_by_text("Vous avez accepté Hélène Lefèvre").wait_for()
    assert phone.axe() == [] and phone.overflow() <= 0
    phone.page.get_by_label("Déclaré le").fill(f"{timezone.localdate():%Y-%m-%d}")
    phone.page.get_by_role("button", name="Médecin traitant déclaré").click()
    phone.page.get_by_text(re.compile("Déclaration enregistrée")).wait_for()
    patient.refresh_from_db()
    assert (patient.status, patient.declared_on) == ("declared", timezone.localdate())
    assert f"médecin traitant déclaré le {timezone.localdate():%d/%m/%Y}" in phone.text()
    assert phone.axe() == [] and phone.overflow() <= 0
    assert phone.console_errors == [] and phone.failed == []
