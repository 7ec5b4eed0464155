"""Whether a session has the second factor that patient data and the admin require (ADR 0016).

Two ways to have it: a TOTP authenticator (allauth asks for its code at every login), or a login
through Pro Santé Connect, which is itself a strong authentication (e-CPS app or CPS card). The
latter is read from allauth's authentication records, which allauth keeps in the session for the
user it authenticated and which a logout flushes.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.stages import AuthenticateStage
from django.conf import settings


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_psc(request, user) -> bool:
    """True when this session authenticated `user` through Pro Santé Connect (allauth records a
    social login as {"method": "socialaccount", "provider": <provider id>, …})."""
    return any(
        record.get("method") == "socialaccount" and record.get("provider") == settings.PSC_PROVIDER_ID
        for record in get_authentication_records(request, user)
    )


class AuthenticateUnlessPsc(AuthenticateStage):
    """allauth's TOTP step of the login, skipped after a Pro Santé Connect login: asking a
    professional who has just used their e-CPS for a second code would add nothing."""

    def _should_handle(self, request) -> bool:
        if self.login.user is not None and signed_in_with_psc(request, self.login.user):
            return False
        return super()._should_handle(request)
