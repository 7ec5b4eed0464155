"""The 400 page a refused request lands on: French, styled like the others, readable at 390 px."""

import pytest

from tests.browser.conftest import Page
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def test_a_tampered_role_choice_lands_on_the_french_400_page(browser, live_server, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    member = RoleFactory(cpts=idf["cmv"]).user
    RoleFactory(user=member, cpts=idf["issy"])  # two roles: the role switch is shown
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800}, is_mobile=True)
    page = Page(context.new_page(), live_server.url)
    try:
        page.login(member.email, PASSWORD)
        page.goto("/espace/")
        page.page.evaluate("document.querySelector('#role-select option:checked').value = 'abc'")
        page.open_menu()
        with page.page.expect_navigation():
            page.page.get_by_role("button", name="Changer").click()
        page.page.get_by_role("heading", name="Requête invalide").wait_for()
        assert "rôle « abc » inconnu ou illisible" in page.text()
        assert "Rien n'a été enregistré." in page.text()
        assert page.page.evaluate("document.documentElement.lang") == "fr"
        assert page.overflow() <= 0
        assert page.axe() == []
    finally:
        context.close()
