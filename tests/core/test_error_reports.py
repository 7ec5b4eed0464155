"""A server error is reported (to Sentry when configured, otherwise to DJANGO_ADMINS by email through
the worker) with what failed and where, and nothing of what the request carried."""

import json
import logging

import pytest
import sentry_sdk
from django.core import mail
from django.core.cache import cache
from django.test import Client
from sentry_sdk.transport import Transport

from maillage.core.error_reports import AdminsEmailHandler, init_sentry, scrub
from maillage.core.jobs import run_pending
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("tests.core.boom_urls")
PATIENT_DATA = ["Lefèvre", "Jeanne", "jeanne.lefevre", "185057800608436", "06 12 34 56 78", "0612345678", "patient@"]


def _fail(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    client.cookies["suivi"] = "Lefèvre"
    response = client.post(
        "/boom/?nom=Lefèvre&nir=185057800608436",
        {"email": "patient@exemple.fr", "motif": "Jeanne Lefèvre, 0612345678"},
    )
    assert response.status_code == 500
    return response


@pytest.fixture
def admins_handler(settings):
    settings.ADMINS = [("Exploitation", "exploitation@cpts.example.fr")]
    cache.clear()
    handler = AdminsEmailHandler()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_admins_get_an_email_from_the_worker_with_no_request_data(admins_handler):
    user = UserFactory(email="coordination@cpts.example.fr")
    response = _fail(user)
    assert mail.outbox == []  # never sent while the request fails
    run_pending()
    [sent] = mail.outbox
    assert sent.to == ["exploitation@cpts.example.fr"]
    assert sent.subject.startswith("[Maillage] Erreur : ValueError (boom_urls.py:")
    assert f"Identifiant de requête : {response['X-Request-ID']}" in sent.body
    assert "Requête : POST /boom/" in sent.body
    assert f"Compte n° {user.pk}" in sent.body
    assert "tests/core/boom_urls.py:12, boom" in sent.body  # where it failed
    assert "[courriel], [numéro], /recherche?…" in sent.body
    for data in [*PATIENT_DATA, "coordination@cpts.example.fr", "suivi="]:
        assert data not in sent.body and data not in sent.subject


@pytest.mark.django_db
def test_the_same_error_is_reported_once_in_ten_minutes(admins_handler):
    _fail()
    _fail()
    run_pending()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_admins_no_email(admins_handler, settings):
    settings.ADMINS = []
    _fail()
    run_pending()
    assert mail.outbox == []


class _Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry():
    transport = _Captured()
    init_sentry("https://public@sentry.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: inactive again for the other tests


@pytest.mark.django_db
def test_sentry_receives_the_failure_without_personal_or_health_data(sentry):
    user = UserFactory(email="coordination@cpts.example.fr")
    response = _fail(user)
    sentry_sdk.flush()
    assert sentry.events, "no event reached the transport"
    event = sentry.events[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    assert "email" not in event.get("user", {})
    assert event["transaction"] == "/boom/"  # the route, never the query string
    everything = json.dumps(sentry.events, ensure_ascii=False)
    for data in [*PATIENT_DATA, "coordination@cpts.example.fr", "suivi", "nir="]:
        assert data not in everything


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("GET /c/cmv/medecin-traitant/?q=Martin HTTP/1.1", "GET /c/cmv/medecin-traitant/?… HTTP/1.1"),
        ("Key (email)=(marie.curie@exemple.fr) already exists.", "Key (email)=([courriel]) already exists."),
        ("rappeler au +33 6 12 34 56 78", "rappeler au [numéro]"),
        ("NIR 1 85 05 78 006 084 36", "NIR [numéro]"),
        ("line 42 in view, 3 rows, 2026-12-05", "line 42 in view, 3 rows, 2026-12-05"),
    ],
)
def test_free_text_is_scrubbed(text, scrubbed):
    assert scrub(text) == scrubbed
