from datetime import date, timedelta

import pytest
from django.core import mail

from maillage.association import access, status
from maillage.association.actions import AssociationError
from maillage.association.actions import members as actions
from maillage.association.models import FeeRate, Member, MemberTransition
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.directory.models import DirectoryEntry
from tests.association.conftest import member, reload
from tests.factories import CptsFactory, RoleFactory


def test_membership_year_follows_the_statutes(association):
    statutes = association["statutes"]
    assert status.membership_year(statutes, date(2026, 3, 5)) == (date(2026, 1, 1), date(2026, 12, 31))
    statutes.year_start_month = 9
    assert status.membership_year(statutes, date(2026, 3, 5)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert status.membership_year(statutes, date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))


def test_status_follows_the_fee_and_the_grace_period(association):
    gp = association["members"]["gp"]
    today = date(2026, 12, 5)
    assert status.compute(gp, today) == Member.Status.CURRENT  # no fee set: nothing due
    FeeRate.objects.create(cpts=association["cpts"], college=gp.college, year=2026, amount_cents=3000)
    assert status.compute(gp, today) == Member.Status.PENDING  # validated, first fee not paid
    gp.paid_until = date(2026, 12, 31)
    assert status.compute(gp, today) == Member.Status.CURRENT
    gp.paid_until = date(2025, 12, 31)
    assert status.compute(gp, date(2026, 2, 1)) == Member.Status.GRACE
    assert status.compute(gp, date(2026, 3, 31)) == Member.Status.GRACE  # 90 days after
    assert status.compute(gp, date(2026, 4, 1)) == Member.Status.EXPIRED
    FeeRate.objects.create(cpts=association["cpts"], college=gp.college, year=2027, amount_cents=0)
    assert status.compute(gp, date(2027, 4, 1)) == Member.Status.CURRENT  # a free year


def test_the_job_recomputes_every_member_and_logs_each_change(association):
    cpts = association["cpts"]
    gp, nurse = association["members"]["gp"], association["members"]["nurse"]
    FeeRate.objects.create(cpts=cpts, college=gp.college, year=2026, amount_cents=3000)
    Member.objects.filter(pk=gp.pk).update(paid_until=date(2025, 12, 31))
    Member.objects.filter(pk=nurse.pk).update(paid_until=date(2026, 12, 31))
    outcome = status.recompute_all(today=date(2026, 2, 1))
    assert outcome.members == 4 and outcome.changed == 1
    assert reload(gp).status == Member.Status.GRACE and reload(nurse).status == Member.Status.CURRENT
    move = MemberTransition.objects.filter(member=gp).latest("at")
    assert (move.source, move.target) == (Member.Status.CURRENT, Member.Status.GRACE)
    assert status.recompute_all(today=date(2026, 2, 1)).changed == 0  # idempotent
    status.recompute_all(today=date(2026, 6, 1))
    assert reload(gp).status == Member.Status.EXPIRED
    # The directory's « adhérent » follows: an expired member is no longer marked.
    assert not DirectoryEntry.objects.get(cpts=cpts, professional=association["gp"]).is_member
    assert AuditEntry.objects.filter(action="association.statuses_recomputed").count() == 2


def test_the_directory_marks_a_voting_member(association):
    entry = DirectoryEntry.objects.get(cpts=association["cpts"], professional=association["gp"])
    assert entry.is_member
    actions.cancel(association["members"]["gp"], actor=association["coordinator"], reason="Démission")
    assert not reload(entry).is_member


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"college": None}, "Choisissez le collège"),
        ({"kind": "legal", "legal_kind": "commune", "name": "Commune de Vanves", "representative_name": ""},
         "indiquez son représentant"),
        ({"kind": "legal", "legal_kind": "", "name": "X", "representative_name": "Y"}, "type de personne morale"),
        ({"last_name": " "}, "Indiquez le nom"),
        ({"email": "", "phone": ""}, "moyen de joindre"),
        ({"kind": "legal", "legal_kind": "association", "name": "Asso", "representative_name": "Y", "siren": "123"},
         "SIREN"),
    ],
)  # fmt: skip
def test_bad_members_are_refused_in_french_and_nothing_is_saved(association, data, message):
    before = Member.objects.count()
    college = association["colleges"]["usagers"]
    with pytest.raises(AssociationError, match=message):
        member(association["cpts"], data.pop("college", college), **data)
    assert Member.objects.count() == before


def test_a_college_of_another_cpts_is_refused(association):
    other = CptsFactory()
    from maillage.association import statutes as statutes_of

    statutes_of.of(other)
    with pytest.raises(AssociationError, match="collège"):
        member(association["cpts"], other.colleges.first())


def test_a_professional_is_a_member_once(association):
    with pytest.raises(AssociationError, match="déjà adhérent"):
        member(association["cpts"], association["colleges"]["liberaux"], professional=association["gp"])


def test_applying_waits_for_the_coordination_which_is_told_without_details(
    association, django_capture_on_commit_callbacks
):
    cpts = association["cpts"]
    with django_capture_on_commit_callbacks(execute=True):
        applied = actions.apply(
            cpts, {"college": association["colleges"]["usagers"], "kind": "person", "last_name": "Blanc",
                   "first_name": "Paul", "email": "paul.blanc@exemple.fr"}, note="Je souhaite adhérer.",
        )  # fmt: skip
    assert applied.status == Member.Status.PENDING and applied.applied_online and applied.validated_on is None
    run_pending()
    assert [m.to for m in mail.outbox] == [[association["coordinator"].email]]
    assert "Blanc" not in mail.outbox[0].body and f"/adherents/{applied.pk}/" in mail.outbox[0].body
    actions.validate(applied, actor=association["coordinator"])
    assert reload(applied).status == Member.Status.CURRENT
    with pytest.raises(AssociationError, match="n'attend pas"):
        actions.validate(applied, actor=association["coordinator"])


def test_cancel_needs_a_reason_and_happens_once(association):
    gp = association["members"]["gp"]
    with pytest.raises(AssociationError, match="motif"):
        actions.cancel(gp, actor=None, reason=" ")
    actions.cancel(gp, actor=None, reason="Départ du territoire")
    assert reload(gp).status == Member.Status.CANCELLED and not reload(gp).votes
    with pytest.raises(AssociationError, match="déjà radié"):
        actions.cancel(gp, actor=None, reason="encore")


def test_member_of_finds_the_account_by_link_professional_or_address(association):
    cpts = association["cpts"]
    assert access.member_of(association["gp_user"], cpts) == association["members"]["gp"]
    assert access.member_of(association["mayor"], cpts) == association["members"]["malakoff"]
    assert access.member_of(RoleFactory(cpts=cpts).user, cpts) is None
    outsider = RoleFactory(cpts=CptsFactory()).user
    assert access.member_of(outsider, cpts) is None


def test_a_stale_edit_is_refused(association):
    from maillage.core.versioning import StaleEdit

    gp = association["members"]["gp"]
    data = {"college": gp.college, "kind": "person", "last_name": "Leroy", "first_name": "Anne",
            "professional": association["gp"], "email": "a@exemple.fr"}  # fmt: skip
    actions.update_member(gp, data, actor=None, version=gp.version)
    with pytest.raises(StaleEdit):
        actions.update_member(gp, {**data, "email": "b@exemple.fr"}, actor=None, version=gp.version - 1 + 0)
    assert reload(gp).email == "a@exemple.fr"


def test_statutes_refuse_weights_that_do_not_add_up(association):
    from maillage.association.actions.statutes import update_statutes

    statutes = association["statutes"]
    association["colleges"]["usagers"].__class__.objects.filter(code="usagers").update(vote_weight=50)
    with pytest.raises(AssociationError, match="100 %"):
        update_statutes(statutes, {"weighted_votes": True}, actor=None, version=statutes.version)
    update_statutes(statutes, {"grace_days": 30}, actor=None, version=statutes.version)
    assert reload(statutes).grace_days == 30


def test_pages_of_the_coordination(association):
    client, cpts = association["coordinator_client"], association["cpts"]
    home = client.get(f"/c/{cpts.slug}/association/").content.decode()
    assert "À jour" in home and "Collectivités" in home
    listing = client.get(f"/c/{cpts.slug}/association/adherents/?status=current").content.decode()
    assert "Commune de Malakoff" in listing and "4 adhérents" in listing
    gp = association["members"]["gp"]
    detail = client.get(f"/c/{cpts.slug}/association/adherents/{gp.pk}/").content.decode()
    assert "Anne Leroy" in detail and "création → à jour" in detail
    response = client.post(f"/c/{cpts.slug}/association/adherents/nouveau/", {
        "kind": "legal", "college": association["colleges"]["collectivites"].pk, "name": "Commune de Vanves",
        "legal_kind": "commune", "representative_name": "", "email": "mairie@exemple.fr", "version": 0,
    })  # fmt: skip
    assert response.status_code == 400 and "représentant" in response.content.decode()
    response = client.post(f"/c/{cpts.slug}/association/adherents/nouveau/", {
        "kind": "legal", "college": association["colleges"]["collectivites"].pk, "name": "Commune de Vanves",
        "legal_kind": "commune", "representative_name": "Le maire", "email": "mairie@exemple.fr", "version": 0,
    })  # fmt: skip
    assert response.status_code == 302
    assert Member.objects.filter(name="Commune de Vanves", status=Member.Status.CURRENT).exists()


def test_the_public_request_to_join(association, anonymous, settings):
    from maillage.www.association.forms import ApplicationForm

    settings.DOCTOR_ACCESS_MIN_FILL_SECONDS = 0
    cpts = association["cpts"]
    page = anonymous.get(f"/cpts/{cpts.slug}/adherer/").content.decode()
    assert "Adhérer à l'association" in page.replace("&#x27;", "'")
    data = {"kind": "person", "college": association["colleges"]["usagers"].pk, "last_name": "Blanc",
            "email": "paul@exemple.fr", "consent": "on", "version": 0, "shown": ApplicationForm.stamp()}  # fmt: skip
    response = anonymous.post(f"/cpts/{cpts.slug}/adherer/", data)
    assert response.status_code == 302
    assert Member.objects.get(last_name="Blanc").status == Member.Status.PENDING
    assert anonymous.post(f"/cpts/{cpts.slug}/adherer/", {**data, "website": "x"}).status_code == 400


def test_the_members_space_shows_the_member(association, login):
    cpts = association["cpts"]
    page = login(association["mayor"]).get(f"/c/{cpts.slug}/adherent/").content.decode()
    assert "Commune de Malakoff" in page and "À jour" in page.replace("à jour", "À jour")
    stranger = login(RoleFactory(cpts=cpts).user, with_mfa=True).get(f"/c/{cpts.slug}/adherent/").content.decode()
    assert "aucun adhérent" in stranger


def test_today_default(association):
    assert status.compute(association["members"]["gp"]) == Member.Status.CURRENT
    assert association["today"] - timedelta(days=400) == association["past"]


def test_marks_typed_before_the_association_become_members(idf):
    """The data migration: a directory entry marked « adhérent » becomes a current member."""
    from importlib import import_module

    from django.apps import apps

    from tests.factories import ProfessionalFactory

    professional = ProfessionalFactory(last_name="Ancien", first_name="Marc")
    DirectoryEntry.objects.create(cpts=idf["cmv"], professional=professional, is_member=True)
    migration = import_module("maillage.association.migrations.0002_members_from_directory")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: nothing more
    made = Member.objects.get(professional=professional)
    assert (made.status, made.college.code, made.last_name) == (Member.Status.CURRENT, "liberaux", "Ancien")
    assert made.transitions.count() == 1


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 2, 15), date(2026, 3, 31), date(2026, 4, 1)])
def test_the_job_and_a_single_refresh_apply_the_same_rules(association, day):
    """The job's SQL CASE and `compute` (one member) say the same for every kind of situation."""
    cpts, colleges = association["cpts"], association["colleges"]
    FeeRate.objects.create(cpts=cpts, college=colleges["liberaux"], year=2026, amount_cents=3000)
    FeeRate.objects.create(cpts=cpts, college=colleges["usagers"], year=2026, amount_cents=0)
    situations = [
        {"paid_until": None}, {"paid_until": date(2026, 12, 31)}, {"paid_until": date(2025, 12, 31)},
        {"paid_until": date(2024, 12, 31)}, {"paid_until": date(2025, 12, 31), "validated_on": None},
        {"paid_until": date(2026, 12, 31), "cancelled_on": date(2025, 6, 1)},
    ]  # fmt: skip
    made = []
    for n, situation in enumerate(situations):
        for college in ("liberaux", "usagers", "sanitaire"):
            one = member(cpts, colleges[college], last_name=f"Cas {n}", email=f"cas{n}{college}@exemple.fr")
            Member.objects.filter(pk=one.pk).update(**situation)
            made.append(one.pk)
    expected = {pk: status.compute(Member.objects.get(pk=pk), day) for pk in made}
    status.recompute_all(today=day)
    assert dict(Member.objects.filter(pk__in=made).values_list("pk", "status")) == expected
    assert len(set(expected.values())) >= 4  # the grid reaches most statuses


def test_the_coordinators_to_do_list_names_the_associations_work(association):
    """Issue 16: applications to validate, members in grace and mandates ending soon are lines of
    the coordinator's dashboard, with their links."""
    from maillage.association.actions.board import MandateDraft, create_mandate
    from maillage.www.dashboard import todo

    cpts, today = association["cpts"], association["today"]
    texts = {line.text: line.url for line in todo.coordinator(cpts)}
    assert not any("adhésion" in text or "grâce" in text or "mandat" in text for text in texts)
    actions.apply(cpts, {"college": association["colleges"]["usagers"], "kind": "person", "last_name": "Blanc",
                         "email": "b@exemple.fr"})  # fmt: skip
    Member.objects.filter(pk=association["members"]["nurse"].pk).update(status=Member.Status.GRACE)
    create_mandate(cpts, MandateDraft(association["members"]["gp"], "bureau", "president",
                                      today - timedelta(days=700), today + timedelta(days=30)), None)  # fmt: skip
    texts = {line.text: line.url for line in todo.coordinator(cpts)}
    assert texts["1 demande d'adhésion à valider"] == "/c/cmv/association/adherents/?status=pending"
    assert (
        texts["1 adhérent en période de grâce : cotisation à relancer"] == "/c/cmv/association/adherents/?status=grace"
    )
    assert texts["1 mandat du conseil arrive à échéance dans les 90 jours"] == "/c/cmv/association/conseil/"
