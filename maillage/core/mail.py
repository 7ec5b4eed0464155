"""Emails that a write causes are enqueued once its transaction commits and sent by the worker
(core/jobs.py): a rolled-back write never tells anyone anything, a slow or failing SMTP server never
slows down or breaks a page, and a failed sending is retried, then shown to the platform admin."""

from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import task

from maillage.core import jobs

SUBJECT_PREFIX = "[Maillage] "


@task()
def send_email(to: str, subject: str, body: str, attempt: int = 1) -> None:
    """Send one email whose texts were written when it was enqueued. Failures raise (the attempt is
    recorded as failed) and are retried with backoff."""
    with jobs.retrying(send_email, attempt, to=to, subject=subject, body=body):
        EmailMessage(subject, body, None, [to]).send()


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Maillage's own emails: "[Maillage] " before the subject."""
    enqueue_after_commit(to, SUBJECT_PREFIX + subject, body)


def enqueue_after_commit(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))
