"""API tokens in headless Chromium: a member creates a token on Mon espace, copies it once, a script
uses it, then the member revokes it and the script is refused."""

import json
import urllib.error
import urllib.request

import pytest

from maillage.accounts.models import ApiToken
from tests.accounts.conftest import totp_code, with_totp
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _api(base_url, secret):
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        f"{base_url}/api/v1/cpts/cmv/indicators?year=2025", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (the live test server)
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_a_member_creates_uses_and_revokes_a_token_on_a_phone(page, idf):
    member = RoleFactory(cpts=idf["cmv"]).user
    secret = with_totp(member)
    page.page.set_viewport_size(PHONE)
    page.login(member.email, PASSWORD)
    page.page.locator("input[name=code]").fill(totp_code(secret))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")

    page.page.get_by_role("link", name="Jetons d'API").click()
    page.page.wait_for_load_state("networkidle")
    assert "Aucun jeton pour l'instant." in page.text()
    assert page.axe() == [] and page.overflow() <= 0

    page.page.get_by_label("Nom du jeton").fill("Tableau de bord de la maison de santé")
    page.page.get_by_label("Durée de validité").select_option("30")
    page.page.get_by_role("button", name="Créer le jeton").click()
    page.page.wait_for_load_state("networkidle")
    assert "il ne sera plus jamais affiché" in page.text()
    token = page.page.get_by_label("Votre jeton (lecture seule)").input_value()
    assert token.startswith("mlg_")
    assert page.axe() == [] and page.overflow() <= 0

    status, body = _api(page.base_url, token)
    assert status == 200 and body["cpts"] == "cmv"

    page.goto("/espace/jetons/")
    assert token not in page.page.content()  # shown once only
    page.page.get_by_role("button", name="Révoquer le jeton Tableau de bord de la maison de santé").click()
    page.page.wait_for_load_state("networkidle")
    assert "révoqué : il ne permet plus d'utiliser l'API" in page.text()
    assert "Révoqué le" in page.text()
    assert page.axe() == [] and page.overflow() <= 0
    assert ApiToken.objects.get().revoked_at is not None

    status, body = _api(page.base_url, token)
    assert (status, body["detail"]) == (401, "Jeton d'API invalide, expiré ou révoqué.")
    assert page.console_errors == [] and page.failed == []
