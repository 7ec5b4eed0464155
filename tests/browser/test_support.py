"""Issue 17 — accompagnement des professionnels, in Chromium at phone width (axe clean, no
horizontal overflow): the coordinator reads the attractiveness map and welcomes a newcomer; a public
visitor finds an offer and its contact."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.projet.models import CommuneZoning
from maillage.support import newcomers, offers
from maillage.support.models import Newcomer, NewcomerStatus
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, RoleFactory

pytestmark = pytest.mark.browser


def _zoning(idf):
    for code, zone in {"92020": "ZIP", "92046": "ZIP", "92075": "ZAC"}.items():
        CommuneZoning.objects.create(commune=idf["communes"][code], zone=zone, file_name="test")


def test_the_coordinator_reads_the_map_and_welcomes_a_newcomer(browser, live_server, idf):
    _zoning(idf)
    ActivityFactory(commune=idf["communes"]["92046"])
    newcomer = newcomers.declare(
        idf["cmv"],
        newcomers.Declared(last_name="Moreau", first_name="Léa", profession="Infirmière", commune_code="92020"),
        None,
    )
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/accompagnement/")
    text = page.text()
    assert "Zonage médecins et densités par commune" in text and "1 nouvel installé à accueillir" in text
    assert "Aide à la première installation en ZIP" in text and "Aide à la première installation en ZAC" in text
    page.page.wait_for_selector(".map[data-features]")
    _clean(page)
    page.page.get_by_role("link", name="1 nouvel installé à accueillir").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_role("link", name="Léa Moreau").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    page.page.get_by_label("Courriel du professionnel").fill("lea.moreau@exemple.fr")
    page.page.get_by_role("button", name="Envoyer l'accueil").click()
    page.page.wait_for_load_state("networkidle")
    assert "Accueil envoyé à lea.moreau@exemple.fr." in page.text()
    assert Newcomer.objects.get(pk=newcomer.pk).status == NewcomerStatus.CONTACTED
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()


def test_a_visitor_finds_an_offer_and_its_contact(browser, live_server, idf):
    _zoning(idf)
    draft = offers.OfferDraft(
        kind="cabinet",
        title="Cabinet médical à louer à Malakoff",
        description="Cabinet de 18 m² en maison de santé.",
        profession="10-MG",
        commune_code="92046",
        expires_on=timezone.localdate() + timedelta(days=60),
        contact_name="Mairie de Malakoff",
        contact_email="sante@exemple.fr",
        contact_phone="01 46 00 00 00",
    )
    offers.post_offer(idf["cmv"], draft, None, by_coordination=True)
    context, page = _phone(browser, live_server)
    page.goto("/cpts/cmv/")
    page.page.get_by_role("link", name="S'installer sur le territoire : zonage, aides et annonces").click()
    page.page.wait_for_load_state("networkidle")
    page.page.wait_for_selector(".map[data-features]")
    _clean(page)
    page.page.get_by_role("link", name="Cabinet médical à louer à Malakoff").click()
    page.page.wait_for_load_state("networkidle")
    assert "sante@exemple.fr" in page.text() and "01 46 00 00 00" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
