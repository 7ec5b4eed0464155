"""The lost-device procedure: the platform admin removes a user's authenticators, audited."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.exceptions import PermissionDenied

from maillage.accounts.actions import reset_second_factor
from maillage.core.models import AuditEntry
from tests.accounts.conftest import with_totp
from tests.factories import RoleFactory, UserFactory

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def admin_client(db, login):
    admin = UserFactory(is_staff=True, is_superuser=True, email="admin@maillage.example")
    return admin, login(admin)


@pytest.fixture
def lost(idf, login):
    """A member who lost their phone: TOTP and recovery codes set."""
    user = RoleFactory(cpts=idf["cmv"]).user
    with_totp(user)
    RecoveryCodes.activate(user)
    return user


def test_the_admin_confirms_then_resets_the_second_factor(admin_client, lost, login):
    admin, client = admin_client
    asked = client.post(CHANGELIST, {"action": "reset_second_factor", "_selected_action": [lost.pk]})
    page = asked.content.decode()
    assert "Réinitialiser le second facteur" in page and lost.email in page and "Oui, réinitialiser" in page
    assert Authenticator.objects.filter(user=lost).count() == 2  # nothing done before the confirmation
    done = client.post(
        CHANGELIST, {"action": "reset_second_factor", "_selected_action": [lost.pk], "confirmation": "oui"}, follow=True
    )
    assert "Second facteur réinitialisé pour 1 compte :" in done.content.decode()
    assert not Authenticator.objects.filter(user=lost).exists()
    entry = AuditEntry.objects.get(action="accounts.second_factor_reset")
    assert (entry.actor, entry.object_id, entry.object_repr) == (admin, str(lost.pk), str(lost))
    assert entry.details == {"removed": ["recovery_codes", "totp"]}
    # At their next request the member is sent to set up a new application.
    assert login(lost, with_mfa=False).get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"


def test_only_the_platform_admin_may_reset(idf, lost):
    staff_only = UserFactory(is_staff=True)
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    for actor in (staff_only, coordinator, lost):
        with pytest.raises(PermissionDenied):
            reset_second_factor(lost, actor=actor)
    assert Authenticator.objects.filter(user=lost).count() == 2
    assert not AuditEntry.objects.filter(action="accounts.second_factor_reset").exists()
    reset_second_factor(lost, actor=RoleFactory(admin=True).user)
    assert not Authenticator.objects.filter(user=lost).exists()


def test_authenticators_are_read_only_in_the_admin_and_hide_their_secrets(admin_client, lost):
    _, client = admin_client
    totp = Authenticator.objects.get(user=lost, type="totp")
    page = client.get(f"/admin/accounts/secondfactor/{totp.pk}/change/").content.decode()
    assert str(lost) in page and totp.data["secret"] not in page
    assert client.post(f"/admin/accounts/secondfactor/{totp.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()
