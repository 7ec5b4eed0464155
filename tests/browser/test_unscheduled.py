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
