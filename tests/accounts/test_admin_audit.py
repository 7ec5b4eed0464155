"""Changes made in the Django admin reach the audit log: accounts, roles (the inline), SAS keys."""

import pytest
from django.core.management import call_command

from maillage.accounts.models import Role, RoleKind, User
from maillage.core.models import AuditEntry
from maillage.unscheduled.models import SasConsumer
from tests.factories import RoleFactory, UserFactory


@pytest.fixture
def admin_client(db, login):
    admin = UserFactory(is_staff=True, is_superuser=True, email="admin@maillage.example")
    return admin, login(admin)


def _user_form(user, roles, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": str(sum(1 for role in roles if role.get("id"))),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "_save": "Enregistrer",
    }
    for number, role in enumerate(roles):
        for key, value in role.items():
            data[f"roles-{number}-{key}"] = value
        data[f"roles-{number}-user"] = str(user.pk)
    data.update(changes)
    return data


def _role(role, **changes):
    row = {"id": str(role.pk), "kind": role.kind, "cpts": str(role.cpts_id), "region": "", "organisation": ""}
    row.update(changes)
    return row


def _post(client, user, data):
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_role_granted_in_the_admin_is_audited(admin_client, idf):
    admin, client = admin_client
    member = RoleFactory(cpts=idf["cmv"]).user
    existing = Role.objects.get(user=member)
    new = {"id": "", "kind": RoleKind.COORDINATOR, "cpts": str(idf["issy"].pk), "region": "", "organisation": ""}
    _post(client, member, _user_form(member, [_role(existing), new]))
    granted = Role.objects.get(user=member, cpts=idf["issy"])
    entry = AuditEntry.objects.get(action="accounts.role.granted")
    assert (entry.actor, entry.cpts, entry.object_id) == (admin, idf["issy"], str(granted.pk))
    assert entry.details == {
        "user": member.email,
        "kind": "coordinator",
        "cpts": "issy",
        "region": None,
        "via": "admin",
    }
    assert not AuditEntry.objects.filter(action__in=["accounts.role.changed", "accounts.user.admin_changed"]).exists()


def test_a_role_changed_then_removed_in_the_admin_is_audited(admin_client, idf):
    admin, client = admin_client
    role = RoleFactory(cpts=idf["cmv"])
    member = role.user
    _post(client, member, _user_form(member, [_role(role, kind=RoleKind.REGULATOR)]))
    changed = AuditEntry.objects.get(action="accounts.role.changed")
    assert (changed.actor, changed.cpts, changed.object_id) == (admin, idf["cmv"], str(role.pk))
    assert changed.details["kind"] == "regulator" and changed.details["fields"] == ["kind"]
    _post(client, member, _user_form(member, [_role(role, kind=RoleKind.REGULATOR, DELETE="on")]))
    assert not Role.objects.filter(pk=role.pk).exists()
    revoked = AuditEntry.objects.get(action="accounts.role.revoked")
    assert (revoked.actor, revoked.object_id, revoked.details["kind"]) == (admin, str(role.pk), "regulator")


def test_an_account_changed_in_the_admin_is_audited(admin_client, idf):
    admin, client = admin_client
    member = RoleFactory(cpts=idf["cmv"]).user
    _post(client, member, _user_form(member, [], is_staff="on", last_name="Martin"))
    entry = AuditEntry.objects.get(action="accounts.user.admin_changed")
    assert (entry.actor, entry.object_id) == (admin, str(member.pk))
    assert sorted(entry.details["fields"]) == ["is_staff", "last_name"]
    assert entry.details["values"] == {"is_staff": True, "last_name": "Martin"}
    # Saving without a change writes nothing.
    member.refresh_from_db()
    _post(client, member, _user_form(member, [], is_staff="on"))
    assert AuditEntry.objects.filter(action="accounts.user.admin_changed").count() == 1


def test_an_account_created_in_the_admin_is_audited_without_its_password(admin_client):
    admin, client = admin_client
    password = "Un-mot-de-passe-tout-neuf-91"
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "nouvelle@exemple.fr",
            "password1": password,
            "password2": password,
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="accounts.user.admin_created")
    created = User.objects.get(email="nouvelle@exemple.fr")
    assert (entry.actor, entry.object_id) == (admin, str(created.pk))
    assert password not in str(entry.details)
    assert entry.details["values"] == {"email": "nouvelle@exemple.fr"}


def test_a_sas_key_created_by_the_command_is_audited(db, capsys):
    call_command("create_sas_key", "Plateforme SAS nationale")
    consumer = SasConsumer.objects.get()
    key = capsys.readouterr().out.splitlines()[1]
    entry = AuditEntry.objects.get(action="unscheduled.sas_key.created")
    assert (entry.actor_label, entry.object_id, entry.details) == (
        "système",
        str(consumer.pk),
        {"name": "Plateforme SAS nationale"},
    )
    assert key not in str(entry.details) and consumer.key_digest not in str(entry.details)


def test_a_sas_key_revoked_in_the_admin_is_audited_and_cannot_be_deleted(admin_client):
    admin, client = admin_client
    consumer, _key = SasConsumer.create_with_key("Banc de test")
    url = f"/admin/unscheduled/sasconsumer/{consumer.pk}/change/"
    assert client.post(url, {"_save": "Enregistrer"}).status_code == 302  # « actif » unticked
    consumer.refresh_from_db()
    assert not consumer.active
    entry = AuditEntry.objects.get(action="unscheduled.sas_key.revoked")
    assert (entry.actor, entry.object_id, entry.details) == (admin, str(consumer.pk), {"name": "Banc de test"})
    assert client.post(url, {"active": "on", "_save": "Enregistrer"}).status_code == 302
    assert AuditEntry.objects.filter(action="unscheduled.sas_key.reactivated").count() == 1
    assert client.get(f"/admin/unscheduled/sasconsumer/{consumer.pk}/delete/").status_code == 403
