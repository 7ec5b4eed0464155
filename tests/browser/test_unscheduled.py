"""Unscheduled care in headless Chromium: the regulator books a slot for a caller, and a
professional opens, edits and withdraws their slots."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.unscheduled.actions.slots import open_slot
from maillage.unscheduled.enums import SlotStatus
from maillage.unscheduled.models import Booking, CareRequest, Slot
from tests.browser.conftest import Page
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def gp(idf):
    professional = ProfessionalFactory(last_name="Bernard", first_name="Camille")
    ActivityFactory(professional=professional, commune=idf["communes"]["92046"])
    return professional


def test_the_regulator_books_a_slot_within_24_hours(page, idf, gp, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    slot = open_slot(
        idf["cmv"], gp, None, start=start, end=start + timedelta(minutes=20), kind="practice", types=["CPTS"]
    )
    regulator = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    page.login(regulator.email, PASSWORD)
    page.page.get_by_role("link", name="Soins non programmés").click()
    page.page.wait_for_load_state("networkidle")
    assert page.axe() == []
    page.page.get_by_label(re.compile(r"^Nom\s*:?$")).fill("Petit")
    page.page.get_by_label("Prénom").fill("Jeanne")
    page.page.get_by_label("Téléphone").fill("0612345678")
    page.page.get_by_label("Commune du patient").select_option(label="Châtillon (92000)")
    page.page.get_by_label("Motif").fill("fièvre depuis trois jours")
    page.page.get_by_role("button", name="Chercher un créneau").click()
    page.page.get_by_role("heading", name="Créneaux libres dans les 24 heures").wait_for()
    assert "Camille Bernard (Médecin)" in page.text()
    assert page.axe() == []
    page.page.get_by_role("button", name=re.compile("Réserver le créneau de .* avec Camille Bernard")).click()
    page.page.get_by_role("heading", name="Confirmer la réservation").wait_for()
    assert "au-delà du délai" not in page.text()
    page.page.get_by_role("button", name="Confirmer la réservation").click()
    page.page.get_by_text("Rendez-vous réservé").wait_for()
    sms = page.page.get_by_label(re.compile("SMS à envoyer au patient")).input_value()
    assert "RDV le" in sms and "Camille Bernard" in sms
    care = CareRequest.objects.get()
    assert care.status == "booked" and Booking.objects.get().slot == slot
    slot.refresh_from_db()
    assert slot.status == SlotStatus.BOOKED
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []


def test_a_professional_opens_edits_and_withdraws_slots(page, idf, gp, settings):
    settings.DEMO_RELAX_MFA = True
    member = RoleFactory(cpts=idf["cmv"]).user
    ProfessionalAccount.objects.create(user=member, professional=gp)
    page.login(member.email, PASSWORD)
    page.page.get_by_role("link", name="Mes créneaux").click()
    page.page.wait_for_load_state("networkidle")
    assert "Aucun créneau pour l'instant." in page.text()
    assert page.axe() == []
    day = timezone.localdate() + timedelta(days=2)
    opening = page.page.locator("section", has=page.page.get_by_role("heading", name="Ouvrir un créneau"))
    opening.get_by_label("Jour").fill(f"{day:%Y-%m-%d}")
    opening.get_by_label("Début").fill("18:00")
    opening.get_by_label("Fin").fill("18:30")
    opening.get_by_label("Type de consultation").select_option(label="visite à domicile")
    opening.get_by_role("button", name="Ouvrir le créneau").click()
    page.page.get_by_text("Créneau ouvert.").wait_for()
    assert "visite à domicile" in page.text()
    opening = page.page.locator("section", has=page.page.get_by_role("heading", name="Ouvrir un créneau"))
    opening.get_by_label("Jour").fill(f"{day:%Y-%m-%d}")
    opening.get_by_label("Début").fill("18:15")
    opening.get_by_label("Fin").fill("18:45")
    opening.get_by_role("button", name="Ouvrir le créneau").click()
    page.page.get_by_text("chevauche celui du").wait_for()  # refused, explained, the first one kept
    assert Slot.objects.count() == 1
    page.page.get_by_role("link", name=re.compile("Modifier le créneau")).click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_label("Début").fill("19:00")
    page.page.get_by_label("Fin").fill("19:20")
    page.page.get_by_role("button", name="Enregistrer").click()
    page.page.get_by_text("Créneau modifié.").wait_for()
    assert timezone.localtime(Slot.objects.get().start).strftime("%H:%M") == "19:00"
    page.page.get_by_role("button", name=re.compile("Retirer le créneau")).click()
    page.page.get_by_text("Créneau retiré.").wait_for()
    assert Slot.objects.get().status == SlotStatus.CANCELLED
    assert page.axe() == []
    assert [e for e in page.console_errors if "status of 400" not in e] == [] and page.failed == []


@pytest.fixture
def phone_page(browser, live_server):
    """The regulator's phone: 390 × 844, allowed to write to the clipboard (the SMS's copy button)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    yield Page(context.new_page(), live_server.url)
    context.close()


def test_the_regulator_is_warned_beyond_the_urgency_window_confirms_and_books(phone_page, idf, gp, settings):
    settings.DEMO_RELAX_MFA = True
    page = phone_page
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2, hours=3)
    slot = open_slot(
        idf["cmv"], gp, None, start=start, end=start + timedelta(minutes=20), kind="practice", types=["CPTS"]
    )
    regulator = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    page.login(regulator.email, PASSWORD)
    page.goto("/c/cmv/snp/")
    page.page.get_by_label(re.compile(r"^Nom\s*:?$")).fill("Petit")
    page.page.get_by_label("Prénom").fill("Jeanne")
    page.page.get_by_label("Téléphone").fill("0612345678")
    page.page.get_by_label("Commune du patient").select_option(label="Châtillon (92000)")
    page.page.get_by_label("Motif").fill("fièvre depuis trois jours")
    page.page.get_by_role("button", name="Chercher un créneau").click()
    page.page.get_by_role("heading", name="Créneaux libres dans les 24 heures").wait_for()
    # Nothing within 24 hours: the territory's alternatives, the 15 first.
    assert "Aucun créneau dans le délai" in page.text() and "SAMU – Centre 15" in page.text()
    page.page.get_by_role("link", name="7j").click()
    page.page.get_by_text("hors délai", exact=True).wait_for()  # the 7-day search finds the late slot
    assert page.overflow() <= 0
    button = page.page.get_by_role("button", name=re.compile("Réserver le créneau de .* avec Camille Bernard"))
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.axe() == []
    button.click()
    warning = page.page.get_by_test_id("beyond-window")
    warning.wait_for()
    assert re.search(
        r"Ce créneau est dans 2 jours et \d+ heures?, au-delà du délai de 24 heures demandé", warning.inner_text()
    )
    assert not Booking.objects.exists()
    assert page.overflow() <= 0 and page.axe() == []
    page.page.get_by_role("button", name="Réserver malgré le délai").click()
    page.page.get_by_text("Rendez-vous réservé").wait_for()
    booking = Booking.objects.get()
    assert booking.slot == slot and booking.request.status == "booked"
    page.page.get_by_role("button", name="Copier le SMS").click()
    page.page.get_by_text("SMS copié.").wait_for()
    copied = page.page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("CPTS") and "Camille Bernard" in copied and "fièvre" not in copied
    assert page.overflow() <= 0 and page.axe() == []
    assert page.console_errors == [] and page.failed == []


def test_the_coordinator_enters_the_alternatives_the_desk_shows_them_and_cancelling_is_confirmed(
    phone_page, idf, gp, settings
):
    settings.DEMO_RELAX_MFA = True
    page = phone_page
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.goto("/c/cmv/snp/")
    page.page.get_by_role("link", name=re.compile("Recours quand aucun créneau ne convient")).click()
    page.page.wait_for_load_state("networkidle")
    assert page.overflow() <= 0 and page.axe() == []
    page.page.get_by_label("Type").select_option(label="maison médicale de garde")
    page.page.get_by_label("Nom").fill("Maison médicale de garde de Vanves")
    page.page.get_by_label("Téléphone").fill("01 46 00 00 00")
    page.page.get_by_label("Horaires").fill("samedi 12 h–24 h, dimanche et jours fériés 8 h–24 h")
    page.page.get_by_role("button", name="Ajouter").click()
    page.page.get_by_text("Recours ajouté").wait_for()
    assert page.overflow() <= 0 and page.axe() == []

    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Petit", first_name="Jeanne", phone="0600000000",
                                      commune=idf["communes"]["92046"], reason="fièvre")  # fmt: skip
    page.goto(f"/c/cmv/snp/{care.pk}/")
    recours = page.page.get_by_test_id("alternatives")
    assert "Maison médicale de garde de Vanves" in recours.inner_text() and "15" in recours.inner_text()
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    open_slot(idf["cmv"], gp, None, start=start, end=start + timedelta(minutes=20), kind="practice", types=["CPTS"])
    page.goto(f"/c/cmv/snp/{care.pk}/")
    assert "Aucun créneau dans le délai" not in page.text()
    page.page.get_by_role("button", name=re.compile("Réserver le créneau de")).click()
    page.page.get_by_role("button", name="Confirmer la réservation").click()
    page.page.get_by_text("Rendez-vous réservé").wait_for()
    page.page.get_by_role("button", name="Annuler ce rendez-vous").click()
    page.page.get_by_role("heading", name="Annuler le rendez-vous ?").wait_for()
    assert Booking.objects.get().status == "booked"  # nothing cancelled yet
    assert page.overflow() <= 0 and page.axe() == []
    page.page.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    page.page.get_by_text("Rendez-vous annulé").wait_for()
    assert Booking.objects.get().status == "cancelled"
    assert page.console_errors == [] and page.failed == []


def test_the_desk_shows_a_refused_sas_report_and_sends_it_again_on_a_phone(phone_page, idf, gp, settings):
    """Issue 18: a booking made for the SAS regulation, that the SAS refused, read on a phone."""
    from maillage.core.jobs import run_pending
    from maillage.unscheduled.actions.desk import book
    from maillage.unscheduled.models import SasReport

    settings.DEMO_RELAX_MFA = True
    settings.SAS_APPOINTMENT_URL = ""  # nothing leaves this test
    page = phone_page
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    slot = open_slot(idf["cmv"], gp, None, start=start, end=start + timedelta(minutes=20), kind="practice",
                     types=["SNP"])  # fmt: skip
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Petit", first_name="Jeanne", phone="0600000000",
                                      commune=idf["communes"]["92046"], reason="fièvre", origin="sas")  # fmt: skip
    book(care, slot, coordinator)
    run_pending()
    SasReport.objects.update(status="failed", last_error="HTTP 422 : Appointment.end : valeur obligatoire")
    page.login(coordinator.email, PASSWORD)
    page.goto(f"/c/cmv/snp/{care.pk}/")
    reports = page.page.get_by_test_id("sas-reports")
    assert "Échec de transmission au SAS (rendez-vous) : HTTP 422" in reports.inner_text()
    assert "pas de nouvel essai automatique" in reports.inner_text()
    assert page.overflow() <= 0 and page.axe() == []
    page.page.get_by_role("button", name="Relancer la transmission").click()
    page.page.get_by_text("Transmission au SAS relancée").wait_for()
    assert "Rendez-vous en attente de transmission au SAS" in page.text()
    assert page.overflow() <= 0 and page.axe() == []
    assert page.console_errors == [] and page.failed == []
