"""Issue 17 — « a volunteer signs up for a centre shift »: a member professional of the CPTS logs in
on a phone, finds the shifts to fill of the crisis in progress, signs up, sees it among their
shifts (axe clean, usable at 390 px)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.crisis.models import Crisis, ShiftSignup
from maillage.crisis.response_centres import CentreDraft, add_shift, open_centre
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.crisis.conftest import at
from tests.factories import RoleFactory

pytestmark = pytest.mark.browser


def test_a_volunteer_signs_up_for_a_centre_shift(browser, live_server, idf):
    today = timezone.localdate()
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    crisis = Crisis.objects.create(cpts=idf["cmv"], kind="epidemic", title="Épidémie de grippe",
                                   starts_on=today - timedelta(days=3), declared_by="ars", recognised_on=today)  # fmt: skip
    centre = open_centre(crisis, CentreDraft("vaccination", "Centre de vaccination de Malakoff", "Salle des fêtes",
                                             today, idf["communes"]["92046"], "8 h – 18 h"), coordinator)  # fmt: skip
    day = today + timedelta(days=2)
    shift = add_shift(centre, coordinator, starts_at=at(day, 9), ends_at=at(day, 13), capacity=3, role="vaccinate")
    member, secret = _with_totp(RoleFactory(cpts=idf["cmv"], user__first_name="Élise", user__last_name="Roux").user)

    context, page = _phone(browser, live_server)
    _log_in(page, member, secret)
    page.goto("/c/cmv/crise/benevolat/")
    assert "Centre de vaccination de Malakoff" in page.text() and "3 sur 3" in page.text()
    _clean(page)
    page.page.get_by_role(
        "button", name=f"M'inscrire : Centre de vaccination de Malakoff, le {day:%d/%m} à 09:00"
    ).click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Vous êtes inscrit : Centre de vaccination de Malakoff" in text
    assert "Vous n'êtes inscrit sur aucun créneau" not in text
    assert page.page.get_by_test_id("my-shift").count() == 1
    assert ShiftSignup.objects.get().shift == shift and ShiftSignup.objects.get().volunteer == member
    _clean(page)
    page.page.get_by_role("link", name="Centre de vaccination de Malakoff").first.click()
    page.page.wait_for_load_state("networkidle")
    assert "Vous êtes inscrit" in page.text() and "2 sur 3" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
