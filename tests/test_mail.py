"""Clinical content leaves only through MSSanté: refused when it is not configured, never through the
ordinary SMTP connection."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from maillage.core.jobs import run_pending
from maillage.core.mail import MSSanteNotConfigured, enqueue_clinical, send_clinical, site_link


class MSSanteBackend(LocmemBackend):
    """Stands for the MSSanté operator's SMTP: records how it was opened and what it sent."""

    opened_with: list[dict] = []
    sent: list = []

    def __init__(self, **kwargs):
        MSSanteBackend.opened_with.append(kwargs)
        super().__init__(**kwargs)

    def send_messages(self, messages):
        MSSanteBackend.sent.extend(messages)
        return len(messages)  # not in mail.outbox: that is the ordinary connection's


MSSANTE = {
    "BACKEND": f"{__name__}.MSSanteBackend",
    "HOST": "smtp.mssante.example",
    "PORT": 587,
    "USER": "cpts",
    "PASSWORD": "secret",
    "USE_TLS": True,
    "USE_SSL": False,
    "SSL_CERTFILE": "/etc/maillage/mssante.pem",
    "SSL_KEYFILE": "/etc/maillage/mssante.key",
    "TIMEOUT": 20,
    "FROM_EMAIL": "cpts@cpts.mssante.fr",
}


@pytest.fixture(autouse=True)
def _fresh_records():
    MSSanteBackend.opened_with.clear()
    MSSanteBackend.sent.clear()


@pytest.mark.parametrize("conf", [None, {**MSSANTE, "HOST": ""}, {**MSSANTE, "FROM_EMAIL": ""}])
def test_clinical_content_is_refused_without_mssante_and_nothing_leaves(settings, conf):
    settings.MSSANTE_EMAIL = conf
    with pytest.raises(MSSanteNotConfigured, match="ne peut partir que par MSSanté, qui n'est pas configurée"):
        send_clinical(["dr.martin@medecin.mssante.fr"], "Compte rendu", "Motif : douleur thoracique")
    assert mail.outbox == [] and MSSanteBackend.sent == []


def test_clinical_content_goes_through_the_mssante_connection_only(settings):
    settings.MSSANTE_EMAIL = MSSANTE
    assert send_clinical(["dr.martin@medecin.mssante.fr"], "Compte rendu", "Motif : douleur thoracique") == 1
    assert mail.outbox == []  # the ordinary connection sent nothing
    [message] = MSSanteBackend.sent
    assert message.from_email == "cpts@cpts.mssante.fr" and message.to == ["dr.martin@medecin.mssante.fr"]
    assert message.subject == "[Maillage] Compte rendu" and "douleur thoracique" in message.body
    [opened] = MSSanteBackend.opened_with
    assert opened["host"] == "smtp.mssante.example" and opened["port"] == 587 and opened["use_tls"] is True
    assert opened["ssl_certfile"] == "/etc/maillage/mssante.pem" and opened["fail_silently"] is False


@pytest.mark.django_db
def test_clinical_content_is_queued_for_mssante_and_refused_before_queueing_without_it(settings):
    from django_tasks_db.models import DBTaskResult

    settings.MSSANTE_EMAIL = None
    with pytest.raises(MSSanteNotConfigured):
        enqueue_clinical(["dr.martin@medecin.mssante.fr"], "Compte rendu", "Motif : douleur thoracique")
    assert not DBTaskResult.objects.exists()
    settings.MSSANTE_EMAIL = MSSANTE
    enqueue_clinical(["dr.martin@medecin.mssante.fr"], "Compte rendu", "Motif : douleur thoracique")
    assert MSSanteBackend.sent == []  # nothing leaves inside the request
    run_pending()
    [message] = MSSanteBackend.sent
    assert message.to == ["dr.martin@medecin.mssante.fr"] and mail.outbox == []


def test_links_in_emails_point_to_the_configured_site(settings):
    settings.SITE_URL = "https://cpts.example.fr/"
    assert site_link("/c/cmv/mes-creneaux/") == "https://cpts.example.fr/c/cmv/mes-creneaux/"
