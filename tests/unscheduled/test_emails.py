"""Booking emails carry no patient identity or reason: the professional's links to Maillage instead,
the patient's says when and where, nothing clinical (ADR 0022)."""

import pytest

from maillage.core.jobs import run_pending
from maillage.unscheduled.actions.desk import book, cancel, take_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(idf, gp, member, slot_of, soon, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://cpts.example.fr"
    data = {"last_name": "Petit", "first_name": "Jeanne", "phone": "0611223344", "email": "jeanne@exemple.fr",
            "commune": idf["communes"]["92020"], "reason": "douleur thoracique", "urgency": "24h"}  # fmt: skip
    request = take_request(idf["cmv"], data, member)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(request, slot_of(gp, soon), member)
    run_pending()  # the worker's part
    return booking


def _mail_to(mailoutbox, address):
    [mail] = [m for m in mailoutbox if m.to == [address]]
    return mail


def test_the_professional_gets_a_link_not_the_patient(booked, member, mailoutbox):
    mail = _mail_to(mailoutbox, member.email)
    assert mail.subject == "[Maillage] Un créneau a été réservé"
    for private in ("Petit", "Jeanne", "douleur", "thoracique", "0611223344", "jeanne@"):
        assert private not in mail.subject + mail.body, private
    assert "https://cpts.example.fr/c/cmv/mes-creneaux/" in mail.body


def test_the_patient_gets_when_and_where_but_not_the_reason(booked, gp, mailoutbox):
    mail = _mail_to(mailoutbox, "jeanne@exemple.fr")
    assert mail.body.startswith("Bonjour Jeanne,")
    assert gp.full_name in mail.body and "au cabinet" in mail.body
    assert booked.slot.profession_label  # a profession says something about the reason: left out
    for private in ("petit", "douleur", "thoracique", booked.slot.profession_label.lower()):
        assert private not in (mail.subject + mail.body).lower(), private


def test_cancellation_emails_carry_no_patient_data(booked, member, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel(booked, member)
    run_pending()
    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        for private in ("Petit", "douleur", "thoracique", "0611223344"):
            assert private not in mail.subject + mail.body, private
