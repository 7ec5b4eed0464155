import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from maillage.accounts.roles import active_role, needs_second_factor
from maillage.accounts.second_factor import has_totp, signed_in_with_psc


class ActiveRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.role = active_role(request) if request.user.is_authenticated else None
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Whoever reads patient data or grants access (roles.needs_second_factor: coordinators,
    regulators, members, platform admins and staff accounts) can open no page but those that set up
    TOTP (and log out) until they have a second factor: a TOTP authenticator, whose code allauth
    then asks at every login, or a session opened through Pro Santé Connect. The Django admin is not
    an exception. The demo may relax this through MAILLAGE_DEMO_RELAX_MFA, which production refuses."""

    # Open-data endpoints (FHIR directory) hold no patient data: no reason to block them.
    # An invitation's page holds no patient data: someone who already has an account accepts it,
    # then sets up their second factor before anything else.
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/fhir/", "/invitation/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.DEMO_RELAX_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not signed_in_with_psc(request, request.user)
            and needs_second_factor(request.user)
            and not has_totp(request.user)
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
