"""Background jobs (core/jobs.py, core/mail.py): an email leaves through the worker after the commit
of the write that caused it, is retried with backoff when the SMTP server fails, ends listed as
failed on the platform admin's page, and survives a worker killed mid-batch."""

import html
import re
import signal
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.core import jobs
from maillage.core.jobs import run_pending
from maillage.core.mail import batch, send_after_commit
from tests.factories import RoleFactory, UserFactory


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _enqueue(n: int, capture) -> None:
    with capture(execute=True):
        for i in range(n):
            send_after_commit(f"personne{i}@exemple.fr", "Essai", f"Message {i}")


@pytest.mark.django_db(transaction=True)
def test_an_email_of_a_rolled_back_write_is_never_enqueued_nor_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        send_after_commit("annule@exemple.fr", "Essai", "Ne doit pas partir")
        raise RuntimeError("the write fails")
    with transaction.atomic():
        send_after_commit("garde@exemple.fr", "Essai", "Doit partir")
    assert mail.outbox == []  # committed, enqueued, not sent inside the "request"
    assert run_pending() == 1
    assert [m.to for m in mail.outbox] == [["garde@exemple.fr"]]
    assert mail.outbox[0].subject == "[Maillage] Essai"


def test_the_worker_sends_what_the_commit_enqueued(db, django_capture_on_commit_callbacks):
    _enqueue(1, django_capture_on_commit_callbacks)
    [task] = DBTaskResult.objects.all()
    assert task.status == "READY" and mail.outbox == []
    assert run_pending() == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert [(m.to, m.body) for m in mail.outbox] == [(["personne0@exemple.fr"], "Message 0")]
    assert run_pending() == 0  # nothing sent twice


def test_allauth_emails_leave_through_the_worker_too(client, db, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302 and mail.outbox == []
    assert run_pending() == 1
    assert mail.outbox[0].to == ["oubli@exemple.fr"] and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_failing_smtp_server_is_retried_with_backoff_then_listed_as_failed(
    login, db, django_capture_on_commit_callbacks
):
    _enqueue(1, django_capture_on_commit_callbacks)
    down = SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=down):
        for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
            before = timezone.now()
            assert run_pending() == 1
            ready = DBTaskResult.objects.ready()
            scheduled = DBTaskResult.objects.filter(status="READY")
            if attempt < jobs.MAX_ATTEMPTS:
                [retry] = scheduled
                assert not ready.exists()  # not before its delay
                assert jobs.attempt_of(retry) == attempt + 1
                delay = retry.run_after - before
                assert jobs.BACKOFF[attempt - 1] <= delay < jobs.BACKOFF[attempt - 1] + timedelta(seconds=5)
                scheduled.update(run_after=timezone.now())  # time passes
            else:
                assert not scheduled.exists()  # given up: nothing more is enqueued
    assert mail.outbox == []
    failed = DBTaskResult.objects.failed()
    assert failed.count() == jobs.MAX_ATTEMPTS
    assert sorted(jobs.attempt_of(t) for t in failed) == list(range(1, jobs.MAX_ATTEMPTS + 1))
    assert all("SMTPServerDisconnected" in t.exception_class_path for t in failed)

    page = _text(login(RoleFactory(admin=True).user, with_mfa=True).get("/plateforme/taches/"))
    assert f"{jobs.MAX_ATTEMPTS} tentatives en échec" in page
    assert f"personne0@exemple.fr {jobs.MAX_ATTEMPTS} sur {jobs.MAX_ATTEMPTS}" in page
    assert "Abandonnée" in page and "Connection unexpectedly closed" in page
    assert "Nouvelle tentative programmée" in page  # the earlier attempts were followed by another
    assert "0 tâche en attente ou en cours" in page


def test_the_tasks_page_lists_what_waits_and_is_refused_to_others(login, db, django_capture_on_commit_callbacks):
    _enqueue(2, django_capture_on_commit_callbacks)
    coordinator = login(RoleFactory(coordinator=True).user, with_mfa=True)
    assert coordinator.get("/plateforme/taches/").status_code == 404
    page = _text(login(RoleFactory(admin=True).user, with_mfa=True).get("/plateforme/taches/"))
    assert "Aucun échec." in page and "2 tâches en attente ou en cours" in page
    assert "Envoi d'un courriel [Maillage] Essai personne1@exemple.fr 1 sur 5 Prête" in page


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice():
    with transaction.atomic():
        for i in range(10):
            send_after_commit(f"personne{i}@exemple.fr", "Essai", f"Message {i}")
    assert run_pending(max_tasks=3) == 3
    # The worker is killed while sending the fourth: claimed, never finished.
    with transaction.atomic():
        dying = DBTaskResult.objects.ready().get_locked()
        dying.claim("killed-worker")
    DBTaskResult.objects.filter(pk=dying.pk).update(started_at=timezone.now() - jobs.STALLED_AFTER * 2)
    assert len(mail.outbox) == 3
    # A new worker starts: the real command, until the queue is empty (it installs its own signal
    # handlers, put back afterwards).
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(f"personne{i}@exemple.fr" for i in range(10))  # each exactly once
    assert DBTaskResult.objects.successful().count() == 10


def test_a_batch_enqueues_its_emails_together_and_none_when_it_fails(db):
    with pytest.raises(ValueError), transaction.atomic(), batch():
        send_after_commit("perdu@exemple.fr", "Essai", "Ne part pas")
        raise ValueError("the matching fails")
    with transaction.atomic(), batch():
        for i in range(3):
            send_after_commit(f"personne{i}@exemple.fr", "Essai", f"Message {i}")
        assert not DBTaskResult.objects.exists()  # inserted together at the end of the block
    assert DBTaskResult.objects.ready().count() == 3
    assert run_pending() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"personne{i}@exemple.fr" for i in range(3)]


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_with_stalled_after_0_recovers_a_task_killed_a_moment_ago():
    with transaction.atomic():
        send_after_commit("personne@exemple.fr", "Essai", "Message")
    with transaction.atomic():
        dying = DBTaskResult.objects.ready().get_locked()
        dying.claim("killed-worker")
    assert jobs.recover_stalled() == 0  # by default, a task running for a second is a live worker's
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--stalled-after", "0", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert [m.to for m in mail.outbox] == [["personne@exemple.fr"]]


def test_the_worker_refuses_a_negative_stalled_after():
    with pytest.raises(CommandError, match="--stalled-after"):
        call_command("worker", "--stalled-after", "-1")
