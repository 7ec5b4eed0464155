"""Issue 18 — booking from the SAS, on a phone (390 px): a regulator of the SAS opens the booking
URL of a slot as the SAS answer gives it (`Slot.comment`, with the `origin` the SAS platform
appends), logs in with their second factor, comes back to the slot, books it and reads the
confirmation; the same URL opened again says the slot is taken."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.test import Client
from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.fhir import systems
from maillage.unscheduled.enums import Origin
from maillage.unscheduled.models import Booking, CareRequest, SasConsumer, Slot
from tests.browser.test_pathways import _clean, _phone, _with_totp
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory, with_check_digit

pytestmark = pytest.mark.browser
RPPS = with_check_digit("1000290937")


def _booking_url_from_the_sas(start) -> str:
    """The booking URL as the SAS platform reads it: from a real Slot search answer."""
    _, key = SasConsumer.create_with_key("Plateforme SAS")
    query = {
        "start": [f"ge{(start - timedelta(hours=1)).isoformat()}", f"le{(start + timedelta(hours=1)).isoformat()}"],
        "schedule.actor:Practitioner.identifier": f"{systems.IDNPS}|8{RPPS}",
        "status": "free",
    }
    bundle = Client().get("/fhir/Slot", query, headers={"Authorization": f"Bearer {key}"}).json()
    [entry] = bundle["entry"]
    return entry["resource"]["comment"]


def test_a_regulator_of_the_sas_books_a_slot_from_its_url_once(browser, live_server, idf, settings):
    settings.SITE_URL = live_server.url
    gp = ProfessionalFactory(identifier=RPPS, last_name="Bernard", first_name="Camille")
    site = ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    slot = Slot.objects.create(
        cpts=idf["cmv"], professional=gp, activity=site, commune=site.commune, start=start,
        end=start + timedelta(minutes=20), types=["SNP", "CPTS"], profession_code="10", profession_label="Médecin",
    )  # fmt: skip
    regulator, secret = _with_totp(
        RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=idf["region"], user__first_name="Samir").user
    )
    url = _booking_url_from_the_sas(start) + "&origin=sas"
    assert url.startswith(f"{live_server.url}/sas/cmv/rdv/{slot.pk}/")

    context, page = _phone(browser, live_server)
    page.page.goto(url)
    page.page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.page.url  # not logged in: the login page first
    page.page.get_by_label("Adresse électronique").fill(regulator.email)
    page.page.get_by_label("Mot de passe").fill(PASSWORD)
    page.page.get_by_role("button", name="Se connecter").click()
    page.page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/authenticate/" in page.page.url
    page.page.locator("input[name=code]").fill(format(hotp_value(secret, int(time.time()) // 30), "06d"))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.get_by_role("heading", name="Réserver ce créneau pour votre patient").wait_for()
    assert page.page.url == url  # back on the slot, the origin kept
    assert "Camille Bernard" in page.text()
    _clean(page)

    form = page.page
    form.get_by_label(re.compile(r"^Nom\s*:?$")).fill("Petit")
    form.get_by_label("Prénom").fill("Jeanne")
    form.get_by_label("Date de naissance").fill("1980-04-02")
    form.get_by_label("Téléphone du patient").fill("06 12 34 56 78")
    form.get_by_label("Commune du patient").select_option(value=str(idf["communes"]["92046"].pk))
    form.get_by_role("button", name="Réserver le créneau").click()
    form.get_by_role("heading", name="Rendez-vous réservé").wait_for()
    request = CareRequest.objects.get()
    assert request.reference in page.text() and "carte Vitale" in page.text()
    assert request.origin == Origin.SAS and Booking.objects.get().slot == slot
    _clean(page)

    page.page.goto(url)  # the same URL again
    page.page.get_by_role("heading", name="Ce créneau ne peut pas être réservé").wait_for()
    assert "déjà réservé" in page.text()
    _clean(page)
    assert Booking.objects.count() == 1
    assert page.console_errors == [] and page.failed == []
    context.close()
