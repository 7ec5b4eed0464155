import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from maillage.accounts.roles import active_role, needs_second_factor


class ActiveRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.role = active_role(request) if request.user.is_authenticated else None
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Coordinators and regulators read patient data: until they have set up TOTP, the only pages
    they can open are those that set it up (and log out). allauth then asks for the code at every
    login. The demo may relax this through MAILLAGE_DEMO_RELAX_MFA, which production refuses."""

    # Open-data endpoints (FHIR directory) hold no patient data: no reason to block them.
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/fhir/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.DEMO_RELAX_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and needs_second_factor(request.user)
            and not _has_totp(request.user)
        ):
            _trust_fresh_login(request)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _trust_fresh_login(request) -> None:
    """allauth asks for the password again before any second-factor change unless the user
    "re-authenticated" in the last minutes; a login does not count. Our own middleware sends a
    coordinator to the TOTP set-up right after they typed their password: asking for it a second
    time would only teach people to type passwords without thinking. A login younger than the
    re-authentication window counts as one here; an older session still has to re-authenticate."""
    from allauth.account import app_settings as account_settings
    from allauth.account.authentication import get_authentication_records
    from allauth.account.internal.flows.login import record_authentication

    records = get_authentication_records(request, request.user)
    if not records or records[-1].get("reauthenticated"):
        return
    if time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
        record_authentication(request, request.user, method=records[-1]["method"], reauthenticated=True)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
