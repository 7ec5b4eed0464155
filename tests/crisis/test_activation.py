"""Issue 17 — declaring a crisis (the CPTS or the ARS), alerting members in bulk, recognising and
closing it; the funding's flag follows; the RETEX; the home follow-up list."""

import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.association import statutes
from maillage.association.models import College, Member
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.crisis import activation, retex
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import Crisis, CrisisAlert, CrisisTransition
from maillage.crisis.queries import recognised_in
from tests.conftest import _login
from tests.crisis.conftest import full_plan
from tests.factories import RoleFactory

TODAY = date(2026, 1, 20)


def members(cpts, n, *, profession="60"):
    statutes.of(cpts)
    college = College.objects.filter(cpts=cpts).first()
    Member.objects.bulk_create(
        Member(
            cpts=cpts,
            college=college,
            kind="person",
            last_name=f"Nom{i}",
            first_name="Prénom",
            email=f"adherent{profession}-{i}@exemple.fr",
            profession_code=profession,
            status=Member.Status.CURRENT,
        )
        for i in range(n)
    )


def declaration(**changes):
    values = {"kind": "epidemic", "title": "Grippe saisonnière", "starts_on": date(2026, 1, 5), "alert": False}
    return activation.Declaration(**{**values, **changes})


def test_a_crisis_declared_twice_for_the_same_territory_and_period_is_refused_whole(idf):
    activation.declare([idf["cmv"]], declaration(), None, by_ars=False, today=TODAY)
    with pytest.raises(CrisisError) as caught:
        activation.declare(
            [idf["paris13"], idf["cmv"]], declaration(starts_on=date(2026, 1, 10)), None, by_ars=True, today=TODAY
        )
    assert caught.value.messages == [
        "CPTS Châtillon-Malakoff-Vanves : une crise est déjà déclarée sur cette période (« Grippe saisonnière », "
        "du 05/01/2026 en cours). Une crise ne se déclare qu'une fois par territoire et période."
    ]
    assert Crisis.objects.count() == 1 and not Crisis.objects.filter(cpts=idf["paris13"]).exists()
    # An earlier crisis, over before this one began, is another period.
    activation.declare(
        [idf["cmv"]],
        declaration(starts_on=date(2025, 7, 1), ends_on=date(2025, 7, 20)),
        None,
        by_ars=False,
        today=TODAY,
    )
    with pytest.raises(CrisisError, match="La fin de la crise ne peut pas précéder son début"):
        activation.declare([idf["paris13"]], declaration(ends_on=date(2026, 1, 1)), None, by_ars=True, today=TODAY)


def test_the_ars_declares_for_several_cpts_recognised_at_once_and_funding_follows(idf):
    created = activation.declare([idf["cmv"], idf["paris13"]], declaration(), None, by_ars=True, today=TODAY)
    assert {c.cpts for c in created} == {idf["cmv"], idf["paris13"]}
    assert all(c.recognised_on == TODAY and c.declared_by == "ars" for c in created)
    assert list(recognised_in(idf["cmv"], 2026)) == [created[0] if created[0].cpts == idf["cmv"] else created[1]]
    assert not recognised_in(idf["cmv"], 2025).exists()
    assert CrisisTransition.objects.count() == 2 and AuditEntry.objects.filter(action="crisis.declared").count() == 2


def test_a_cpts_crisis_is_recognised_later_then_closed(idf):
    (crisis,) = activation.declare([idf["cmv"]], declaration(), None, by_ars=False, today=TODAY)
    assert crisis.recognised_on is None and not recognised_in(idf["cmv"], 2026).exists()
    activation.recognise(crisis, None, today=TODAY)
    assert recognised_in(idf["cmv"], 2026).get() == crisis
    with pytest.raises(CrisisError, match="déjà reconnue"):
        activation.recognise(crisis, None, today=TODAY)
    with pytest.raises(CrisisError, match="dans le futur"):
        activation.close(crisis, TODAY + timedelta(days=1), None, today=TODAY)
    activation.close(crisis, date(2026, 1, 18), None, today=TODAY)
    crisis.refresh_from_db()
    assert crisis.status == "closed" and crisis.ends_on == date(2026, 1, 18)
    assert list(crisis.transitions.values_list("target", "note")) == [
        ("active", "déclarée par la CPTS"),
        ("active", "reconnue par l'ARS"),
        ("closed", "fin le 18/01/2026"),
    ]


def test_alerting_enqueues_one_task_per_batch_and_the_email_has_no_clinical_content(idf, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    members(idf["cmv"], 120)
    members(idf["cmv"], 5, profession="21")
    before = DBTaskResult.objects.count()
    (crisis,) = activation.declare([idf["cmv"]], declaration(alert=True), None, by_ars=False, today=TODAY)
    alert = CrisisAlert.objects.get()
    assert alert.recipients == 125
    assert DBTaskResult.objects.count() - before == 3  # 50 + 50 + 25
    assert "Consignes : http" in alert.sms and len(alert.sms) <= 320
    run_pending()
    assert len(mail.outbox) == 125
    message = mail.outbox[0]
    assert message.subject == "[Maillage] Crise sanitaire : Grippe saisonnière"
    assert "/c/cmv/crise/" in message.body and "aucune donnée de patient" in message.body
    for clinical in ("patient :", "diagnostic", "NIR", "né le", "ALD"):
        assert clinical not in message.body
    pharmacists = activation.alert_members(crisis, "profession", None, profession_code="21")
    assert pharmacists.recipients == 5


def test_five_thousand_members_are_enqueued_in_under_two_seconds(idf):
    members(idf["cmv"], 5000)
    (crisis,) = activation.declare([idf["cmv"]], declaration(), None, by_ars=False, today=TODAY)
    started = time.perf_counter()
    alert = activation.alert_members(crisis, "all", None)
    assert time.perf_counter() - started < 2
    assert alert.recipients == 5000 and DBTaskResult.objects.filter(task_path__endswith="deliver_alert").count() == 100


def test_the_volunteers_of_the_plan_are_alerted_alone(idf, nurse):
    from maillage.directory.models import ProfessionalAccount

    full_plan(idf["cmv"], nurse)
    members(idf["cmv"], 10)
    account = RoleFactory(cpts=idf["cmv"]).user
    ProfessionalAccount.objects.create(user=account, professional=nurse)
    (crisis,) = activation.declare(
        [idf["cmv"]], declaration(alert=True, audience="volunteers"), None, by_ars=False, today=TODAY
    )
    assert crisis.alerts.get().recipients == 1


def test_the_ars_declares_on_the_page_for_cpts_of_its_region_only(idf, ars):
    other = RoleFactory(regional=True, region__code="76", region__name="Occitanie").user
    client = _login(ars)
    page = client.get("/c/cmv/crise/declarer/")
    assert page.status_code == 200 and "CPTS Paris 13" in page.content.decode()
    assert _login(other).get("/c/cmv/crise/declarer/").status_code == 404
    assert _login(other).post("/c/cmv/crise/declarer/", {"cpts": [idf["cmv"].pk]}).status_code == 404
    response = client.post(
        "/c/cmv/crise/declarer/",
        {
            "cpts": [idf["cmv"].pk, idf["paris13"].pk],
            "kind": "heatwave",
            "title": "Canicule",
            "starts_on": timezone.localdate().isoformat(),
            "audience": "all",
        },
    )
    assert response.status_code == 302
    assert set(Crisis.objects.values_list("cpts__slug", "declared_by")) == {("cmv", "ars"), ("paris-13", "ars")}
    again = client.post(
        "/c/cmv/crise/declarer/",
        {
            "cpts": [idf["paris13"].pk],
            "kind": "heatwave",
            "title": "Canicule",
            "starts_on": timezone.localdate().isoformat(),
            "audience": "all",
        },
    )
    assert again.status_code == 400 and "une fois par territoire et période" in again.content.decode()


def test_the_coordinator_declares_for_its_own_cpts_only(idf, coordinator_client):
    page = coordinator_client.get("/c/cmv/crise/declarer/").content.decode()
    assert "CPTS Paris 13" not in page
    response = coordinator_client.post(
        "/c/cmv/crise/declarer/",
        {
            "cpts": [idf["paris13"].pk],
            "kind": "heatwave",
            "title": "Canicule",
            "starts_on": timezone.localdate().isoformat(),
            "audience": "all",
        },
    )
    assert response.status_code == 400 and not Crisis.objects.exists()


def test_the_retex_follows_the_crisis(idf):
    (crisis,) = activation.declare([idf["cmv"]], declaration(), None, by_ars=False, today=TODAY)
    with pytest.raises(CrisisError, match="clôturez-la d'abord"):
        retex.save_retex(crisis, held_on=TODAY, worked="Tout.", did_not_work="", actor=None, today=TODAY)
    activation.close(crisis, date(2026, 1, 15), None, today=TODAY)
    crisis.refresh_from_db()
    with pytest.raises(CrisisError, match="suit la fin de la crise"):
        retex.save_retex(crisis, held_on=date(2026, 1, 10), worked="Tout.", did_not_work="", actor=None, today=TODAY)
    review = retex.save_retex(
        crisis, held_on=TODAY, worked="La cellule.", did_not_work="Les stocks.", actor=None, today=TODAY
    )
    action = retex.add_action(crisis, action="Constituer un stock", owner="Coordination", due_on=None, actor=None)
    retex.mark_done(crisis, action.pk, None, done_on=TODAY)
    with pytest.raises(CrisisError, match="déjà réalisée"):
        retex.mark_done(crisis, action.pk, None)
    assert review.actions.get().done_on == TODAY


def test_the_home_follow_up_lists_the_crisis_template_pathways_through_the_pathways_rules(idf, coordinator):
    from maillage.crisis.follow_up import template_for

    template = template_for(idf["cmv"])
    assert template.name == "Suivi à domicile en période de crise" and template.steps.count() == 5
    (crisis,) = activation.declare([idf["cmv"]], declaration(starts_on=timezone.localdate()), None, by_ars=False)
    client = _login(coordinator)
    page = client.get(f"/c/cmv/crise/{crisis.pk}/suivi-a-domicile/")
    assert page.status_code == 200
    assert f"/c/cmv/parcours-patients/nouveau/?modele={template.pk}" in page.content.decode()
    entry = AuditEntry.objects.get(action="crisis.follow_up.viewed")
    assert entry.health_data
    enrol = client.get(f"/c/cmv/parcours-patients/nouveau/?modele={template.pk}").content.decode()
    assert f'<option value="{template.pk}" selected>' in enrol
