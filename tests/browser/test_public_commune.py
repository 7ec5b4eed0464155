"""« Ma commune, ma CPTS » in Chromium: the public visitor finds both CPTS of Vanves and their
contacts, with and without JavaScript, on a computer and at 390 px; the maps draw France."""

import pytest
import shapely

from maillage.territory import actions, background
from tests.browser.conftest import Page

pytestmark = pytest.mark.browser


@pytest.fixture
def contacts(idf):
    actions.update_contacts(
        idf["cmv"], contact_email="contact@cmv.fr", phone="01 99 00 12 34", actor=None, expected_version=None
    )
    actions.update_contacts(idf["issy"], contact_email="issy@cpts.fr", phone="", actor=None, expected_version=None)
    for commune in idf["communes"].values():
        if commune.is_unit:
            commune.shape = shapely.to_geojson(
                shapely.Point(commune.longitude or 2.3, commune.latitude or 48.8).buffer(0.02)
            )
            commune.save()
    background.refresh_background()
    return idf


def test_the_visitor_finds_both_cpts_of_vanves_and_their_contacts(page, contacts):
    page.goto("/")
    # The home map has France's background under the CPTS layer.
    drawn = page.page.wait_for_selector(".map[data-background-features]", timeout=10_000)
    assert drawn.get_attribute("data-background-features") == "3"  # Paris, Hauts-de-Seine, Île-de-France
    page.page.get_by_label("Ma commune : nom ou code postal").fill("Vanves")
    results = page.page.locator("#commune-results")
    results.get_by_role("link", name="CPTS Grand Issy-Vanves").wait_for(timeout=10_000)
    text = " ".join(results.inner_text().split())
    assert "2 CPTS couvrent cette commune" in text
    assert "CPTS Châtillon-Malakoff-Vanves" in text and "01 99 00 12 34" in text and "issy@cpts.fr" in text
    assert page.axe() == []
    results.get_by_role("link", name="CPTS Châtillon-Malakoff-Vanves").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/cpts/cmv/")
    body = page.text()
    assert "Numéro unique : 01 99 00 12 34" in body and "contact@cmv.fr" in body
    assert "rendez-vous le jour même" in body
    page.page.wait_for_selector(".map[data-background-features='3']", timeout=10_000)
    assert page.axe() == []
    page.page.get_by_role("link", name="Demander un médecin traitant").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/cpts/cmv/medecin-traitant/")
    assert page.console_errors == []  # a CSP refusal would show here
    assert page.failed == []


def test_without_javascript_by_postal_code_at_390_px(browser, live_server, contacts):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
    )
    try:
        page = Page(context.new_page(), live_server.url)
        page.goto("/")
        assert page.overflow() <= 0
        page.page.get_by_label("Ma commune : nom ou code postal").fill("92130")
        page.page.get_by_role("button", name="Trouver ma CPTS").click()
        page.page.wait_for_load_state("networkidle")
        assert "/recherche/?q=92130" in page.page.url
        text = page.text()
        assert "Issy-les-Moulineaux" in text and "CPTS Grand Issy-Vanves" in text and "issy@cpts.fr" in text
        assert page.overflow() <= 0, f"la recherche déborde de {page.overflow()} px"
        page.goto("/recherche/?q=Vanves")
        assert "2 CPTS couvrent cette commune" in page.text()
        assert page.overflow() <= 0
        page.goto("/cpts/cmv/")
        assert page.overflow() <= 0, f"la page de la CPTS déborde de {page.overflow()} px"
    finally:
        context.close()


def test_the_search_and_cpts_pages_fit_390_px_with_javascript(browser, live_server, contacts):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = Page(context.new_page(), live_server.url)
        for path in ("/recherche/?q=Vanves", "/cpts/cmv/", "/cpts/cmv/medecin-traitant/envoyee/"):
            page.goto(path)
            assert page.overflow() <= 0, f"{path} déborde de {page.overflow()} px"
            assert page.axe() == [], path
        assert page.console_errors == []
    finally:
        context.close()
