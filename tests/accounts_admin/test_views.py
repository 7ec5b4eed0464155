"""The team page, the invitation link and CPTS creation, as a browser without JavaScript sees them."""

import html
import re

from allauth.mfa.models import Authenticator
from django.test import Client

from maillage.accounts.models import Invitation, Role, RoleKind, User
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.directory.models import ProfessionalAccount
from maillage.territory.models import Cpts
from tests.accounts_admin.conftest import expire, link_path
from tests.factories import PASSWORD, ProfessionalFactory, RegionFactory, RoleFactory, with_check_digit

NEW_PASSWORD = "Un-mot-de-passe-long-7"


def _text(response) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def test_the_dashboard_links_the_team_page_which_lists_people_and_invitations(
    coordinator_client, coordinator, regulator_role, invite
):
    assert 'href="/c/cmv/equipe/"' in coordinator_client.get("/c/cmv/").content.decode()
    invite("attente@exemple.fr", "member")
    page = _text(coordinator_client.get("/c/cmv/equipe/"))
    assert "Équipe de la CPTS Châtillon-Malakoff-Vanves" in page
    assert f"{regulator_role.user.email}" in page and "régulateur du numéro unique" in page
    assert coordinator.email in page
    assert "attente@exemple.fr — professionnel membre" in page and "En attente" in page


def test_inviting_from_the_team_page(coordinator_client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post("/c/cmv/equipe/inviter/", {"email": "r@exemple.fr", "kind": "regulator"})
    run_pending()
    assert response.status_code == 302
    page = _text(coordinator_client.get(response["Location"]))
    assert "Invitation envoyée à r@exemple.fr (régulateur du numéro unique)." in page
    assert [m.to for m in mailoutbox] == [["r@exemple.fr"]]
    refused = coordinator_client.post("/c/cmv/equipe/inviter/", {"email": "r@exemple.fr", "kind": "regulator"})
    assert refused.status_code == 400 and "déjà une invitation en attente" in _text(refused)
    invalid = coordinator_client.post("/c/cmv/equipe/inviter/", {"email": "pas-une-adresse", "kind": "regulator"})
    assert invalid.status_code == 400 and "Saisissez une adresse de courriel valide." in _text(invalid)


def test_another_cpts_invitation_is_a_404(coordinator_client, idf, invite):
    foreign, _ = invite("x@exemple.fr", "member", cpts=idf["paris13"])
    for path in (
        f"/c/cmv/equipe/invitations/{foreign.pk}/renvoyer/",
        f"/c/cmv/equipe/invitations/{foreign.pk}/annuler/",
        f"/c/paris-13/equipe/invitations/{foreign.pk}/annuler/",
    ):
        assert coordinator_client.post(path).status_code == 404
    assert coordinator_client.get("/c/paris-13/equipe/").status_code == 404
    assert Invitation.objects.get(pk=foreign.pk).revoked_at is None


def test_revoke_and_resend_from_the_team_page(
    coordinator_client, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, token = invite()
    with django_capture_on_commit_callbacks(execute=True):
        resent = coordinator_client.post(f"/c/cmv/equipe/invitations/{invitation.pk}/renvoyer/", follow=True)
    run_pending()
    assert "le lien précédent ne fonctionne plus" in _text(resent)
    assert Client().get(f"/invitation/{token}/").status_code == 404
    revoked = coordinator_client.post(f"/c/cmv/equipe/invitations/{invitation.pk}/annuler/", follow=True)
    assert "L'invitation de nouvelle@exemple.fr est annulée." in _text(revoked)
    gone = Client().get(link_path(mailoutbox[-1]))
    assert gone.status_code == 410 and "Cette invitation a été annulée" in _text(gone)


def test_a_new_user_sets_a_password_and_is_sent_to_the_second_factor(invite):
    _, token = invite("nouvelle@exemple.fr", "regulator")
    client = Client()
    page = client.get(f"/invitation/{token}/")
    assert page.status_code == 200
    assert "Vous avez reçu une invitation en tant que régulateur du numéro unique" in _text(page)
    assert "Vous activerez ensuite la double authentification" in _text(page)
    weak = client.post(
        f"/invitation/{token}/",
        {"first_name": "Léa", "last_name": "Martin", "password1": "court", "password2": "court"},
    )
    assert weak.status_code == 400 and "Ce mot de passe est trop court." in _text(weak)
    data = {"first_name": "Léa", "last_name": "Martin", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(f"/invitation/{token}/", data)
    assert response.status_code == 302 and response["Location"] == "/espace/"
    # Logged in; a regulator reads patient data, so the second factor comes first.
    assert client.get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200  # no second password prompt
    assert User.objects.get(email="nouvelle@exemple.fr").roles.get().kind == "regulator"
    again = Client().get(f"/invitation/{token}/")
    assert again.status_code == 410 and "Cette invitation a déjà été utilisée" in _text(again)


def test_a_new_member_lands_in_their_space_once_their_second_factor_is_set(invite):
    _, token = invite("membre@exemple.fr", "member")
    client = Client()
    data = {"first_name": "Léa", "last_name": "Martin", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    client.post(f"/invitation/{token}/", data)
    # A member sees proposed patients and bookings: the second factor comes first for them too.
    assert client.get("/espace/")["Location"] == "/accounts/2fa/totp/activate/"
    Authenticator.objects.create(
        user=User.objects.get(email="membre@exemple.fr"), type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert "professionnel membre — CPTS Châtillon-Malakoff-Vanves" in _text(client.get("/espace/"))


def test_an_existing_account_logs_in_and_gets_the_role(invite, idf):
    person = RoleFactory(cpts=idf["paris13"], user__email="camille@exemple.fr").user
    _, token = invite("camille@exemple.fr", "member")
    client = Client()
    page = client.get(f"/invitation/{token}/")
    assert "Un compte existe déjà pour cette adresse" in _text(page)
    assert f'href="/accounts/login/?next=%2Finvitation%2F{token}%2F"' in page.content.decode()
    login = client.post(f"/accounts/login/?next=/invitation/{token}/", {"login": person.email, "password": PASSWORD})
    assert login["Location"] == f"/invitation/{token}/"
    assert "Accepter l'invitation" in _text(client.get(f"/invitation/{token}/"))
    accepted = client.post(f"/invitation/{token}/", follow=True)
    assert "Vous avez rejoint la CPTS Châtillon-Malakoff-Vanves : professionnel membre." in _text(accepted)
    assert sorted(person.roles.values_list("cpts__slug", flat=True)) == ["cmv", "paris-13"]


def test_the_wrong_account_is_told_to_log_out(invite, idf, login):
    _, token = invite("camille@exemple.fr", "member")
    other = login(RoleFactory(cpts=idf["paris13"]).user)
    assert "Cette invitation est adressée à camille@exemple.fr" in _text(other.get(f"/invitation/{token}/"))
    other.post(f"/invitation/{token}/")
    assert Invitation.objects.get().accepted_at is None


def test_expired_and_unknown_links_get_a_french_page(invite):
    invitation, token = invite()
    expire(invitation)
    expired = Client().get(f"/invitation/{token}/")
    assert expired.status_code == 410 and "Cette invitation a expiré" in _text(expired)
    unknown = Client().get("/invitation/nimporte-quoi/")
    assert unknown.status_code == 404 and "Ce lien d'invitation n'existe pas" in _text(unknown)


def test_roles_are_changed_and_revoked_but_a_coordinator_stays(coordinator_client, coordinator, regulator_role):
    changed = coordinator_client.post(f"/c/cmv/equipe/roles/{regulator_role.pk}/", {"kind": "member"}, follow=True)
    assert "a désormais le rôle « professionnel membre »" in _text(changed)
    own = coordinator.roles.get()
    refused = coordinator_client.post(f"/c/cmv/equipe/roles/{own.pk}/retirer/", follow=True)
    assert "doit garder au moins un coordinateur" in _text(refused)
    assert Role.objects.filter(pk=own.pk).exists()
    revoked = coordinator_client.post(f"/c/cmv/equipe/roles/{regulator_role.pk}/retirer/", follow=True)
    assert "Le rôle « professionnel membre » de" in _text(revoked)
    assert not Role.objects.filter(pk=regulator_role.pk).exists()
    assert [e.action for e in AuditEntry.objects.order_by("at")] == ["accounts.role.changed", "accounts.role.revoked"]


def test_a_co_coordinator_who_steps_down_lands_in_their_space(coordinator_client, coordinator, idf):
    RoleFactory(coordinator=True, cpts=idf["cmv"])
    response = coordinator_client.post(f"/c/cmv/equipe/roles/{coordinator.roles.get().pk}/", {"kind": "member"})
    assert response["Location"] == "/espace/"
    assert "professionnel membre — CPTS Châtillon-Malakoff-Vanves" in _text(coordinator_client.get("/espace/"))
    assert coordinator_client.get("/c/cmv/equipe/").status_code == 404


def test_another_cpts_role_is_a_404(coordinator_client, idf):
    foreign = RoleFactory(regulator=True, cpts=idf["paris13"])
    assert coordinator_client.post(f"/c/cmv/equipe/roles/{foreign.pk}/", {"kind": "member"}).status_code == 404
    assert coordinator_client.post(f"/c/cmv/equipe/roles/{foreign.pk}/retirer/").status_code == 404
    assert coordinator_client.post(f"/c/cmv/equipe/personnes/{foreign.user_id}/rpps/").status_code == 404
    assert Role.objects.get(pk=foreign.pk).kind == RoleKind.REGULATOR


def test_rpps_link_from_the_team_page(coordinator_client, regulator_role):
    rpps = with_check_digit("1000111222")
    ProfessionalFactory(identifier=rpps, first_name="Léa", last_name="Martin")
    path = f"/c/cmv/equipe/personnes/{regulator_role.user_id}/rpps/"
    unknown = with_check_digit("1000999888")
    assert "Aucun professionnel ne porte le numéro RPPS" in _text(
        coordinator_client.post(path, {"rpps": unknown}, follow=True)
    )
    ProfessionalFactory(identifier=with_check_digit("1000333444"), active=False)
    inactive = coordinator_client.post(path, {"rpps": with_check_digit("1000333444")}, follow=True)
    assert "n'est plus actif dans l'annuaire national" in _text(inactive)
    done = _text(coordinator_client.post(path, {"rpps": rpps}, follow=True))
    assert "est lié à sa fiche RPPS" in done and f"Léa Martin — Médecin ({rpps})" in done
    assert ProfessionalAccount.objects.get().user == regulator_role.user


CPTS_FORM = {
    "name": "CPTS Montrouge",
    "slug": "montrouge",
    "communes": "92049, 92020",
    "finess": "",
    "contact_email": "contact@cpts-montrouge.fr",
    "phone": "+33 1 23 45 67 89",
    "description": "Des professionnels de Montrouge.",
    "coordinator_email": "coord@exemple.fr",
}


def test_the_admin_creates_a_cpts(idf, login, mailoutbox, django_capture_on_commit_callbacks):
    admin = login(RoleFactory(admin=True).user)
    assert "Créer une CPTS" in _text(admin.get("/espace/"))
    assert admin.get("/gestion/cpts/nouvelle/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/gestion/cpts/nouvelle/", CPTS_FORM, follow=True)
    run_pending()
    page = _text(response)
    assert "La CPTS Montrouge est créée ; son coordinateur est invité à l'adresse coord@exemple.fr." in page
    assert "Numéro unique : 01 23 45 67 89" in page and "contact@cpts-montrouge.fr" in page
    assert "Des professionnels de Montrouge." in page
    assert set(Cpts.objects.get(slug="montrouge").territory.values_list("commune_id", flat=True)) == {"92049", "92020"}
    assert [m.to for m in mailoutbox] == [["coord@exemple.fr"]]


def test_cpts_form_checks_finess_and_phone(idf, login):
    admin = login(RoleFactory(admin=True).user)
    bad = admin.post("/gestion/cpts/nouvelle/", {**CPTS_FORM, "finess": "920000651", "phone": "12"})
    assert bad.status_code == 400
    assert "« 920000651 » n'est pas un numéro FINESS valide" in _text(bad)
    assert "Numéro de téléphone non valide" in _text(bad)
    good = admin.post("/gestion/cpts/nouvelle/", {**CPTS_FORM, "finess": with_check_digit("92000065")})
    assert good.status_code == 302
    assert Cpts.objects.get(slug="montrouge").finess == with_check_digit("92000065")


def test_regional_admin_creates_in_their_region_only(idf, login):
    agent = login(RoleFactory(kind=RoleKind.REGIONAL_ADMIN, cpts=None, region=idf["region"]).user)
    assert "Dans votre région : Île-de-France." in _text(agent.get("/gestion/cpts/nouvelle/"))
    assert agent.post("/gestion/cpts/nouvelle/", CPTS_FORM).status_code == 302
    occitanie = RegionFactory(code="76", name="Occitanie")
    other = RoleFactory(kind=RoleKind.REGIONAL_ADMIN, cpts=None, region=occitanie).user
    refused = login(other).post("/gestion/cpts/nouvelle/", {**CPTS_FORM, "name": "Autre", "slug": "autre"})
    assert refused.status_code == 400
    assert "Ces communes sont hors de votre région" in _text(refused)
    assert not Cpts.objects.filter(slug="autre").exists()


def test_nobody_else_creates_a_cpts(idf, login, coordinator_client):
    viewer = login(RoleFactory(regional=True, region=idf["region"]).user)
    assert viewer.get("/gestion/cpts/nouvelle/").status_code == 404
    assert coordinator_client.post("/gestion/cpts/nouvelle/", CPTS_FORM).status_code == 404
    assert not Cpts.objects.filter(slug="montrouge").exists()


def test_the_django_admin_lists_invitations_read_only(invite, login):
    invitation, _ = invite("attente@exemple.fr", "member")
    superuser = login(User.objects.create_superuser("root@exemple.fr", NEW_PASSWORD), with_mfa=True)
    listing = superuser.get("/admin/accounts/invitation/")
    assert "attente@exemple.fr" in _text(listing)
    detail = superuser.get(f"/admin/accounts/invitation/{invitation.pk}/change/")
    assert detail.status_code == 200 and invitation.token_digest not in detail.content.decode()
    assert superuser.get("/admin/accounts/invitation/add/").status_code == 403
