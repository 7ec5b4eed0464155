"""Who must have a second factor before reading anything, as the production rule stands
(tests/conftest.py turns the demo relaxation off)."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from maillage.core.models import AuditEntry
from tests.accounts.conftest import totp_code, with_totp
from tests.factories import PASSWORD, RoleFactory, UserFactory

SET_UP = "/accounts/2fa/totp/activate/"
MES_PATIENTS = "/c/cmv/medecin-traitant/mes-patients/"


def _post_login(client, email, password=PASSWORD, next_url=None):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


@pytest.fixture
def people(idf):
    return {
        "member": RoleFactory(cpts=idf["cmv"]).user,
        "coordinator": RoleFactory(coordinator=True, cpts=idf["cmv"]).user,
        "regulator": RoleFactory(regulator=True, cpts=idf["cmv"]).user,
        "admin": RoleFactory(admin=True).user,
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_superuser=True),
        "regional": RoleFactory(regional=True, region=idf["region"]).user,
        "no_role": UserFactory(),
    }


@pytest.mark.parametrize("who", ["member", "coordinator", "regulator", "admin", "staff", "superuser"])
def test_whoever_reads_patients_or_grants_access_sets_up_totp_first(people, who):
    client = Client()
    client.force_login(people[who])
    for url in ("/espace/", "/c/cmv/", MES_PATIENTS, "/admin/", "/api/v1/cpts/cmv/indicators", "/cpts/cmv/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, SET_UP), url
    assert client.get("/accounts/2fa/").status_code == 200  # the set-up pages stay open
    assert client.get("/fhir/metadata").status_code == 200  # open data, no patient in it


@pytest.mark.parametrize(("who", "url"), [("regional", "/couverture/region/11/"), ("no_role", "/espace/")])
def test_aggregates_only_need_no_second_factor(people, who, url):
    client = Client()
    client.force_login(people[who])
    assert client.get(url).status_code == 200


def test_member_sets_up_totp_before_reading_mes_patients(gp):
    client = Client()
    _post_login(client, gp.email)
    blocked = client.get(MES_PATIENTS)
    assert (blocked.status_code, blocked["Location"]) == (302, SET_UP)
    page = client.get(SET_UP).content.decode()
    assert "Activer la double authentification" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(SET_UP, {"code": totp_code(secret)})
    assert done["Location"] == "/accounts/2fa/recovery-codes/"  # the codes are shown right after
    codes = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert "Codes de secours" in codes and codes.count("<li><code>") == 10
    patients = client.get(MES_PATIENTS)
    assert patients.status_code == 200 and "Lefèvre" in patients.content.decode()


def test_member_with_totp_gives_the_code_at_login(gp):
    secret = with_totp(gp)
    client = Client()
    response = _post_login(client, gp.email, next_url=MES_PATIENTS)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get(MES_PATIENTS)["Location"].startswith("/accounts/login/")  # not logged in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == MES_PATIENTS
    assert "Lefèvre" in client.get(MES_PATIENTS).content.decode()


def test_coordinator_needs_the_second_factor_before_the_desk(idf):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    client = Client()
    _post_login(client, coordinator.email)
    assert client.get("/c/cmv/medecin-traitant/")["Location"] == SET_UP
    secret = with_totp(coordinator)
    desk = client.get("/c/cmv/medecin-traitant/")
    assert desk.status_code == 200
    # The next login asks for the code before the desk.
    again = Client()
    assert _post_login(again, coordinator.email)["Location"] == "/accounts/2fa/authenticate/"
    assert again.get("/c/cmv/medecin-traitant/").status_code == 302
    again.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert again.get("/c/cmv/medecin-traitant/").status_code == 200


def test_logging_in_with_a_recovery_code(gp):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    with_totp(gp)
    code = RecoveryCodes.activate(gp).get_unused_codes()[0]
    client = Client()
    _post_login(client, gp.email)
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "code de secours" in page  # the page says a recovery code is accepted
    done = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert done.status_code == 302
    assert "Lefèvre" in client.get(MES_PATIENTS).content.decode()
    # A recovery code works once.
    other = Client()
    _post_login(other, gp.email)
    assert "Code incorrect" in other.post("/accounts/2fa/authenticate/", {"code": code}).content.decode()
    assert other.get(MES_PATIENTS).status_code == 302


def test_recovery_codes_can_be_seen_and_renewed_in_french(gp):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    client = Client()
    client.force_login(gp)
    with_totp(gp)
    old = RecoveryCodes.activate(gp).get_unused_codes()
    index = client.get("/accounts/2fa/").content.decode()
    assert "Voir les codes" in index and "Générer de nouveaux codes" in index
    # New codes only after the password is typed again.
    confirm = client.get("/accounts/2fa/recovery-codes/generate/")["Location"]
    assert confirm.startswith("/accounts/reauthenticate/")
    client.post(confirm, {"password": PASSWORD})
    assert "Générer les codes" in client.get("/accounts/2fa/recovery-codes/generate/").content.decode()
    client.post("/accounts/2fa/recovery-codes/generate/")
    new = RecoveryCodes(Authenticator.objects.get(user=gp, type="recovery_codes")).get_unused_codes()
    assert set(new).isdisjoint(old)
    assert new[0] in client.get("/accounts/2fa/recovery-codes/").content.decode()


def test_logins_and_failed_logins_are_audited(gp):
    secret = with_totp(gp)
    client = Client()
    _post_login(client, gp.email, "mauvais-mot-de-passe")
    failed = AuditEntry.objects.get(action="accounts.login_failed")
    assert failed.details == {"login": gp.email} and failed.actor is None
    _post_login(client, gp.email)
    assert not AuditEntry.objects.filter(action="accounts.login").exists()  # the code is still due
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    login = AuditEntry.objects.get(action="accounts.login")
    assert (login.actor, login.details) == (gp, {"methods": ["password", "mfa"]})
    assert "mauvais" not in str(list(AuditEntry.objects.values_list("details", flat=True)))


def _code_steps_ago(secret, steps):
    # Away from the end of a step, so that "one step ago" is still one step ago when checked.
    while time.time() % 30 > 27:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 - steps))


def test_a_code_from_the_step_before_is_accepted_once_and_an_older_one_refused(gp):
    secret = with_totp(gp)
    old, late = _code_steps_ago(secret, 2), _code_steps_ago(secret, 1)
    client = Client()
    _post_login(client, gp.email)
    assert "Code incorrect" in client.post("/accounts/2fa/authenticate/", {"code": old}).content.decode()
    assert client.post("/accounts/2fa/authenticate/", {"code": late})["Location"] == "/espace/"
    # The same code cannot open a second session.
    replay = Client()
    _post_login(replay, gp.email)
    assert "Code incorrect" in replay.post("/accounts/2fa/authenticate/", {"code": late}).content.decode()
