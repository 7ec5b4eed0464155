"""Emails that a write causes leave once its transaction commits: a rolled-back write never tells
anyone anything, and a failed sending never turns a committed write into an error page.

Ordinary mail crosses the Internet over SMTP that nobody guarantees to be encrypted end to end, and
lands in mailboxes outside any health-data hosting: it never carries a patient's identity, reason,
ALD or anything clinical. It says there is something to see and links to Maillage (`site_link`).
A message that must carry clinical content goes through MSSanté (`send_clinical`), the health
professionals' secure messaging, or not at all (ADR 0022).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction


def send_after_commit(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(f"[Maillage] {subject}", body, None, [to], fail_silently=True))


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


def send_clinical(to: list[str], subject: str, body: str) -> int:
    """Send a message with clinical content through MSSanté, from the configured MSSanté mailbox.

    Raises MSSanteNotConfigured when MSSanté is not set up: falling back to the ordinary SMTP would
    put health data in transit where it must not be, so the caller must handle the refusal.
    Recipients must be MSSanté addresses; the operator refuses others.
    """
    connection = mssante_connection()
    message = EmailMessage(
        f"[Maillage] {subject}", body, settings.MSSANTE_EMAIL["FROM_EMAIL"], list(to), connection=connection
    )
    return message.send(fail_silently=False)
