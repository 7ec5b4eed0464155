"""Emails that a write causes are sent by the worker (core/jobs.py), never inside the request: a slow
or failing SMTP server never slows down or breaks a page, and a failed sending is retried, then shown
to the platform admin.

The task row is written in the write's own transaction (the queue is a table of the same database):
it commits with the write or rolls back with it, savepoints included, and the worker only sees it
once committed. So an email leaves only after its write commits, and none is lost between a commit
and an enqueueing that would come after it (ADR 0020)."""

import contextlib
from contextvars import ContextVar

from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import task

from maillage.core import jobs

SUBJECT_PREFIX = "[Maillage] "
_batch: ContextVar[list | None] = ContextVar("email_batch", default=None)


@task()
def send_email(to: str, subject: str, body: str, attempt: int = 1) -> None:
    """Send one email whose texts were written when it was enqueued. Failures raise (the attempt is
    recorded as failed) and are retried with backoff."""
    with jobs.retrying(send_email, attempt, to=to, subject=subject, body=body):
        EmailMessage(subject, body, None, [to]).send()


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Maillage's own emails: "[Maillage] " before the subject."""
    enqueue_email(to, SUBJECT_PREFIX + subject, body)


def enqueue_email(to: str, subject: str, body: str) -> None:
    if not to:
        return
    pending = _batch.get()
    if pending is None:
        send_email.enqueue(to=to, subject=subject, body=body)
    else:
        pending.append({"to": to, "subject": subject, "body": body})


@contextlib.contextmanager
def batch():
    """Emails enqueued inside the block are inserted together when it ends, still inside the
    surrounding transaction (a matching's hundreds of proposals: one INSERT, not one per email). A
    block that raises enqueues none. Put it inside the `transaction.atomic()` of the write, with no
    savepoint rolled back and caught inside it (its emails would still be enqueued)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mail.batch() belongs inside the write's transaction.atomic()")
    pending: list[dict] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    jobs.enqueue_many(send_email, pending)  # not reached when the block raised
