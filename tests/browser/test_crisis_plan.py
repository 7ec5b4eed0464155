"""Issue 17 — the crisis plan DOCX downloads; declaring a crisis alerts members and sets the
funding's crisis flag — on a phone, 390 px wide, axe clean."""

import io

import pytest
from django.utils import timezone
from docx import Document

from maillage.association import statutes
from maillage.association.models import College, Member
from maillage.crisis.models import CrisisAlert
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.crisis.conftest import full_plan
from tests.factories import RoleFactory

pytestmark = pytest.mark.browser


def test_the_plan_docx_downloads_and_the_ars_declaring_a_crisis_alerts_members_and_sets_the_funding_flag(
    browser, live_server, idf
):
    from tests.test_permissions import _funding_contract

    cmv = idf["cmv"]
    _funding_contract(idf)
    full_plan(cmv)
    statutes.of(cmv)
    college = College.objects.filter(cpts=cmv).first()
    for n in range(3):
        Member.objects.create(
            cpts=cmv,
            college=college,
            kind="person",
            last_name=f"Nom{n}",
            first_name="Anne",
            email=f"adherent{n}@exemple.fr",
            status=Member.Status.CURRENT,
        )
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=cmv).user)

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/crise/plan/")
    _clean(page)
    page.page.get_by_text("Ajouter : membre de la cellule de crise").click()
    form = page.page.get_by_test_id("add-cellule")
    form.get_by_label("Nom").fill("Paul Girard")
    form.get_by_label("Fonction").fill("Pharmacien, stocks")
    form.get_by_label("Téléphone (nuit et week-end)").fill("01 99 00 55 66")
    form.get_by_role("button", name="Ajouter").click()
    page.page.wait_for_load_state("networkidle")
    assert "Paul Girard" in page.page.get_by_test_id("list-cellule").inner_text()
    with page.page.expect_download() as download:
        page.page.get_by_test_id("plan-docx").click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Paul Girard" in cells and "01 99 00 55 66" in cells and "Dr Claire Martin" in cells
    context.close()

    ars, ars_secret = _with_totp(RoleFactory(regional=True, region=idf["region"]).user)
    context, page = _phone(browser, live_server)
    _log_in(page, ars, ars_secret)
    page.goto("/c/cmv/financement/")
    page.page.get_by_role("link", name="Déclarer une crise sanitaire").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    assert page.page.get_by_label("CPTS Châtillon-Malakoff-Vanves").is_checked()
    page.page.get_by_label("Nature").select_option("heatwave")
    page.page.get_by_label("Intitulé").fill("Canicule de juillet")
    page.page.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    page.page.get_by_role("button", name="Déclarer la crise").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    assert page.page.get_by_test_id("alert-count").inner_text() == "4"  # three members and the coordinator
    assert "Canicule de juillet" in page.page.get_by_test_id("sms").input_value()
    assert CrisisAlert.objects.get().recipients == 4
    page.goto(f"/c/cmv/financement/?annee={timezone.localdate().year}")
    flag = page.page.get_by_test_id("recognised-crisis").inner_text()
    assert f"Canicule de juillet, reconnue le {timezone.localdate():%d/%m/%Y}" in flag
    _clean(page)
    context.close()
