"""A stale save in headless Chromium (ADR 0017): the refusal names the other person's change, the
typed input is still in the form, the page passes axe on a phone, and saving again goes through."""

from datetime import date

import pytest

from maillage.doctor_access.actions.lifecycle import qualify
from maillage.lifecycle.actions import date_milestone
from tests.factories import PASSWORD, DoctorRequestFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_stale_qualification_on_a_phone(mobile_page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    marie = RoleFactory(coordinator=True, cpts=idf["cmv"], user=UserFactory(first_name="Marie", last_name="Dupont"))
    paul = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    request = DoctorRequestFactory(cpts=idf["cmv"], commune=idf["communes"]["92046"], status="qualified")
    mobile_page.login(paul.email, PASSWORD)
    mobile_page.goto(f"/c/cmv/medecin-traitant/{request.pk}/")
    qualify(request, {"ald": True}, marie.user, expected_version=0)  # Marie saves first
    mobile_page.page.get_by_label("Notes").fill("Rappeler après 18 h")
    mobile_page.page.get_by_role("button", name="Enregistrer").click()
    mobile_page.page.wait_for_load_state("networkidle")
    alert = mobile_page.page.get_by_test_id("stale-edit")
    assert "Marie Dupont a modifié cette fiche le " in alert.inner_text()
    assert "Affection de longue durée (ALD) → oui" in alert.inner_text()
    assert mobile_page.page.get_by_label("Notes").input_value() == "Rappeler après 18 h"
    assert mobile_page.axe() == [] and mobile_page.overflow() <= 0
    mobile_page.page.get_by_label("Affection de longue durée (ALD)").check()
    mobile_page.page.get_by_role("button", name="Enregistrer").click()  # knowingly, with Marie's change
    mobile_page.page.get_by_text("qualifiée (priorité").wait_for()
    request.refresh_from_db()
    assert (request.ald, request.notes) == (True, "Rappeler après 18 h")
    # Chromium logs the 409 answer itself as a console error; nothing else may be there.
    assert [e for e in mobile_page.console_errors if "status of 409" not in e] == [] and mobile_page.failed == []


def test_a_stale_milestone_date_with_htmx(page, idf, settings):
    settings.DEMO_RELAX_MFA = True
    marie = RoleFactory(coordinator=True, cpts=idf["cmv"], user=UserFactory(first_name="Marie", last_name="Dupont"))
    paul = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(paul.email, PASSWORD)
    page.goto("/c/cmv/parcours/")
    date_milestone(idf["cmv"], "seed_funding", date(2019, 9, 16), actor=marie.user, amount="50000")
    row = page.page.locator('tr[data-kind="seed_funding"]')
    row.get_by_label("Date : Financement d'amorçage de l'ARS", exact=True).fill("2019-10-01")
    row.get_by_role("button").click()
    page.page.get_by_text("Marie Dupont a modifié cette fiche le ").wait_for()
    row = page.page.locator('tr[data-kind="seed_funding"]')
    assert "Date → 16/09/2019" in row.inner_text()
    assert row.locator('input[name="date"]').input_value() == "2019-10-01"  # what Paul typed
    assert page.page.url.endswith("/c/cmv/parcours/")  # swapped in place by htmx
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []
