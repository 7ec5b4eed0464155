"""Invitations, roles, RPPS links and CPTS creation, at the level of the actions."""

import pytest

from maillage.accounts import actions, invitations
from maillage.accounts.models import Invitation, Role, RoleKind, User
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.directory.models import ProfessionalAccount
from maillage.territory.models import Cpts
from tests.accounts_admin.conftest import SITE, expire
from tests.factories import CommuneFactory, DepartementFactory, ProfessionalFactory, RoleFactory, with_check_digit


def test_invitation_email_holds_the_cpts_the_role_and_a_link_only(invite, mailoutbox, coordinator):
    invitation, token = invite("Nouvelle@Exemple.fr", "regulator")
    mail = mailoutbox[-1]
    assert mail.to == ["nouvelle@exemple.fr"]
    assert mail.subject == "[Maillage] Invitation à rejoindre la CPTS Châtillon-Malakoff-Vanves"
    assert "en tant que régulateur du numéro unique" in mail.body
    assert f"http://testserver/invitation/{token}/" in mail.body
    # Only the digest is stored: the database gives no working link.
    assert invitation.token_digest == invitations.digest(token) and token not in invitation.token_digest
    assert invitation.state == Invitation.State.PENDING
    assert (invitation.expires_at - invitation.sent_at).days == 7
    entry = AuditEntry.objects.get(action="accounts.invitation.sent")
    assert (entry.actor, entry.cpts.slug, entry.details) == (
        coordinator,
        "cmv",
        {"email": "nouvelle@exemple.fr", "kind": "regulator"},
    )


def test_the_email_leaves_only_once_the_invitation_is_committed(idf, coordinator, mailoutbox):
    actions.invite(idf["cmv"], "a@exemple.fr", "member", actor=coordinator, site_url=SITE)
    assert mailoutbox == []  # the test's transaction never commits


def test_no_second_pending_invitation_nor_a_role_already_held(invite, idf, coordinator, regulator_role):
    invite("a@exemple.fr", "member")
    with pytest.raises(actions.AccountsError, match="déjà une invitation en attente"):
        actions.invite(idf["cmv"], "A@exemple.fr", "member", actor=coordinator, site_url=SITE)
    with pytest.raises(actions.AccountsError, match="a déjà le rôle « régulateur du numéro unique »"):
        actions.invite(idf["cmv"], regulator_role.user.email, "regulator", actor=coordinator, site_url=SITE)
    with pytest.raises(actions.AccountsError, match="Choisissez un rôle dans la CPTS"):
        actions.invite(idf["cmv"], "b@exemple.fr", "admin", actor=coordinator, site_url=SITE)


def test_accepting_as_a_new_user_creates_the_account_and_the_role(invite):
    invitation, token = invite("nouvelle@exemple.fr", "regulator")
    role = actions.accept_as_new_user(token, password="Un-mot-de-passe-long-7", first_name="Léa", last_name="Martin")
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert role.user == user and user.check_password("Un-mot-de-passe-long-7")
    assert (role.kind, role.cpts.slug) == ("regulator", "cmv")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == user
    entry = AuditEntry.objects.get(action="accounts.invitation.accepted")
    assert entry.actor == user and entry.details == {"kind": "regulator", "new_account": True}


def test_a_used_link_cannot_be_used_again(invite):
    _, token = invite()
    actions.accept_as_new_user(token, password="Un-mot-de-passe-long-7", first_name="A", last_name="B")
    with pytest.raises(actions.InvitationGone, match="déjà été utilisée") as gone:
        actions.accept_as_new_user(token, password="Un-mot-de-passe-long-7", first_name="A", last_name="B")
    assert gone.value.state == Invitation.State.ACCEPTED
    assert User.objects.filter(email="nouvelle@exemple.fr").count() == 1


def test_expired_and_revoked_links_are_refused(invite, coordinator):
    expired, expired_token = invite("a@exemple.fr")
    expire(expired)
    with pytest.raises(actions.InvitationGone, match="a expiré"):
        actions.accept_as_new_user(expired_token, password="Un-mot-de-passe-long-7", first_name="A", last_name="B")
    revoked, revoked_token = invite("b@exemple.fr")
    actions.revoke_invitation(revoked, actor=coordinator)
    with pytest.raises(actions.InvitationGone, match="a été annulée"):
        actions.accept_as_new_user(revoked_token, password="Un-mot-de-passe-long-7", first_name="A", last_name="B")
    assert not User.objects.filter(email__in=["a@exemple.fr", "b@exemple.fr"]).exists()
    assert AuditEntry.objects.filter(action="accounts.invitation.revoked", object_id=str(revoked.pk)).count() == 1


def test_an_existing_account_gets_the_role_added(invite, idf):
    elsewhere = RoleFactory(cpts=idf["paris13"], user__email="camille@exemple.fr").user
    _, token = invite("camille@exemple.fr", "member")
    with pytest.raises(actions.AccountsError, match="Un compte existe déjà"):
        actions.accept_as_new_user(token, password="Un-mot-de-passe-long-7", first_name="A", last_name="B")
    other = User.objects.create_user("autre@exemple.fr", "x")
    with pytest.raises(actions.AccountsError, match=r"adressée à camille@exemple\.fr"):
        actions.accept_as_existing_user(token, other)
    actions.accept_as_existing_user(token, elsewhere)
    assert sorted(elsewhere.roles.values_list("cpts__slug", flat=True)) == ["cmv", "paris-13"]
    assert User.objects.filter(email="camille@exemple.fr").count() == 1


def test_resending_gives_a_new_link_and_kills_the_old_one(
    invite, mailoutbox, coordinator, django_capture_on_commit_callbacks
):
    invitation, old = invite()
    expire(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        actions.resend_invitation(invitation, actor=coordinator, site_url=SITE)
    run_pending()
    new = mailoutbox[-1].body.split("/invitation/")[1].split("/")[0]
    assert new != old and invitations.find(old) is None
    assert invitations.find(new).state == Invitation.State.PENDING  # an expired one gets 7 more days
    actions.revoke_invitation(invitation, actor=coordinator)
    with pytest.raises(actions.AccountsError, match="rien à renvoyer"):
        actions.resend_invitation(invitation, actor=coordinator, site_url=SITE)


def test_role_change_and_revocation_are_audited(regulator_role, coordinator):
    actions.change_role(regulator_role, "member", actor=coordinator)
    assert Role.objects.get(pk=regulator_role.pk).kind == "member"
    entry = AuditEntry.objects.get(action="accounts.role.changed")
    assert entry.details == {"user": regulator_role.user.email, "from": "regulator", "to": "member"}
    with pytest.raises(actions.AccountsError, match="a déjà le rôle « professionnel membre »"):
        actions.change_role(regulator_role, "member", actor=coordinator)
    actions.revoke_role(regulator_role, actor=coordinator)
    assert not Role.objects.filter(pk=regulator_role.pk).exists()
    assert AuditEntry.objects.get(action="accounts.role.revoked").details["kind"] == "member"


def test_the_cpts_keeps_a_coordinator(idf, coordinator):
    own = coordinator.roles.get()
    for write in (
        lambda: actions.revoke_role(own, actor=coordinator),
        lambda: actions.change_role(own, "member", actor=coordinator),
    ):
        with pytest.raises(actions.AccountsError, match="doit garder au moins un coordinateur"):
            write()
    assert Role.objects.get(pk=own.pk).kind == RoleKind.COORDINATOR
    RoleFactory(coordinator=True, cpts=idf["cmv"])  # a co-coordinator: now one may step down
    actions.change_role(own, "member", actor=coordinator)
    assert Role.objects.get(pk=own.pk).kind == RoleKind.MEMBER


RPPS = with_check_digit("1000111222")


def test_rpps_link_checked_against_the_directory(regulator_role, coordinator, idf):
    person = regulator_role.user
    professional = ProfessionalFactory(identifier=RPPS, first_name="Léa", last_name="Martin")
    with pytest.raises(actions.AccountsError, match="n'est pas un numéro RPPS valide"):
        actions.link_professional(person, "12345", actor=coordinator, cpts=idf["cmv"])
    unknown = with_check_digit("1000999888")
    with pytest.raises(actions.AccountsError, match=f"Aucun professionnel ne porte le numéro RPPS {unknown}"):
        actions.link_professional(person, unknown, actor=coordinator, cpts=idf["cmv"])
    ProfessionalFactory(identifier=with_check_digit("1000333444"), active=False)
    with pytest.raises(actions.AccountsError, match="n'est plus actif dans l'annuaire national"):
        actions.link_professional(person, with_check_digit("1000333444"), actor=coordinator, cpts=idf["cmv"])
    assert not ProfessionalAccount.objects.exists()

    actions.link_professional(person, f" {RPPS[:5]} {RPPS[5:]} ", actor=coordinator, cpts=idf["cmv"])
    assert ProfessionalAccount.objects.get(user=person).professional == professional
    person.refresh_from_db()  # one person: the account now bears the RPPS entry's name
    assert (person.first_name, person.last_name, person.get_full_name()) == ("Léa", "Martin", professional.full_name)
    entry = AuditEntry.objects.get(action="accounts.professional.linked")
    assert entry.details == {"user": person.email, "national_id": f"8{RPPS}", "previous": None, "source": "declared"}
    with pytest.raises(actions.AccountsError, match="déjà lié au compte d'une autre personne"):
        actions.link_professional(coordinator, RPPS, actor=coordinator, cpts=idf["cmv"])


def _create(actor, regions=None, codes=("92049",), **extra):
    return actions.create_cpts(
        name="CPTS Montrouge",
        slug="montrouge",
        codes=list(codes),
        coordinator_email="coord@exemple.fr",
        actor=actor,
        site_url=SITE,
        regions=regions,
        **extra,
    )


def test_cpts_creation_with_its_territory_and_coordinator_invited(idf, mailoutbox, django_capture_on_commit_callbacks):
    admin = RoleFactory(admin=True).user
    with django_capture_on_commit_callbacks(execute=True):
        cpts, invitation = _create(admin, finess="", contact_email="contact@cpts.fr", phone="01 23 45 67 89")
    run_pending()
    assert list(cpts.territory.values_list("commune_id", flat=True)) == ["92049"]
    assert (cpts.contact_email, cpts.phone, cpts.status) == ("contact@cpts.fr", "01 23 45 67 89", "projet")
    assert (invitation.email, invitation.kind, invitation.cpts) == ("coord@exemple.fr", "coordinator", cpts)
    assert mailoutbox[-1].subject == "[Maillage] Invitation à rejoindre la CPTS Montrouge"
    entry = AuditEntry.objects.get(action="accounts.cpts.created")
    assert entry.details["communes"] == ["92049"] and entry.details["coordinator_invited"] == "coord@exemple.fr"
    assert AuditEntry.objects.filter(cpts=cpts).count() == 1


def test_cpts_creation_refusals(idf):
    admin = RoleFactory(admin=True).user
    with pytest.raises(actions.AccountsError, match="indiquez au moins une commune"):
        _create(admin, codes=[" "])
    with pytest.raises(actions.AccountsError, match=r"Commune inconnue : 99999"):
        _create(admin, codes=["92049", "99999"])
    with pytest.raises(actions.AccountsError, match="Une CPTS porte déjà ce nom"):
        actions.create_cpts(
            name="CPTS Paris 13",
            slug="autre",
            codes=["92049"],
            coordinator_email="c@exemple.fr",
            actor=admin,
            site_url=SITE,
        )
    assert not Cpts.objects.filter(slug__in=["montrouge", "autre"]).exists()


def test_a_regional_admin_creates_only_in_their_region(idf):
    herault = DepartementFactory(code="34", name="Hérault", region__code="76", region__name="Occitanie")
    CommuneFactory(code="34032", name="Béziers", departement=herault)
    agent = RoleFactory(kind=RoleKind.REGIONAL_ADMIN, cpts=None, region=idf["region"]).user
    with pytest.raises(actions.AccountsError, match=r"hors de votre région : Béziers \(34032\)"):
        _create(agent, regions={"11"}, codes=["92049", "34032"])
    cpts, _ = _create(agent, regions={"11"})
    assert cpts.slug == "montrouge"
