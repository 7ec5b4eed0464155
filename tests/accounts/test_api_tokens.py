"""Personal API tokens (ADR 0026): made and revoked by their owner on Mon espace › Jetons d'API,
shown once, stored as a digest, read-only or read-write, acting with their owner's roles."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from maillage.accounts import actions, api_tokens
from maillage.accounts.models import ApiToken
from maillage.core.models import AuditEntry
from tests.factories import RoleFactory, UserFactory

PAGE = "/espace/jetons/"
INDICATORS = "/api/v1/cpts/cmv/indicators"
TERRITORY = "/api/v1/cpts/cmv/territoire"


def _create(client, name="Tableur de la CPTS", scope="read", lifetime="90"):
    response = client.post(PAGE, {"name": name, "scope": scope, "lifetime": lifetime})
    assert response.status_code == 200, response.content.decode()
    return re.search(r'value="(mlg_[^"]+)"', response.content.decode()).group(1), response


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _put(client, secret, codes, **extra):
    body = json.dumps({"communes": codes})
    return client.put(TERRITORY, body, content_type="application/json", **_bearer(secret), **extra)


def test_a_token_is_shown_once_and_stored_as_a_digest(coordinator_client, coordinator):
    secret, response = _create(coordinator_client)
    assert "Copiez-le maintenant : il ne sera plus jamais affiché." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=coordinator)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) == 10 and len(secret) > 40
    assert not ApiToken.objects.filter(digest__contains=secret[10:]).exists()
    assert token.scope == "read" and 89 <= (token.expires_at - timezone.now()).days <= 90
    page = coordinator_client.get(PAGE).content.decode()
    assert secret not in page and f"{token.prefix}…" in page and "jamais utilisé" in page
    entry = AuditEntry.objects.get(action="accounts.api_token.created")
    assert entry.actor == coordinator and entry.details["scope"] == "read"
    assert secret not in json.dumps(entry.details)


def test_a_token_acts_as_its_owner(coordinator_client, coordinator, idf):
    secret, _ = _create(coordinator_client)
    api = Client()
    assert api.get(INDICATORS).status_code == 401
    answer = api.get(INDICATORS, {"year": "2025"}, **_bearer(secret))
    assert answer.status_code == 200 and answer.json()["vue"] == "cpts"
    # Only the owner's CPTS: another one does not exist for them.
    assert api.get("/api/v1/cpts/paris-13/indicators", **_bearer(secret)).status_code == 404
    assert ApiToken.objects.get().last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(coordinator_client, idf):
    secret, _ = _create(coordinator_client)
    api = Client()
    api.get(INDICATORS, **_bearer(secret))
    first = ApiToken.objects.get().last_used_at
    api.get(INDICATORS, **_bearer(secret))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    api.get(INDICATORS, **_bearer(secret))
    assert ApiToken.objects.get().last_used_at > first


def test_read_only_token_is_refused_on_writes(coordinator_client, idf):
    secret, _ = _create(coordinator_client, scope="read")
    refused = _put(Client(), secret, ["92020", "92046"])
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Ce jeton d'API est en lecture seule : il ne permet pas de modifier des données."
    }
    assert idf["cmv"].territory.count() == 3


def test_read_write_token_writes_through_the_action(coordinator_client, coordinator, idf):
    secret, _ = _create(coordinator_client, scope="write")
    done = _put(Client(enforce_csrf_checks=True), secret, ["92020", "92046", "92049"])
    assert done.status_code == 200, done.content
    assert done.json()["communes"] == ["92020", "92046", "92049"]
    entry = AuditEntry.objects.get(action="territory.set")
    assert entry.actor == coordinator and entry.details["added"] == ["92049"]
    bad = _put(Client(), secret, ["99999"])
    assert (bad.status_code, bad.json()["detail"]) == (400, "Commune inconnue : 99999.")
    stale = Client().put(
        TERRITORY, json.dumps({"communes": ["92020"], "version": 0}), content_type="application/json", **_bearer(secret)
    )
    assert stale.status_code == 409


def test_the_session_still_works_but_needs_its_csrf_token(coordinator, idf):
    session = Client(enforce_csrf_checks=True)
    session.force_login(coordinator)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert session.get(INDICATORS).status_code == 200
    refused = session.put(TERRITORY, json.dumps({"communes": ["92020"]}), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Jeton CSRF absent")


@pytest.mark.parametrize("how", ["revoked", "expired", "deactivated", "unknown", "not ours"])
def test_a_dead_token_is_refused(coordinator_client, coordinator, idf, how):
    secret, _ = _create(coordinator_client)
    token = ApiToken.objects.get()
    if how == "revoked":
        response = coordinator_client.post(f"/espace/jetons/{token.pk}/revoquer/", follow=True)
        assert "Jeton « Tableur de la CPTS » révoqué" in response.content.decode()
        assert AuditEntry.objects.filter(action="accounts.api_token.revoked", actor=coordinator).count() == 1
        coordinator_client.post(f"/espace/jetons/{token.pk}/revoquer/")  # twice: nothing more
        assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1
    elif how == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "deactivated":
        type(coordinator).objects.filter(pk=coordinator.pk).update(is_active=False)
    elif how == "unknown":
        secret = api_tokens.new_secret()
    else:
        secret = "Basic " + secret
    response = Client().get(INDICATORS, **_bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"] in ("Jeton d'API invalide, expiré ou révoqué.", "Authentification requise.")


def test_someone_else_cannot_revoke_a_token(coordinator_client, idf, login):
    _create(coordinator_client)
    token = ApiToken.objects.get()
    other = login(RoleFactory(coordinator=True, cpts=idf["paris13"]).user)
    assert other.post(f"/espace/jetons/{token.pk}/revoquer/").status_code == 404
    assert other.post("/espace/jetons/99999999999999999999/revoquer/").status_code in (400, 404)
    assert ApiToken.objects.get().revoked_at is None


def test_resetting_the_second_factor_revokes_the_tokens(coordinator_client, coordinator, idf):
    secret, _ = _create(coordinator_client)
    admin = RoleFactory(admin=True).user
    actions.reset_second_factor(coordinator, actor=admin)
    assert Client().get(INDICATORS, **_bearer(secret)).status_code == 401
    entry = AuditEntry.objects.get(action="accounts.second_factor_reset")
    assert entry.details["api_keys_revoked"] == 1


def test_a_token_needs_the_second_factor_when_the_roles_do(idf):
    member = RoleFactory(cpts=idf["cmv"]).user
    with pytest.raises(actions.AccountsError, match="double authentification"):
        actions.create_api_token(member, name="x", scope="read", lifetime="30", second_factor=False)
    # A regional viewer reads aggregates only: no second factor needed.
    viewer = RoleFactory(regional=True, region=idf["region"]).user
    token, _ = actions.create_api_token(viewer, name="x", scope="read", lifetime="aucune", second_factor=False)
    assert token.expires_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scope": "read", "lifetime": "90"}, "Ce champ est obligatoire."),
        ({"name": "x", "scope": "admin", "lifetime": "90"}, "Sélectionnez un choix valide"),
        ({"name": "x", "scope": "read", "lifetime": "7"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_french_message(coordinator_client, data, message):
    response = coordinator_client.post(PAGE, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_without_a_role_may_make_a_token(db, login):
    person = UserFactory()
    secret, _ = _create(login(person, with_mfa=False))
    assert Client().get("/api/v1/cpts/cmv/funding", **_bearer(secret)).status_code == 404
