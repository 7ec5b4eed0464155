"""The foundation's main journeys as a person does them, in headless Chromium."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value

from maillage.territory import actions
from maillage.territory.models import Cpts
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def _totp_code(secret: str) -> str:
    return format(hotp_value(secret, int(time.time()) // 30), "06d")


def _coordinator_with_totp(idf):
    user = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def _figure(page, testid: str) -> str:
    # French digit grouping uses a no-break space: compare with plain spaces.
    return " ".join(page.page.inner_text(f"[data-testid={testid}]").split())


def _map_features(page) -> int:
    element = page.page.wait_for_selector(".map[data-features]", timeout=10_000)
    return int(element.get_attribute("data-features"))


def _wait_for_map(page, count: int) -> None:
    """The map is redrawn after an htmx edit: wait until it shows `count` features."""
    page.page.wait_for_function(
        "n => document.querySelector('.map[data-features]')?.dataset.features === String(n)", arg=count
    )


def test_public_visitor_finds_a_cpts_its_tier_and_overlap(page, idf):
    page.goto("/")
    assert "Les CPTS de cette plateforme" in page.text()
    assert _map_features(page) == 3  # one shape per CPTS (here their communes' points: no outlines)
    page.page.get_by_role("link", name="CPTS Châtillon-Malakoff-Vanves").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/cpts/cmv/")
    assert _figure(page, "tier") == "T3"
    assert _figure(page, "population") == "96 679 habitants"
    notice = page.page.inner_text(".notice.warning")
    assert "Vanves (92075) est aussi revendiquée par CPTS Grand Issy-Vanves" in " ".join(notice.split())
    assert _map_features(page) == 3
    assert page.console_errors == []  # a CSP refusal would show here
    assert page.failed == []


def test_coordinator_logs_in_with_totp_and_edits_the_territory_live(page, idf):
    user, secret = _coordinator_with_totp(idf)
    page.login(user.email, PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.page.url
    assert page.axe() == []
    page.page.locator("input[name=code]").fill(_totp_code(secret))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    assert "Tableau de bord de la CPTS Châtillon-Malakoff-Vanves" in page.text()

    page.page.get_by_role("link", name="Modifier le territoire").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_label("Nom, code INSEE ou code postal").press_sequentially("montr", delay=40)
    page.page.get_by_role("button", name="Ajouter Montrouge").wait_for()
    assert page.axe("#search-results") == []
    page.page.get_by_role("button", name="Ajouter Montrouge").click()
    page.page.get_by_text("Montrouge a été ajoutée au territoire.").wait_for()
    assert _figure(page, "population") == "146 655 habitants"
    assert _figure(page, "tier") == "T3"

    page.page.get_by_role("button", name="Retirer Châtillon").click()
    page.page.get_by_text("Châtillon a été retirée du territoire.").wait_for()
    assert _figure(page, "population") == "109 155 habitants"
    _wait_for_map(page, 3)
    codes = set(Cpts.objects.get(slug="cmv").territory.values_list("commune_id", flat=True))
    assert codes == {"92046", "92075", "92049"}
    assert page.console_errors == []


def test_two_coordinators_editing_at_once_lose_nothing(page, idf, settings):
    settings.DEMO_RELAX_MFA = True
    user = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(user.email, PASSWORD)
    page.goto("/c/cmv/territoire/")
    # A colleague adds Issy-les-Moulineaux while this page is open.
    cmv = Cpts.objects.get(slug="cmv")
    actions.add_commune(cmv, "92040", actor=user, expected_version=cmv.territory_version)
    page.page.get_by_label("Nom, code INSEE ou code postal").fill("92049")
    page.page.get_by_role("button", name="Ajouter Montrouge").click()
    page.page.get_by_text("modifié par une autre personne").wait_for()
    # The panel now shows the colleague's edit; a second try goes through.
    assert "Issy-les-Moulineaux" in page.page.inner_text("#territory-panel")
    page.page.get_by_role("button", name="Ajouter Montrouge").click()
    page.page.get_by_text("Montrouge a été ajoutée au territoire.").wait_for()
    codes = set(cmv.territory.values_list("commune_id", flat=True))
    assert codes == {"92020", "92046", "92075", "92040", "92049"}


def test_regional_viewer_sees_coverage_zones_blanches_and_overlaps(page, idf):
    viewer = RoleFactory(regional=True, region=idf["region"]).user
    page.login(viewer.email, PASSWORD)
    assert page.page.url.endswith("/espace/")  # the to-do list, whose zones blanches line leads there
    page.page.get_by_role("link", name="n'est couverte par aucune CPTS (zones blanches)").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/couverture/region/11/")
    text = page.text()
    assert "Couverture par les CPTS : Île-de-France" in text
    assert _figure(page, "zones-blanches") == "1 commune"
    overlaps = " ".join(page.page.inner_text("#chev + table").split())
    assert "Vanves (92075) CPTS Châtillon-Malakoff-Vanves, CPTS Grand Issy-Vanves" in overlaps
    assert _map_features(page) == 6
    page.page.get_by_role("link", name="Hauts-de-Seine").click()
    page.page.wait_for_load_state("networkidle")
    assert "Couverture par les CPTS : Hauts-de-Seine" in page.text()
    assert page.console_errors == []


PAGES = {
    None: ["/", "/cpts/cmv/", "/cpts/issy/", "/accounts/login/", "/accounts/signup/", "/cpts/inexistante/"],
    "coordinator": [
        "/c/cmv/",
        "/c/cmv/territoire/",
        "/c/cmv/journal/",
        "/c/cmv/annuaire/partenaires/",
        "/c/cmv/medecin-traitant/",
        "/c/cmv/medecin-traitant/nouvelle/",
        "/c/cmv/medecin-traitant/reglages/",
        "/c/cmv/medecin-traitant/appariement/",
        "/c/cmv/medecin-traitant/orienter/",
        "/c/cmv/medecin-traitant/mes-patients/",
        "/c/cmv/indicateurs/",
        "/c/cmv/snp/",
        "/c/cmv/snp/nouvelle/",
        "/c/cmv/mes-creneaux/",
        "/espace/",
        "/accounts/2fa/",
    ],
    "regional": ["/couverture/", "/couverture/region/11/", "/couverture/departement/92/"],
}


def test_no_serious_accessibility_violation_on_any_page(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second-factor pages are swept in the login journey
    users = {
        "coordinator": RoleFactory(coordinator=True, cpts=idf["cmv"]).user,
        "regional": RoleFactory(regional=True, region=idf["region"]).user,
    }
    found = {}
    for role, paths in PAGES.items():
        if role:
            page.page.context.clear_cookies()
            page.login(users[role].email, PASSWORD)
        for path in paths:
            page.goto(path)
            violations = page.axe()
            if violations:
                found[path] = violations
    assert found == {}
    assert page.console_errors == [] or all("404" in e for e in page.console_errors)


def test_pages_fit_a_phone_screen(mobile_page, idf):
    for path in ("/", "/cpts/cmv/", "/accounts/login/"):
        mobile_page.goto(path)
        overflow = mobile_page.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} déborde de {overflow} px"


def test_new_coordinator_sets_up_the_second_factor_at_first_login(page, idf):
    user = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(user.email, PASSWORD)
    assert page.page.url.endswith("/accounts/2fa/totp/activate/")
    assert "Activer la double authentification" in page.text()
    assert page.axe() == []
    secret = page.page.inner_text("#totp-secret").strip()
    page.page.get_by_label("Code à six chiffres").fill(_totp_code(secret))
    page.page.get_by_role("button", name="Activer").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/accounts/2fa/recovery-codes/")
    assert "Codes de secours" in page.text()
    assert page.page.locator(".codes li").count() == 10
    assert page.axe() == []
    page.page.get_by_role("link", name="Continuer vers mon espace").click()
    page.page.wait_for_load_state("networkidle")
    assert "Tableau de bord de la CPTS Châtillon-Malakoff-Vanves" in page.text()
    assert page.console_errors == []
