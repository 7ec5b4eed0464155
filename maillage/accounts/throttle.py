"""Logins fail closed when their throttles cannot count (ADR 0033).

allauth counts failed logins, second-factor codes and password resets in the shared cache. With a
Redis or Valkey cache whose server is down, maillage.core.cache turns every read into a miss: the
counts would stay at zero and a password could be guessed without limit. So while the server cannot
be reached, a POST to one of these pages gets a French 503 (« réessayez dans quelques minutes »)
before allauth sees it. Reading the pages (GET) and everything else keep working; the public forms'
own rate limits fail open instead (maillage.www.spam)."""

from django.shortcuts import render

from maillage.core.cache import throttles_available

# The pages where a secret or a code is tried, or a reset mail sent (allauth's URL names).
GUARDED = frozenset(
    {
        "account_login",
        "account_reauthenticate",
        "account_reset_password",
        "account_reset_password_from_key",
        "mfa_authenticate",
        "mfa_reauthenticate",
    }
)
RETRY_AFTER_SECONDS = 120


class LoginThrottleGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name not in GUARDED:
            return None
        if throttles_available():
            return None
        response = render(request, "errors/503_connexion.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
