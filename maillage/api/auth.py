"""Who calls the API: a personal token (`Authorization: Bearer mlg_…`, ADR 0026) or the session.

The token comes first: a client sending one never needs the session's CSRF check, and a bad token
is refused (401) even with a session cookie, so that a script learns its token no longer works. A
token acts as its owner: `request.user` is set to them, so the access policy answers for their
roles as it does on the pages. A read-only token gets a 403 on any method that writes.
"""

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from maillage.accounts import api_tokens
from maillage.accounts.models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY = "Ce jeton d'API est en lecture seule : il ne permet pas de modifier des données."
INVALID = "Jeton d'API invalide, expiré ou révoqué."


class PersonalToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = api_tokens.authenticate(token.strip())
        if found is None:
            raise HttpError(401, INVALID)
        if request.method not in SAFE_METHODS and found.scope != ApiToken.Scope.WRITE:
            raise HttpError(403, READ_ONLY)
        request.user = found.user
        request.api_token = found
        return found.user


personal_token = PersonalToken()
# The order matters: see the module's docstring.
TOKEN_OR_SESSION = [personal_token, django_auth]
