"""Invitation links: a random token travels in the email, only its digest is stored.

The token is 256 random bits, so a plain SHA-256 digest is enough (no salt, no slow hash: nobody
can guess a preimage of a random 256-bit value) and lets the link be found by an indexed lookup.
"""

import hashlib
import secrets
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Invitation
from maillage.core.french import elide

VALIDITY = timedelta(days=7)


def new_token() -> tuple[str, str]:
    """(token for the link, digest to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find(token: str) -> Invitation | None:
    """The invitation of a link, whatever its state, or None for a link that never existed."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("cpts").filter(token_digest=digest(token)).first()


def link(site_url: str, token: str) -> str:
    return site_url.rstrip("/") + reverse("www:invitation", args=[token])


def email_body(invitation: Invitation, url: str) -> tuple[str, str]:
    """Subject and body: the CPTS, the role and the link, never anything about a patient."""
    subject = f"Invitation à rejoindre la {invitation.cpts.name}"
    body = (
        "Bonjour,\n\n"
        f"Vous avez reçu une invitation à rejoindre la {invitation.cpts.name} sur Maillage "
        f"en tant {elide('que', invitation.get_kind_display())}.\n\n"
        f"Pour accepter, ouvrez ce lien (valable une seule fois, jusqu'au "
        f"{timezone.localtime(invitation.expires_at):%d/%m/%Y}) :\n{url}\n\n"
        "Si vous n'attendiez pas cette invitation, ignorez ce message.\n"
    )
    return subject, body
