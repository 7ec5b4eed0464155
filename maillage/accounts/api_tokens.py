"""Personal API tokens (ADR 0026): created and revoked by their owner, shown once, stored as a digest.

A token is `mlg_` followed by 256 random bits (43 URL-safe characters). Only its SHA-256 digest is
stored: nobody can find a preimage of a random 256-bit value, so a slow, salted password hash would
add nothing but a cost on every API call, and the digest lets the token be found by an indexed
lookup. Creation and revocation are action functions (maillage.accounts.actions).
The first characters are kept in clear (`prefix`) so that the owner recognises a token in
the list.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from maillage.accounts.models import ApiToken

MARK = "mlg_"
PREFIX_LENGTH = len(MARK) + 6
MAX_LENGTH = 100
# The owner picks one; "none" is allowed but not the default.
LIFETIMES = {"30": timedelta(days=30), "90": timedelta(days=90), "365": timedelta(days=365), "aucune": None}
DEFAULT_LIFETIME = "90"
# The last use is written at most this often: one write a minute, not one per request.
LAST_USED_EVERY = timedelta(minutes=1)
MAX_LIVE_TOKENS = 20


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return MARK + secrets.token_urlsafe(32)


def authenticate(secret: str) -> ApiToken | None:
    """The live token of `secret` whose owner may still use it, or None. Records the use (at most
    once a minute)."""
    if not secret or len(secret) > MAX_LENGTH or not secret.startswith(MARK):
        return None
    token = ApiToken.objects.live().select_related("user").filter(digest=digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
