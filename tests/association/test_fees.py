"""Issue 16, item 2 — cotisations: the amounts per collège, payments recorded by hand (each rule and
each refusal), receipt numbers without gaps (a PostgreSQL race with threads), the receipt DOCX, the
ledger XLSX, the reminders, and the pages of the coordination and of the members' space."""

import io
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from maillage.association import fee_documents, status
from maillage.association import statutes as statutes_of
from maillage.association.actions import AssociationError
from maillage.association.actions import members as member_actions
from maillage.association.actions.fees import PaymentDraft, current_year, record_payment, save_settings, set_rates
from maillage.association.models import FeeRate, Member, Statutes
from maillage.association.models.fees import FeeReminder, FeeSettings, Payment, ReceiptCounter
from maillage.association.money import euros, parse_cents
from maillage.association.reminders import send_reminders
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.core.periodic import REGISTRY
from tests.association.conftest import member, reload
from tests.conftest import _login
from tests.factories import RoleFactory

WINTER = date(2026, 2, 10)  # 2025 ended 41 days before: within the 90 days of grace
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def fees(association):
    """Fees of 2025 to 2027 (liberal professionals 30 €, communes 150 €, users free); on WINTER the
    GP, who paid up to 2025, is in grace; the others paid nothing yet."""
    cpts, colleges = association["cpts"], association["colleges"]
    for year in (2025, 2026, 2027):
        set_rates(cpts, None, year, {colleges["liberaux"].pk: 3000, colleges["collectivites"].pk: 15000,
                                     colleges["usagers"].pk: 0})  # fmt: skip
    gp = association["members"]["gp"]
    Member.objects.filter(pk=gp.pk).update(paid_until=date(2025, 12, 31))
    gp = reload(gp)
    status.refresh(gp, None, WINTER)
    return {**association, "gp": gp}


def draft(**changes):
    values = {"year": 2026, "amount_cents": 3000, "paid_on": WINTER - timedelta(days=2), "method": "cheque",
              "reference": "Chèque n° 1234567"}  # fmt: skip
    return PaymentDraft(**{**values, **changes})


def refused(fees, member, message, **changes):
    def state():
        return Payment.objects.count(), AuditEntry.objects.count(), list(ReceiptCounter.objects.values("last"))

    before = state()
    with pytest.raises(AssociationError) as exc:
        record_payment(fees["cpts"], member, fees["coordinator"], draft(**changes), today=WINTER)
    assert message in str(exc.value)
    assert state() == before  # nothing half-saved


def other_cpts_member(fees, **data):
    college = statutes_of.colleges(fees["paris13"]).get(code="liberaux")
    set_rates(fees["paris13"], None, 2026, {college.pk: 2000})
    return member(fees["paris13"], college, last_name="Blanc", **data)


# Money


def test_euros_are_written_the_french_way():
    assert euros(123450) == f"1{NNBSP}234,50{NBSP}€"
    assert euros(0) == f"0,00{NBSP}€" and euros(5) == f"0,05{NBSP}€" and euros(None) == "—"
    assert euros(100_000_000) == f"1{NNBSP}000{NNBSP}000,00{NBSP}€"
    assert euros(-1999) == f"-19,99{NBSP}€"
    assert parse_cents("1 234,50") == 123450 and parse_cents("50") == 5000 and parse_cents("12.5 €") == 1250
    for bad, said in (("0,001", "deux décimales"), ("1e5", "n'est pas un nombre"), ("abc", "n'est pas un nombre"),
                      ("1000000,01", "trop grand"), ("9" * 50, "trop long")):  # fmt: skip
        with pytest.raises(ValueError, match=said):
            parse_cents(bad)


# Rates


def test_rates_are_set_per_college_and_year_free_or_unset(association):
    cpts, colleges = association["cpts"], association["colleges"]
    liberaux, usagers = colleges["liberaux"].pk, colleges["usagers"].pk
    assert set_rates(cpts, association["coordinator"], 2026, {liberaux: 3000, usagers: 0}) == 2
    rates = FeeRate.objects.filter(year=2026)
    assert dict(rates.values_list("college_id", "amount_cents")) == {liberaux: 3000, usagers: 0}
    assert set_rates(cpts, association["coordinator"], 2026, {liberaux: 3500, usagers: None}) == 2
    assert dict(rates.values_list("college_id", "amount_cents")) == {liberaux: 3500}
    assert set_rates(cpts, association["coordinator"], 2026, {liberaux: 3500}) == 0
    entry = AuditEntry.objects.filter(action="association.fee_rates_set").order_by("pk").last()
    assert entry.details["collèges"]["Usagers"] == {"avant": "gratuite", "après": "non fixée"}
    with pytest.raises(AssociationError, match="entre 0"):
        set_rates(cpts, None, 2026, {liberaux: 10_000_01})
    other = statutes_of.colleges(association["paris13"]).first()
    with pytest.raises(AssociationError, match="pas de cette CPTS"):
        set_rates(cpts, None, 2026, {other.pk: 100})
    with pytest.raises(AssociationError, match="entre 2000 et 2100"):
        set_rates(cpts, None, 1999, {liberaux: 100})


# Payments


def test_a_payment_moves_a_member_in_grace_to_current_with_a_receipt(fees):
    gp = fees["gp"]
    assert gp.status == Member.Status.GRACE
    version = gp.version
    payment = record_payment(fees["cpts"], gp, fees["coordinator"], draft(), today=WINTER)
    assert payment.receipt_number == "2026-0001" and payment.amount_cents == 3000
    gp = reload(gp)
    assert gp.paid_until == date(2026, 12, 31) and gp.status == Member.Status.CURRENT
    assert gp.version == version + 1  # an edit form read before the payment is stale
    transition = gp.transitions.last()
    assert (transition.source, transition.target) == ("grace", "current") and "2026" in transition.note
    entry = AuditEntry.objects.get(action="association.payment_recorded")
    assert entry.details["reçu"] == "2026-0001" and entry.details["montant"] == f"30,00{NBSP}€"
    second = record_payment(fees["cpts"], fees["members"]["nurse"], None, draft(), today=WINTER)
    assert second.receipt_number == "2026-0002"


def test_paying_next_year_in_advance_keeps_the_latest_end(fees):
    gp = fees["gp"]
    record_payment(fees["cpts"], gp, None, draft(year=2027), today=WINTER)
    assert reload(gp).paid_until == date(2027, 12, 31)
    refused(fees, reload(gp), "déjà réglée (jusqu'au 31/12/2027)", year=2026)


def test_receipts_are_numbered_per_cpts_and_year_of_issue(fees):
    nurse = fees["members"]["nurse"]
    earlier = draft(year=2025, paid_on=date(2025, 3, 1))
    assert record_payment(fees["cpts"], nurse, None, earlier, today=date(2025, 3, 2)).receipt_number == "2025-0001"
    assert record_payment(fees["cpts"], nurse, None, draft(), today=WINTER).receipt_number == "2026-0001"
    elsewhere = other_cpts_member(fees)
    assert record_payment(fees["paris13"], elsewhere, None, draft(amount_cents=2000), today=WINTER).receipt_number == (
        "2026-0001"
    )


def test_refusals_leave_nothing_half_saved(fees):
    gp, patient = fees["gp"], fees["members"]["patient"]
    refused(fees, gp, "supérieur à 0", amount_cents=0)
    refused(fees, gp, "supérieur à 0", amount_cents=-500)
    refused(fees, gp, "invraisemblable", amount_cents=10_000_01)
    refused(fees, gp, "dépasse de loin", amount_cents=30_001)
    refused(fees, gp, "un paiement partiel ne règle pas l'année", amount_cents=2000)
    refused(fees, gp, "dans le futur", paid_on=WINTER + timedelta(days=1))
    refused(fees, gp, "précédente, la courante ou la suivante", year=2029)
    refused(fees, gp, "ne peut pas régler la cotisation", paid_on=date(2023, 5, 1))
    refused(fees, gp, "mode de paiement", method="bitcoin")
    refused(fees, gp, "au plus 100 caractères", reference="x" * 101)
    refused(fees, patient, "est gratuite : rien à régler")
    refused(fees, gp, "déjà réglée (jusqu'au 31/12/2025)", year=2025)
    FeeRate.objects.filter(year=2026, college=gp.college).delete()
    refused(fees, gp, "Aucune cotisation n'est fixée")
    gp = reload(gp)
    assert gp.status == Member.Status.GRACE and gp.paid_until == date(2025, 12, 31)


def test_a_year_already_paid_is_refused(fees):
    gp = fees["gp"]
    record_payment(fees["cpts"], gp, None, draft(), today=WINTER)
    Member.objects.filter(pk=gp.pk).update(paid_until=date(2025, 12, 31))  # even if the record says otherwise
    refused(fees, reload(gp), "déjà réglée (reçu 2026-0001)")


def test_a_cancelled_membership_takes_no_payment(fees):
    nurse = fees["members"]["nurse"]
    member_actions.cancel(nurse, actor=fees["coordinator"], reason="Départ du territoire")
    refused(fees, reload(nurse), "est radiée : aucun paiement")


def test_a_member_of_another_cpts_is_refused(fees):
    with pytest.raises(AssociationError, match="pas de cette CPTS"):
        record_payment(fees["paris13"], fees["gp"], None, draft(), today=WINTER)
    assert not Payment.objects.exists()


def test_a_receipt_number_reused_is_refused_in_french_and_nothing_is_saved(fees):
    record_payment(fees["cpts"], fees["gp"], None, draft(), today=WINTER)
    ReceiptCounter.objects.update(last=0)  # as if the counter had been put back: 2026-0001 comes again
    nurse = fees["members"]["nurse"]
    refused(fees, nurse, "Ce numéro de reçu a déjà été attribué")
    nurse = reload(nurse)
    assert nurse.paid_until is None and not nurse.payments.exists()
    assert ReceiptCounter.objects.get().last == 0  # rolled back with the payment


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_share_or_skip_a_receipt_number(association):
    """Eight coordinators record eight payments at the same moment (PostgreSQL: real row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("La concurrence réelle se vérifie sur PostgreSQL (SQLite n'a qu'un écrivain à la fois).")
    cpts, college = association["cpts"], association["colleges"]["liberaux"]
    set_rates(cpts, None, 2026, {college.pk: 3000})
    people = [member(cpts, college, last_name=f"Concurrent {n}", email=f"c{n}@exemple.fr") for n in range(8)]
    barrier, numbers, errors = threading.Barrier(len(people)), [], []

    def pay(person):
        try:
            barrier.wait()
            numbers.append(record_payment(cpts, person, None, draft(), today=WINTER).receipt_seq)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 9))
    assert sorted(Payment.objects.values_list("receipt_seq", flat=True)) == list(range(1, 9))
    assert ReceiptCounter.objects.get(cpts=cpts, year=2026).last == 8


# Documents


def test_the_receipt_says_who_paid_what_when_and_how(fees):
    payment = record_payment(fees["cpts"], fees["gp"], None, draft(), today=WINTER)
    payment = Payment.objects.select_related("cpts", "member__college").get(pk=payment.pk)
    document = Document(io.BytesIO(fee_documents.receipt_docx(payment, fees["statutes"])))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Reçu de cotisation n° 2026-0001" in text and fees["cpts"].name in text
    assert f"30,00{NBSP}€" in cells and "08/02/2026" in cells and "chèque" in cells and "Chèque n° 1234567" in cells
    assert f"Anne Leroy (adhérent {fees['gp'].reference})" in cells and "année d'adhésion 2026" in cells
    assert fee_documents.receipt_filename(payment) == "recu-cotisation-2026-0001.docx"


def test_the_ledger_holds_every_payment_as_data_and_the_totals_per_college(fees):
    nurse = fees["members"]["nurse"]
    Member.objects.filter(pk=nurse.pk).update(first_name='=HYPERLINK("http://x")')
    record_payment(fees["cpts"], fees["gp"], None, draft(), today=WINTER)
    record_payment(fees["cpts"], reload(nurse), None, draft(amount_cents=3500, method="transfer"), today=WINTER)
    record_payment(fees["cpts"], fees["members"]["malakoff"], None, draft(amount_cents=15000), today=WINTER)
    response = fees["coordinator_client"].get(reverse("www:association_fee_ledger", args=["cmv", 2026]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cotisations-cmv-2026.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Paiements 2026"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "N° de reçu" and [r[0] for r in rows[1:]] == ["2026-0001", "2026-0002", "2026-0003"]
    assert rows[2][2] == '=HYPERLINK("http://x") Petit'
    assert [float(r[7]) for r in rows[1:]] == [30.0, 35.0, 150.0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    totals = {r[0]: r[1:] for r in book["Totaux par collège"].iter_rows(min_row=3, values_only=True)}
    assert totals["Professionnels de santé libéraux"] == (2, 65) and totals["Collectivités"] == (1, 150)
    assert totals["Usagers"] == (0, 0) and totals["Total"] == (3, 215)


# Reminders


def test_renewal_and_grace_reminders_are_sent_once(fees, mailoutbox):
    cpts, gp, nurse = fees["cpts"], fees["gp"], fees["members"]["nurse"]
    malakoff, patient = fees["members"]["malakoff"], fees["members"]["patient"]
    december = date(2026, 12, 5)
    # The nurse paid 2026: reminded in December of 2027's fee; the commune paid 2027 already: not.
    record_payment(cpts, nurse, None, draft(), today=WINTER)
    record_payment(cpts, malakoff, None, draft(year=2027, amount_cents=15000), today=december)
    status.refresh(reload(nurse), None, december)
    status.refresh(reload(gp), None, december)  # expired by then: no reminder
    run_pending()
    mailoutbox.clear()
    assert send_reminders(today=date(2026, 11, 1)).renewal == 0  # 60 days before the end: not yet
    sent = send_reminders(today=december)
    assert (sent.renewal, sent.grace) == (1, 0)
    run_pending()
    assert [m.to for m in mailoutbox] == [[reload(nurse).contact_email]]
    body = mailoutbox[0].body
    assert "arrive à échéance le 31/12/2026" in body and f"30,00{NBSP}€" in body and "2027" in body
    assert reverse("www:member_space_fees", args=["cmv"]) in body
    assert send_reminders(today=december + timedelta(days=1)).renewal == 0  # once
    # The GP, in grace in February, is reminded once that 2026 is unpaid.
    mailoutbox.clear()
    status.refresh(reload(gp), None, WINTER)
    assert reload(gp).status == Member.Status.GRACE
    assert send_reminders(today=WINTER).grace == 1 and send_reminders(today=WINTER).grace == 0
    run_pending()
    assert len(mailoutbox) == 1 and "n'est pas encore réglée" in mailoutbox[0].body
    assert "31/03/2026" in mailoutbox[0].body  # the end of the grace period
    assert set(FeeReminder.objects.values_list("member_id", "year", "kind")) == {
        (nurse.pk, 2027, "renewal"), (gp.pk, 2026, "grace"),
    }  # fmt: skip
    assert not FeeReminder.objects.filter(member=patient).exists()  # a free collège


def test_the_reminders_job_is_registered():
    assert REGISTRY["association.fee_reminders"].daily_at is not None


# Pages


def test_the_coordinator_sets_the_rates_and_settings(fees):
    client, colleges = fees["coordinator_client"], fees["colleges"]
    url = reverse("www:association_fees", args=["cmv"])
    page = client.get(url + "?annee=2026")
    assert page.status_code == 200 and "Cotisations 2026" in page.content.decode()
    rates_url = reverse("www:association_fee_rates", args=["cmv", 2026])
    response = client.post(rates_url, {f"c{colleges['liberaux'].pk}": "35,50", f"c{colleges['usagers'].pk}": "0"})
    assert response.status_code == 302
    assert FeeRate.objects.get(year=2026, college=colleges["liberaux"]).amount_cents == 3550
    assert not FeeRate.objects.filter(year=2026, college=colleges["collectivites"]).exists()
    bad = client.post(rates_url, {f"c{colleges['liberaux'].pk}": "-3"})
    assert bad.status_code == 400 and "pas négative" in bad.content.decode()
    assert client.get(url + "?annee=abc").status_code == 400
    settings_url = reverse("www:association_fee_settings", args=["cmv"])
    saved = client.post(settings_url, {"payment_url": "https://www.helloasso.com/associations/cpts-cmv",
                                       "reminder_days": "20", "version": "0"})  # fmt: skip
    assert saved.status_code == 302 and FeeSettings.objects.get(cpts=fees["cpts"]).reminder_days == 20
    stale = client.post(settings_url, {"payment_url": "", "reminder_days": "10", "version": "0"})
    assert stale.status_code == 400 and FeeSettings.objects.get(cpts=fees["cpts"]).reminder_days == 20
    http = client.post(settings_url, {"payment_url": "http://x.fr", "reminder_days": "10", "version": "1"})
    assert http.status_code == 400 and "https://" in http.content.decode()


def grace_today(fees):
    """The pages use the real date: with a membership year starting on the 1st of this month, the
    GP, who paid up to the day before, is in grace."""
    today = timezone.localdate()
    Statutes.objects.filter(pk=fees["statutes"].pk).update(year_start_month=today.month)
    for year in (today.year - 1, today.year):
        for code, cents in (("liberaux", 3000), ("collectivites", 15000)):
            FeeRate.objects.update_or_create(cpts=fees["cpts"], college=fees["colleges"][code], year=year,
                                             defaults={"amount_cents": cents})  # fmt: skip
    Member.objects.filter(pk=fees["gp"].pk).update(paid_until=today.replace(day=1) - timedelta(days=1))
    status.refresh(reload(fees["gp"]), None)
    return today


def test_the_coordinator_records_a_payment_from_the_member_page(fees):
    today = grace_today(fees)
    gp, client = reload(fees["gp"]), fees["coordinator_client"]
    assert gp.status == Member.Status.GRACE
    page = client.get(reverse("www:association_member", args=["cmv", gp.pk])).content.decode()
    assert "Enregistrer le paiement" in page and 'value="30,00"' in page
    url = reverse("www:association_payment_new", args=["cmv", gp.pk])
    typed = {"year": today.year, "paid_on": today.isoformat(), "method": "cheque"}
    bad = client.post(url, {**typed, "amount": "3O"})
    assert bad.status_code == 400 and "n&#x27;est pas un nombre" in bad.content.decode()
    low = client.post(url, {**typed, "amount": "10"})
    assert low.status_code == 400 and "paiement partiel" in low.content.decode()
    response = client.post(url, {**typed, "amount": "30", "method": "card", "reference": "HA-1"}, follow=True)
    text = response.content.decode()
    assert "Paiement de 30,00" in text and "« à jour »" in text
    assert reload(gp).status == Member.Status.CURRENT
    payment = Payment.objects.get()
    receipt = fees["coordinator_client"].get(reverse("www:association_receipt", args=["cmv", payment.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get(reverse("www:association_member", args=["cmv", gp.pk])).content.decode()
    assert f"Reçu {payment.receipt_number}" in page
    fees_page = client.get(reverse("www:association_fees", args=["cmv"])).content.decode()
    assert payment.receipt_number in fees_page


def test_another_cpts_member_or_receipt_is_not_found(fees):
    client = fees["coordinator_client"]
    other = other_cpts_member(fees)
    payment = record_payment(fees["paris13"], other, None, draft(amount_cents=2000), today=WINTER)
    assert client.get(reverse("www:association_payment_new", args=["cmv", other.pk])).status_code == 404
    assert client.post(reverse("www:association_payment_new", args=["cmv", other.pk]), {}).status_code == 404
    assert client.get(reverse("www:association_receipt", args=["cmv", payment.pk])).status_code == 404
    assert client.get(reverse("www:association_fee_ledger", args=["cmv", 99999])).status_code == 404


def test_a_member_reads_and_downloads_only_their_own_receipts(fees):
    cpts, malakoff = fees["cpts"], fees["members"]["malakoff"]
    save_settings(cpts, None, payment_url="https://www.helloasso.com/associations/cpts-cmv", reminder_days=30)
    # Whatever the day the test runs, this year's fee is due: the page says how to pay it.
    set_rates(cpts, None, current_year(fees["statutes"]), {malakoff.college_id: 15000})
    earlier = draft(year=2025, amount_cents=15000, paid_on=date(2025, 3, 1))
    mine = record_payment(cpts, malakoff, None, earlier, today=date(2025, 3, 1))
    other = record_payment(cpts, fees["gp"], None, draft(), today=WINTER)
    mayor = _login(fees["mayor"])
    page = mayor.get(reverse("www:member_space_fees", args=["cmv"]))
    text = page.content.decode()
    assert page.status_code == 200 and "Reçu 2025-0001" in text and "2026-0001" not in text
    assert "https://www.helloasso.com/associations/cpts-cmv" in text and "150,00" in text
    assert mayor.get(reverse("www:member_space_receipt", args=["cmv", mine.pk])).status_code == 200
    assert mayor.get(reverse("www:member_space_receipt", args=["cmv", other.pk])).status_code == 404
    stranger = _login(RoleFactory(cpts=cpts, kind="adherent").user)
    assert stranger.get(reverse("www:member_space_fees", args=["cmv"])).status_code == 404
    assert stranger.get(reverse("www:member_space_receipt", args=["cmv", mine.pk])).status_code == 404


# Demo


@pytest.mark.parametrize("today", [date(2026, 12, 6), WINTER])
def test_the_demo_has_members_paid_in_grace_and_expired_with_receipts(association, today):
    from maillage.association import demo_fees

    cpts, liberaux = association["cpts"], association["colleges"]["liberaux"]
    extra = [member(cpts, liberaux, last_name=f"Démo {n}", email=f"demo{n}@exemple.fr") for n in range(3)]
    members = [*association["members"].values(), *extra]
    demo_fees.build(cpts, members, association["coordinator"], today=today)
    statuses = {m.pk: reload(m).status for m in members}
    patient = association["members"]["patient"]
    assert statuses.pop(patient.pk) == Member.Status.CURRENT  # a free collège
    assert sorted(statuses.values()).count(Member.Status.GRACE) == 1
    assert sorted(statuses.values()).count(Member.Status.EXPIRED) == 1
    assert sorted(statuses.values()).count(Member.Status.CURRENT) == 4
    assert FeeSettings.objects.get(cpts=cpts).payment_url.startswith("https://")
    # Receipts follow the days they were issued, without gaps, per year of issue.
    for year in set(Payment.objects.values_list("receipt_year", flat=True)):
        issued = Payment.objects.filter(receipt_year=year).order_by("receipt_seq")
        assert [p.receipt_seq for p in issued] == list(range(1, issued.count() + 1))
        assert [p.paid_on for p in issued] == sorted(p.paid_on for p in issued)
