"""Emails that a write causes are sent by the worker (core/jobs.py), never inside the request: a slow
or failing SMTP server never slows down or breaks a page, and a failed sending is retried, then shown
to the platform admin.

The task row is written in the write's own transaction (the queue is a table of the same database):
it commits with the write or rolls back with it, savepoints included, and the worker only sees it
once committed. So an email leaves only after its write commits, and none is lost between a commit
and an enqueueing that would come after it (ADR 0020).
Ordinary mail crosses the Internet over SMTP that nobody guarantees to be encrypted end to end, and
lands in mailboxes outside any health-data hosting: it never carries a patient's identity, reason,
ALD or anything clinical. It says there is something to see and links to Maillage (`site_link`).
A message that must carry clinical content goes through MSSanté (`send_clinical`), the health
professionals' secure messaging, or not at all (ADR 0022)."""

import contextlib
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django_tasks import task

from maillage.core import jobs

SUBJECT_PREFIX = "[Maillage] "
_batch: ContextVar[list | None] = ContextVar("email_batch", default=None)


@task()
def send_email(to: str, subject: str, body: str, attempt: int = 1) -> None:
    """Send one email whose texts were written when it was enqueued. Failures raise (the attempt is
    recorded as failed) and are retried with backoff."""
    # The worker's side: with `send_each`, the only places an ordinary email is handed to SMTP.
    with jobs.retrying(send_email, attempt, to=to, subject=subject, body=body):
        EmailMessage(subject, body, None, [to]).send()


def send_each(messages: list[EmailMessage]) -> dict[int, Exception]:
    """The worker's side of a batch (the association's mailings): every message over one SMTP
    connection. Returns {index: error} of the messages the server did not accept (all of them when
    the connection cannot be opened); the others were sent."""
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:
        return dict.fromkeys(range(len(messages)), exc)
    failed = {}
    try:
        for n, message in enumerate(messages):
            message.connection = connection
            try:
                message.send()
            except Exception as exc:
                failed[n] = exc
    finally:
        connection.close()
    return failed


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


def site_link(path: str) -> str:
    """An absolute link to a page of this site, for emails and calendar feeds."""
    return settings.SITE_URL.rstrip("/") + path


class MSSanteNotConfigured(ImproperlyConfigured):
    pass


def mssante_connection():
    """The SMTP connection to the MSSanté operator; never the ordinary relay."""
    conf = getattr(settings, "MSSANTE_EMAIL", None)
    if not conf or not conf.get("HOST") or not conf.get("FROM_EMAIL"):
        raise MSSanteNotConfigured(
            "Ce message contient des données de santé et ne peut partir que par MSSanté, qui n'est pas "
            "configurée (MAILLAGE_MSSANTE_HOST et MAILLAGE_MSSANTE_FROM_EMAIL) : il n'est pas envoyé."
        )
    return get_connection(
        backend=conf["BACKEND"],
        host=conf["HOST"],
        port=conf["PORT"],
        username=conf["USER"],
        password=conf["PASSWORD"],
        use_tls=conf["USE_TLS"],
        use_ssl=conf["USE_SSL"],
        ssl_certfile=conf["SSL_CERTFILE"],
        ssl_keyfile=conf["SSL_KEYFILE"],
        timeout=conf["TIMEOUT"],
        fail_silently=False,
    )


def enqueue_clinical(to: list[str], subject: str, body: str) -> None:
    """Queue a message with clinical content for MSSanté, as every email is queued (never sent in the
    request). Refused at once, with nothing queued, when MSSanté is not set up."""
    mssante_connection()
    send_clinical_email.enqueue(to=list(to), subject=subject, body=body)


@task()
def send_clinical_email(to: list[str], subject: str, body: str, attempt: int = 1) -> None:
    """The worker's side of `enqueue_clinical`, retried with backoff like `send_email`."""
    with jobs.retrying(send_clinical_email, attempt, to=to, subject=subject, body=body):
        send_clinical(to, subject, body)


def send_clinical(to: list[str], subject: str, body: str) -> int:
    """Hand a message with clinical content to MSSanté, from the configured MSSanté mailbox. Called by
    the worker (`send_clinical_email`); code that has something to send calls `enqueue_clinical`.

    Raises MSSanteNotConfigured when MSSanté is not set up: falling back to the ordinary SMTP would
    put health data in transit where it must not be, so the caller must handle the refusal.
    Recipients must be MSSanté addresses; the operator refuses others.
    """
    connection = mssante_connection()
    message = EmailMessage(
        f"[Maillage] {subject}", body, settings.MSSANTE_EMAIL["FROM_EMAIL"], list(to), connection=connection
    )
    return message.send(fail_silently=False)
