"""The Django admin has no login of its own: /admin/login/ is allauth's login, throttled and with
the second factor."""

import pytest
from django.test import Client

from tests.accounts.conftest import totp_code, with_totp
from tests.factories import PASSWORD, RoleFactory

THROTTLED = "Trop de tentatives de connexion échouées"


@pytest.fixture
def admin_user(db):
    user = RoleFactory(admin=True).user
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _login_page_from_admin(client):
    """Where a person who opens /admin/ lands: allauth's login, `next` kept."""
    first = client.get("/admin/")
    assert first["Location"] == "/admin/login/?next=/admin/"
    second = client.get(first["Location"])
    assert second["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    page = client.get(second["Location"])
    assert "Connexion" in page.content.decode() and 'name="next" value="/admin/"' in page.content.decode()
    return second["Location"]


def test_admin_logs_in_through_allauth_with_the_totp_code(admin_user):
    secret = with_totp(admin_user)
    client = Client()
    login_url = _login_page_from_admin(client)
    response = client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")  # no admin without the code
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/admin/"
    assert "Administration" in client.get("/admin/").content.decode()


def test_admin_without_a_second_factor_cannot_use_the_admin(admin_user):
    client = Client()
    login_url = _login_page_from_admin(client)
    client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    for url in ("/admin/", "/admin/accounts/user/", "/admin/login/"):
        assert client.get(url)["Location"] == "/accounts/2fa/totp/activate/", url


def test_the_admin_login_form_is_no_second_door(admin_user):
    with_totp(admin_user)
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_foreign_next_is_dropped(db):
    response = Client().get("/admin/login/?next=https://ailleurs.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_logged_in_user_without_staff_rights_is_told_so(idf):
    client = Client()
    client.force_login(RoleFactory(regional=True, region=idf["region"]).user)
    page = client.get("/admin/", follow=True).content.decode()
    assert "pas accès à l&#x27;administration" in page


def test_wrong_passwords_at_the_admin_login_are_throttled(admin_user):
    with_totp(admin_user)
    client = Client()
    login_url = _login_page_from_admin(client)
    for _ in range(5):
        wrong = client.post(login_url, {"login": admin_user.email, "password": "mauvais-mot-de-passe"})
        assert "incorrects" in wrong.content.decode()
    blocked = client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    assert THROTTLED in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/2fa/authenticate/")["Location"].startswith("/accounts/login/")  # no code asked
