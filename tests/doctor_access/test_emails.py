"""Emails of the waiting list carry no health data: ordinary SMTP is not a safe channel (ADR 0022)."""

import pytest

from maillage.core.jobs import run_pending
from maillage.doctor_access import notify
from maillage.doctor_access.actions.doctors import answer
from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.states import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(submit, coordinator):
    """A qualified request of an ALD patient, with notes about their health."""
    request = submit(ald=True, pregnancy=True, chronic_disease=True, notes="diabète de type 2, insuline")
    move(request, Status.QUALIFIED, coordinator)
    return request


def _clinical(request):
    return ["ALD", "affection", "grossesse", "chronique", "diabète", "insuline", request.nir or "NIR-ABSENT"]


def test_the_doctor_is_told_a_patient_is_proposed_and_given_a_link_only(
    waiting, propose, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://cpts.example.fr"
    run_pending()  # the acknowledgements of the waiting list, sent before the proposal
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify.proposal_made(propose(waiting))
    run_pending()
    [mail] = mailoutbox
    text = mail.subject + mail.body
    for private in (
        "Lefèvre",
        "Hélène",
        "0601020304",
        "helene.lefevre",
        "commune",
        " km ",
        "1985",
        *_clinical(waiting),
    ):
        assert private not in text, private
    assert "https://cpts.example.fr/c/cmv/medecin-traitant/mes-patients/" in mail.body


def test_the_patient_emails_greet_by_first_name_and_say_nothing_clinical(
    submit, coordinator, offer, propose, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(ald=True, disability=True, notes="diabète de type 2, insuline")
    move(request, Status.QUALIFIED, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        answer(propose(request), accept=True, actor=offer.user)
    run_pending()
    received, accepted = [mail for mail in mailoutbox if mail.to == ["helene.lefevre@exemple.fr"]]
    assert received.subject == "[Maillage] Votre demande de médecin traitant est enregistrée"
    assert accepted.subject == "[Maillage] Un médecin traitant accepte de vous suivre"
    for mail in (received, accepted):
        assert mail.to == ["helene.lefevre@exemple.fr"]
        assert mail.body.startswith("Bonjour Hélène,")
        for private in ("Lefèvre", "handicap", *_clinical(request)):
            assert private not in mail.subject + mail.body, private
