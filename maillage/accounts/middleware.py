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

    ALLOWED_PREFIXES = ("/accounts/", "/static/")

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
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
