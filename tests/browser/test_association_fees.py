"""Issue 16 — cotisations: on a phone (390 px), the coordinator finds a member in grace among those
who have not paid, records the cheque, sees the member « à jour », and downloads the receipt
(opened with python-docx); the member finds it in her space and downloads it too."""

from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from maillage.association import status
from maillage.association import statutes as statutes_of
from maillage.association.models import College, FeeRate, Member, Statutes
from maillage.association.models.fees import Payment
from tests.association.conftest import member
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def _go(page, action):
    action()
    page.page.wait_for_load_state("networkidle")


def test_the_coordinator_records_a_payment_for_a_member_in_grace(browser, live_server, idf, tmp_path):
    cmv = idf["cmv"]
    today = timezone.localdate()
    # The membership year started on the 1st of this month: who paid up to the day before is in grace.
    statutes = statutes_of.of(cmv)
    Statutes.objects.filter(pk=statutes.pk).update(year_start_month=today.month)
    liberaux = College.objects.get(cpts=cmv, code="liberaux")
    for year in (today.year - 1, today.year):
        FeeRate.objects.create(cpts=cmv, college=liberaux, year=year, amount_cents=3000)
    nurse = member(cmv, liberaux, last_name="Bernard", first_name="Claire", email="claire.bernard@exemple.fr")
    account = RoleFactory(cpts=cmv, kind="adherent").user
    Member.objects.filter(pk=nurse.pk).update(paid_until=today.replace(day=1) - timedelta(days=1), user=account)
    nurse.refresh_from_db()
    status.refresh(nurse, None)
    assert nurse.status == Member.Status.GRACE
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=cmv).user)

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/association/")
    _go(page, lambda: page.page.get_by_role("link", name="Cotisations").click())
    assert "Sans cotisation" in page.text() and "Claire Bernard" in page.text()
    _clean(page)
    _go(page, lambda: page.page.get_by_role("link", name="Enregistrer un paiement de Claire Bernard").click())
    _clean(page)
    form = page.page
    assert form.get_by_label("Montant (€)").input_value() == "30,00"
    form.get_by_label("Mode de paiement").select_option("cheque")
    form.get_by_label("Référence").fill("Chèque n° 0001234, Banque Postale")
    _go(page, lambda: form.get_by_role("button", name="Enregistrer le paiement").click())
    payment = Payment.objects.get()
    assert page.page.url.endswith(f"/c/cmv/association/adherents/{nurse.pk}/")
    assert f"reçu {payment.receipt_number}" in page.text() and "« à jour »" in page.text()
    assert page.page.get_by_test_id("member-status").inner_text() == "à jour"
    _clean(page)

    with page.page.expect_download() as download:
        page.page.get_by_role("link", name=f"Reçu {payment.receipt_number} (.docx)").click()
    assert download.value.suggested_filename == f"recu-cotisation-{payment.receipt_number}.docx"
    saved = tmp_path / "recu.docx"
    download.value.save_as(saved)
    document = Document(str(saved))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "30,00\u00a0€" in cells and "Chèque n° 0001234, Banque Postale" in cells
    assert any("Claire Bernard" in cell for cell in cells)
    assert page.console_errors == [] and page.failed == []
    context.close()

    context, page = _phone(browser, live_server)
    page.login(account.email, PASSWORD)
    page.goto("/c/cmv/adherent/")
    _go(page, lambda: page.page.get_by_role("link", name="Mes cotisations").click())
    assert page.page.get_by_test_id("my-fee-status").inner_text() == "à jour"
    _clean(page)
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name=f"Reçu {payment.receipt_number} (.docx)").click()
    assert download.value.suggested_filename == f"recu-cotisation-{payment.receipt_number}.docx"
    assert page.console_errors == [] and page.failed == []
    context.close()
