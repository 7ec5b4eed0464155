"""The platform admin finds the background tasks from their space: a failed email with its error,
readable on a phone and without accessibility violations."""

from smtplib import SMTPRecipientsRefused
from unittest import mock

import pytest
from django.db import transaction

from maillage.core import jobs
from maillage.core.jobs import run_pending
from maillage.core.mail import send_after_commit
from tests.browser.conftest import Page
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def test_the_admin_reads_failed_and_pending_tasks_on_a_phone(browser, live_server, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    refused = SMTPRecipientsRefused({"tres.longue.adresse.de.destinataire@exemple.fr": (550, b"Mailbox unavailable")})
    with transaction.atomic():
        send_after_commit("tres.longue.adresse.de.destinataire@exemple.fr", "Essai", "Corps")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
        run_pending()
    admin = RoleFactory(admin=True).user
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = Page(context.new_page(), live_server.url)
    page.login(admin.email, PASSWORD)
    page.goto("/espace/")
    page.page.get_by_role("link", name="Tâches en arrière-plan").click()
    page.page.get_by_role("heading", name="Tâches en arrière-plan").wait_for()
    text = page.text()
    assert "1 tentative en échec" in text and "SMTPRecipientsRefused" in text
    assert f"1 sur {jobs.MAX_ATTEMPTS} " in text and "Nouvelle tentative programmée" in text
    assert "1 tâche en attente ou en cours" in text and "Prévue le" in text  # the retry
    assert page.axe() == []
    assert page.overflow() <= 0
    assert page.console_errors == [] and page.failed == []
    context.close()
