"""Issue 16 — the coordinator opens the representativeness report of the CPTS on a phone (390 px)
and downloads it; the workbook's figures are the page's."""

import io
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from openpyxl import load_workbook

from maillage.association.actions.board import MandateDraft, create_mandate
from maillage.association.models import Member
from maillage.association.models.board import BoardRole, Body
from tests.association.board_helpers import member
from tests.browser.conftest import Page
from tests.browser.test_pathways import _clean, _log_in
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


def test_the_coordinator_opens_the_representativeness_report_and_downloads_it(browser, live_server, idf):
    cmv, malakoff = idf["cmv"], idf["communes"]["92046"]
    doctors = [ProfessionalFactory(profession_code="10") for _ in range(3)]
    for doctor in doctors:
        ActivityFactory(professional=doctor, commune=malakoff)
    president = member(cmv, professional=doctors[0], profession_code="10", commune=malakoff, last_name="Garnier")
    member(cmv, professional=doctors[1], profession_code="10", commune=malakoff)
    member(cmv, "usagers", kind=Member.Kind.LEGAL, name="France Assos Santé")
    today = timezone.localdate()
    create_mandate(
        cmv, MandateDraft(president, Body.BUREAU, BoardRole.PRESIDENT, today, today.replace(year=today.year + 3)), None
    )
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, accept_downloads=True
    )
    page = Page(context.new_page(), live_server.url)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/association/temps/")
    assert "Temps rétribué des professionnels" in page.text()
    _clean(page)
    page.goto("/c/cmv/association/conseil/")
    assert "Président" in page.text()
    _clean(page)
    page.page.get_by_role("link", name="Représentativité").click()
    page.page.wait_for_load_state("networkidle")
    text = page.text()
    assert "Représentativité de la gouvernance" in text
    assert "Garnier" in text
    assert "Collèges sans siège au conseil ni au bureau" in text
    _clean(page)
    with page.page.expect_download() as info:
        page.page.get_by_role("link", name="Télécharger (Excel)").click()
    download = info.value
    assert download.suggested_filename == f"representativite-cmv-{today:%Y-%m-%d}.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert summary["Adhérents à jour"] == 3 and summary["Membres du conseil ou du bureau"] == 1
    professions = {row[0]: row[1:3] for row in workbook["Professions"].iter_rows(min_row=2, values_only=True)}
    assert professions["Médecin"] == (3, 2)
    assert page.console_errors == [] and page.failed == []
    context.close()
