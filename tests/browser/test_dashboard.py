"""The coordinator's to-do list in headless Chromium at phone width: each line leads to the page
where the thing is done; the recent activity reads as sentences."""

import pytest

from maillage.www.dashboard import todo
from tests.dashboard.conftest import busy
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser

CMV = "CPTS Châtillon-Malakoff-Vanves"
# Where each line of the list must lead: the heading of the page it opens.
DESTINATIONS = {
    "à qualifier": "Patients en recherche de médecin traitant",
    "expire dans les 48 heures": "Patients en recherche de médecin traitant",
    "attend depuis le plus longtemps": "Patients en recherche de médecin traitant",
    "Appariement bloqué": "Appariement patients — médecins",
    "rendez-vous non programmé": "Soins non programmés : la régulation",
    "échéances de mission en retard": f"Étapes de la {CMV}",
    "à saisir pour": f"Indicateurs de la {CMV}",
    "documents à déposer": f"Étapes de la {CMV}",
}


@pytest.fixture
def phone_page(browser, live_server):
    from tests.browser.conftest import Page

    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    yield Page(context.new_page(), live_server.url)
    context.close()


def test_each_line_of_the_coordinators_list_leads_to_its_page(phone_page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    page = phone_page
    cmv = busy(idf)
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    page.login(coordinator.email, PASSWORD)
    assert page.page.url.endswith("/c/cmv/")
    lines = [line.text for line in todo.coordinator(cmv)]
    assert len(lines) == len(DESTINATIONS)
    todo_box = page.page.locator("section.todo")
    assert todo_box.get_by_role("link").count() == len(DESTINATIONS)
    assert page.axe() == []
    assert page.overflow() <= 0
    for fragment, heading in DESTINATIONS.items():
        page.goto("/c/cmv/")
        link = page.page.locator("section.todo").get_by_role("link").filter(has_text=fragment)
        assert link.count() == 1, fragment
        link.click()
        page.page.wait_for_load_state("networkidle")
        assert page.page.get_by_role("heading", level=1).inner_text() == heading, fragment
    assert page.console_errors == [] and page.failed == []


def test_the_recent_activity_reads_as_sentences(phone_page, idf, settings):
    settings.DEMO_RELAX_MFA = True
    page = phone_page
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.goto("/c/cmv/medecin-traitant/")  # records « doctor_access.list.viewed »
    page.goto("/c/cmv/")
    activity = page.page.locator("ul.log").inner_text()
    assert "a consulté la liste des patients en recherche de médecin traitant" in activity
    assert "doctor_access" not in activity
    page.goto("/c/cmv/journal/")
    assert "a consulté la liste des patients" in page.text()
    assert page.axe() == []
