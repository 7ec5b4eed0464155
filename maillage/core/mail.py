"""Emails that a write causes leave once its transaction commits: a rolled-back write never tells
anyone anything, and a failed sending never turns a committed write into an error page."""

from django.core.mail import send_mail
from django.db import transaction


def send_after_commit(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(f"[Maillage] {subject}", body, None, [to], fail_silently=True))
