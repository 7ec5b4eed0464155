"""A session opened through Pro Santé Connect is a strong authentication: no TOTP on top.

No network: the test plays what allauth does once PSC has answered (the OIDC callback), from
`complete_social_login` on, with the social login PSC's answer would have produced."""

import pytest
from allauth.core import context
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client, RequestFactory

from maillage.core.models import AuditEntry
from tests.accounts.conftest import with_totp
from tests.factories import PASSWORD

MES_PATIENTS = "/c/cmv/medecin-traitant/mes-patients/"


@pytest.fixture(autouse=True)
def _psc_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": settings.PSC_PROVIDER_ID,
                    "name": "Pro Santé Connect",
                    "client_id": "maillage-test",
                    "secret": "s",
                    "settings": {"server_url": "https://auth.invalid/realms/esante-wallet"},
                }
            ]
        }
    }


def _social_login(client, user, provider):
    """Logs `client` in as allauth does at the end of a social login through `provider`."""
    SocialAccount.objects.get_or_create(user=user, provider=provider, uid="899700000001")
    request = RequestFactory().get(f"/accounts/oidc/{provider}/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    sociallogin = SocialLogin(account=SocialAccount(provider=provider, uid="899700000001"))
    sociallogin.state = {"process": "login", "next": MES_PATIENTS}
    with context.request_context(request):
        response = complete_social_login(request, sociallogin)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return response


def test_a_gp_logged_in_through_psc_reads_mes_patients_without_totp(gp):
    client = Client()
    response = _social_login(client, gp, settings.PSC_PROVIDER_ID)
    assert response["Location"] == MES_PATIENTS
    page = client.get(MES_PATIENTS)
    assert page.status_code == 200 and "Lefèvre" in page.content.decode()
    entry = AuditEntry.objects.get(action="accounts.login")
    assert entry.details == {"methods": ["socialaccount"], "provider": settings.PSC_PROVIDER_ID}


def test_psc_skips_the_totp_step_of_a_user_who_has_one(gp):
    with_totp(gp)
    client = Client()
    response = _social_login(client, gp, settings.PSC_PROVIDER_ID)
    assert response["Location"] == MES_PATIENTS  # not /accounts/2fa/authenticate/
    assert client.get(MES_PATIENTS).status_code == 200


def test_the_same_gp_with_a_password_still_needs_totp(gp):
    client = Client()
    _social_login(client, gp, settings.PSC_PROVIDER_ID)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": gp.email, "password": PASSWORD})
    assert client.get(MES_PATIENTS)["Location"] == "/accounts/2fa/totp/activate/"


def test_another_social_provider_is_no_second_factor(gp):
    client = Client()
    _social_login(client, gp, "autre-fournisseur")
    assert client.get(MES_PATIENTS)["Location"] == "/accounts/2fa/totp/activate/"
