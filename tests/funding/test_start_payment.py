"""Issue 17 — avenant 2 checked: the crisis mission's ceilings, and the first payment once the ARS
validates the letter of intent (lifecycle milestone → funding page, timeline, yearly report)."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from docx import Document

from maillage.funding import documents, report, start
from maillage.lifecycle import actions
from maillage.lifecycle.actions import LifecycleError
from tests.conftest import _login
from tests.factories import RoleFactory
from tests.lifecycle.conftest import text

TODAY = date(2026, 11, 23)


def _validated(cpts, day):
    actions.date_milestone(cpts, "letter_of_intent", date(2022, 1, 10), actor=None, today=TODAY)
    actions.date_milestone(cpts, "letter_validated", day, actor=None, today=TODAY)


def test_avenant_2_carries_the_checked_crisis_ceilings_and_the_first_payment(avenant_2):
    crisis = {tier: avenant_2.maxima(tier)["crisis"] for tier in ("T1", "T2", "T3", "T4")}
    assert crisis == {"T1": D(60_000), "T2": D(70_000), "T3": D(90_000), "T4": D(100_000)}
    assert [avenant_2.start_payment(t) for t in ("T1", "T2", "T3", "T4")] == [15_000, 17_500, 25_000, 30_000]
    # The first payment is one-off: neither a yearly line nor part of the yearly total.
    assert "start" not in avenant_2.maxima("T3")
    assert avenant_2.total_maximum("T3") == sum(avenant_2.maxima("T3").values())
    assert "Journal officiel" in avenant_2.source


def test_the_first_payment_follows_the_letters_validation_and_the_tier(idf, avenant_2):
    cmv = idf["cmv"]  # 96,679 inhabitants: taille 3
    assert start.of(cmv) is None
    _validated(cmv, date(2022, 3, 1))
    first = start.of(cmv)
    assert (first.due_on, first.amount, first.tier) == (date(2022, 3, 1), D(25_000), "T3")


def test_a_letter_validated_before_avenant_2_gets_no_first_payment(idf, avenant_2):
    actions.date_milestone(idf["cmv"], "letter_of_intent", date(2020, 1, 10), actor=None, today=TODAY)
    actions.date_milestone(idf["cmv"], "letter_validated", date(2020, 3, 1), actor=None, today=TODAY)
    assert start.of(idf["cmv"]) is None


def test_the_validation_cannot_precede_the_letter(idf):
    actions.date_milestone(idf["cmv"], "letter_of_intent", date(2022, 1, 10), actor=None, today=TODAY)
    with pytest.raises(LifecycleError):
        actions.date_milestone(idf["cmv"], "letter_validated", date(2021, 12, 1), actor=None, today=TODAY)


def test_the_timeline_and_the_funding_page_show_the_first_payment(idf, avenant_2):
    cmv = idf["cmv"]
    _validated(cmv, date(2022, 3, 1))
    client = _login(RoleFactory(coordinator=True, cpts=cmv).user)
    timeline = text(client.get("/c/cmv/parcours/"))
    assert "Lettre d'intention validée par l'ARS" in timeline
    assert "premier versement de l'Assurance maladie : 25" in timeline
    page = text(client.get("/c/cmv/financement/"))
    assert "premier versement de l'Assurance maladie de 25" in page and "01/03/2022" in page


def test_the_yearly_report_and_the_schedule_of_its_year_carry_it(cmv_contract):
    cmv = cmv_contract.cpts
    _validated(cmv, date(2023, 1, 20))  # the contract was signed on 2023-03-15
    built = report.build(cmv_contract, 2023)
    payments = start.schedule(cmv, built.result)
    assert payments[0].label.startswith("premier versement") and payments[0].amount == D(25_000)
    assert payments[1:] == list(built.result.schedule)
    document = Document(io.BytesIO(documents.docx_bytes(built)))
    words = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Premier versement (lettre d'intention validée le 20/01/2023)" in "\n".join(words)
