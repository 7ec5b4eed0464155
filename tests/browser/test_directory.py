"""The directory as a coordinator uses it, in headless Chromium: live search, professional's page,
enrichment, and the public directory that shows what was published."""

import pytest

from maillage.directory.models import DirectoryEntry
from tests.directory_ui.helpers import pro, skill
from tests.factories import PASSWORD, RoleFactory, StructureFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def small_directory(idf):
    skill("pediatrie")
    lefevre = pro(idf["communes"]["92046"], last_name="Lefèvre", first_name="Élodie")
    pro(
        idf["communes"]["92075"],
        last_name="Dupont",
        first_name="Jean",
        profession_code="60",
        profession_label="Infirmier",
    )
    StructureFactory(short_name="CENTRE DE SANTE DES LILAS", commune=idf["communes"]["92046"])
    return lefevre


def test_coordinator_finds_a_professional_live_and_enriches_the_entry(page, idf, small_directory, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    user = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(user.email, PASSWORD)
    page.page.get_by_role("link", name="Annuaire", exact=True).click()
    page.page.wait_for_load_state("networkidle")
    assert "Annuaire de la CPTS Châtillon-Malakoff-Vanves" in page.text()
    assert page.page.inner_text("[data-testid=pros-count]") == "2 professionnels"
    assert page.axe() == []

    page.page.get_by_label("Nom ou prénom").press_sequentially("lefe", delay=40)
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=pros-count]')?.textContent.trim() === '1 professionnel'"
    )
    assert "Dupont Jean" not in page.page.inner_text("#directory-results")
    assert page.page.url.endswith("/c/cmv/annuaire/")  # live: the page itself was not reloaded
    assert page.axe("#directory-results") == []

    page.page.get_by_role("link", name="Lefèvre Élodie").click()
    page.page.wait_for_load_state("networkidle")
    assert "Docteur Élodie Lefèvre" in page.text()
    assert "La CPTS n'a encore rien ajouté" in page.text()
    assert page.axe() == []

    page.page.get_by_label("Pédiatrie").check()
    page.page.get_by_label("Langues parlées").fill("anglais, italien")
    page.page.get_by_label("Accepte de nouveaux patients").check()
    page.page.get_by_label("Visible dans l'annuaire public").check()
    page.page.get_by_role("button", name="Enregistrer la fiche").click()
    page.page.get_by_text("La fiche d'Élodie Lefèvre a été mise à jour.").wait_for()
    entry_text = " ".join(page.page.inner_text("[data-testid=entry]").split())
    assert "Adhérent de la CPTS non" in entry_text  # the association's membership, not typed here
    assert "Compétences Pédiatrie" in entry_text
    assert "Langues parlées anglais, italien" in entry_text
    entry = DirectoryEntry.objects.get(cpts=idf["cmv"], professional=small_directory)
    assert not entry.is_member and entry.public_listing

    page.goto("/cpts/cmv/annuaire/")
    public = page.text()
    assert "Élodie Lefèvre" in public and "Pédiatrie" in public and "Langues parlées : anglais, italien" in public
    assert page.axe() == []
    assert page.console_errors == []  # a CSP refusal would show here
    assert page.failed == []


def test_public_directory_fits_a_phone_screen(mobile_page, idf, small_directory):
    mobile_page.goto("/cpts/cmv/annuaire/")
    assert "Élodie Lefèvre" in mobile_page.text()
    overflow = mobile_page.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"la page déborde de {overflow} px"
