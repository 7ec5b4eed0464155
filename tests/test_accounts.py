import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.test import Client

from maillage.accounts.models import Role
from maillage.accounts.roles import SESSION_KEY
from tests.factories import PASSWORD, RoleFactory

ROOT = Path(__file__).resolve().parents[1]


def _post_login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_passwords_are_hashed_with_argon2(coordinator):
    assert coordinator.password.startswith("argon2")


def test_member_logs_in_with_email_and_password(idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own tests (tests/accounts/)
    member = RoleFactory(cpts=idf["cmv"]).user
    client = Client()
    response = _post_login(client, member.email.upper())
    assert response.status_code == 302
    page = client.get("/espace/")
    assert "Vous agissez en tant que" in page.content.decode()
    assert "professionnel membre — CPTS Châtillon-Malakoff-Vanves" in page.content.decode()


def test_wrong_password_is_refused_in_french(idf):
    member = RoleFactory(cpts=idf["cmv"]).user
    response = _post_login(Client(), member.email, "mauvais")
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


def test_login_is_throttled_after_repeated_failures(idf):
    member = RoleFactory(cpts=idf["cmv"]).user
    client = Client()
    for _ in range(5):
        _post_login(client, member.email, "mauvais")
    blocked = _post_login(client, member.email, PASSWORD)
    assert "Trop de tentatives de connexion échouées" in blocked.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password is refused for now


def test_coordinator_without_totp_must_set_it_up_first(idf):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    client = Client()
    client.force_login(coordinator)
    for url in ("/c/cmv/", "/espace/", "/couverture/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/cpts/cmv/").status_code == 302  # public pages too: the account comes first


def test_member_needs_a_second_factor_too(idf):
    client = Client()
    client.force_login(RoleFactory(cpts=idf["cmv"]).user)
    assert client.get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"


def test_demo_setting_relaxes_the_second_factor(idf, settings):
    settings.DEMO_RELAX_MFA = True
    client = Client()
    client.force_login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    assert client.get("/c/cmv/").status_code == 200


def test_login_with_totp_asks_for_the_code(idf):
    coordinator = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    client = Client()
    response = _post_login(client, coordinator.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/espace/").status_code == 302  # not logged in until the code is given
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    import time

    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    done = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert done.status_code == 302
    assert client.get("/espace/").status_code == 200
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()


def test_role_switching_between_cpts(idf, login):
    role = RoleFactory(cpts=idf["cmv"])
    other = Role.objects.create(user=role.user, kind="member", cpts=idf["paris13"])
    client = login(role.user)
    response = client.post("/espace/role/", {"role": other.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == other.pk
    assert "CPTS Paris 13" in client.get("/espace/").content.decode()


def test_cannot_switch_to_someone_elses_role(idf, login):
    mine = RoleFactory(cpts=idf["cmv"])
    theirs = RoleFactory(coordinator=True, cpts=idf["paris13"])
    client = login(mine.user)
    client.post("/espace/role/", {"role": theirs.pk})
    assert SESSION_KEY not in client.session
    # Even a forged session value selects nothing the user does not hold.
    session = client.session
    session[SESSION_KEY] = theirs.pk
    session.save()
    assert client.get("/c/paris-13/").status_code == 404


def test_no_open_signup(anonymous, django_user_model):
    assert "Inscription fermée" in anonymous.get("/accounts/signup/").content.decode()
    password = "Un-long-mot-de-passe-2026"
    anonymous.post("/accounts/signup/", {"email": "x@exemple.fr", "password1": password, "password2": password})
    assert not django_user_model.objects.exists()


def test_pro_sante_connect_button_appears_only_when_configured(db, anonymous, settings):
    assert "Pro Santé Connect" not in anonymous.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "pro-sante-connect",
                    "name": "Pro Santé Connect",
                    "client_id": "maillage-test",
                    "secret": "s",
                    "settings": {"server_url": "https://auth.invalid/realms/esante-wallet"},
                }
            ]
        }
    }
    assert "Pro Santé Connect" in anonymous.get("/accounts/login/").content.decode()


def _settings_in_subprocess(var_dir, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "DJANGO_"))}
    full_env.update(env, DJANGO_SETTINGS_MODULE="config.settings", MAILLAGE_VAR_DIR=str(var_dir))
    code = "import django; django.setup(); print('ok')"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAILLAGE_PRODUCTION": "1", "MAILLAGE_DEMO_RELAX_MFA": "1", "DJANGO_SECRET_KEY": "s" * 50}, "réservé à la"),
        ({"MAILLAGE_PRODUCTION": "1"}, "DJANGO_SECRET_KEY est obligatoire"),
        ({"MAILLAGE_PRODUCTION": "1", "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "s" * 50}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "peut-être"}, "valeur booléenne attendue"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, env, message):
    result = _settings_in_subprocess(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_load_when_safe(tmp_path):
    result = _settings_in_subprocess(
        tmp_path,
        MAILLAGE_PRODUCTION="1",
        DJANGO_SECRET_KEY="s" * 50,
        DJANGO_ALLOWED_HOSTS="maillage.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://maillage.example",
        DATABASE_URL="postgres://maillage@127.0.0.1/maillage",
        DJANGO_ADMINS="exploitation@maillage.example",
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_fresh_login_goes_straight_to_totp_set_up_without_a_second_password(idf):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    client = Client()
    _post_login(client, coordinator.email)
    assert client.get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200  # not the "confirm your password" page
    assert "Activer" in page.content.decode()


def test_an_old_session_must_reauthenticate_before_setting_up_totp(idf, monkeypatch):
    import time as clock

    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    client = Client()
    _post_login(client, coordinator.email)
    later = clock.time() + 3600
    monkeypatch.setattr(clock, "time", lambda: later)
    client.get("/espace/")
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")


def test_coordinator_activates_totp_then_reaches_the_dashboard(idf):
    import re
    import time

    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    client = Client()
    _post_login(client, coordinator.email)
    assert client.get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()
    assert client.get("/c/cmv/").status_code == 200


def test_the_administrator_is_addressed_with_the_elision(idf, login):
    client = login(RoleFactory(admin=True).user, with_mfa=True)
    text = html.unescape(client.get("/espace/").content.decode())
    assert "Vous agissez en tant qu'<strong>administrateur de la plateforme</strong>" in text
    assert "en tant que administrateur" not in text
