"""The second factor as people meet it: a member at first login, a coordinator at every login, an
admin through /admin/login/."""

import pytest

from tests.accounts.conftest import gp_with_a_proposed_patient, totp_code, with_totp
from tests.factories import PASSWORD, DoctorRequestFactory, RoleFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_user(db):
    user = RoleFactory(admin=True).user
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _fill_login(page, email, password):
    page.page.get_by_label("Adresse électronique").fill(email)
    page.page.get_by_label("Mot de passe").fill(password)
    page.page.get_by_role("button", name="Se connecter").click()
    page.page.wait_for_load_state("networkidle")


def test_member_sets_up_totp_then_reaches_mes_patients(page, idf):
    member = gp_with_a_proposed_patient(idf)
    page.login(member.email, PASSWORD)
    assert page.page.url.endswith("/accounts/2fa/totp/activate/")
    page.goto("/c/cmv/medecin-traitant/mes-patients/")
    assert page.page.url.endswith("/accounts/2fa/totp/activate/")  # no patient before the second factor
    assert "Lefèvre" not in page.text()
    secret = page.page.inner_text("#totp-secret").strip()
    page.page.get_by_label("Code à six chiffres").fill(totp_code(secret))
    page.page.get_by_role("button", name="Activer").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/accounts/2fa/recovery-codes/")
    assert page.page.locator(".codes li").count() == 10
    page.goto("/c/cmv/medecin-traitant/mes-patients/")
    assert "Lefèvre" in page.text()
    assert page.console_errors == []


def test_coordinator_gives_the_code_before_the_waiting_list(page, idf):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    secret = with_totp(coordinator)
    DoctorRequestFactory(cpts=idf["cmv"], commune=idf["communes"]["92046"], last_name="Lefèvre")
    page.goto("/c/cmv/medecin-traitant/")
    assert "/accounts/login/" in page.page.url
    _fill_login(page, coordinator.email, PASSWORD)
    assert page.page.url.endswith("/accounts/2fa/authenticate/")  # the password alone opens nothing
    page.goto("/c/cmv/medecin-traitant/")
    assert "/accounts/" in page.page.url and "Lefèvre" not in page.text()
    page.goto("/accounts/2fa/authenticate/")
    page.page.get_by_label("Code", exact=True).fill(totp_code(secret))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    page.goto("/c/cmv/medecin-traitant/")
    assert page.page.url.endswith("/c/cmv/medecin-traitant/")
    assert "Lefèvre" in page.text()
    assert page.console_errors == []


def test_admin_logs_in_at_admin_login_with_password_then_totp(page, admin_user):
    secret = with_totp(admin_user)
    page.goto("/admin/login/")
    assert page.page.url.endswith("/accounts/login/?next=%2Fadmin%2F")  # allauth's login, not the admin's
    _fill_login(page, admin_user.email, PASSWORD)
    assert page.page.url.endswith("/accounts/2fa/authenticate/")
    assert "codes de secours" in page.text()
    assert page.axe() == []
    page.page.get_by_label("Code", exact=True).fill(totp_code(secret))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/admin/")
    assert "Administration" in page.text() and "Utilisateurs" in page.text()


def test_six_wrong_passwords_at_admin_login_are_throttled(page, admin_user):
    page.goto("/admin/login/")
    for _ in range(5):
        _fill_login(page, admin_user.email, "mauvais-mot-de-passe")
        assert "incorrects" in page.text()
    _fill_login(page, admin_user.email, PASSWORD)
    assert "Trop de tentatives de connexion échouées" in page.text()
    page.goto("/admin/")
    assert "/accounts/login/" in page.page.url


def test_the_code_page_fits_a_phone_screen(mobile_page, admin_user):
    with_totp(admin_user)
    mobile_page.login(admin_user.email, PASSWORD)
    assert mobile_page.page.url.endswith("/accounts/2fa/authenticate/")
    assert mobile_page.overflow() <= 0
    assert mobile_page.axe() == []
