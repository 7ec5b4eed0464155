"""The prevention mission's writes: campaigns (territory population by default, a narrowed target
with its source, the fiche-action and partners checked, version check), actions within the
campaign's period, results counted (never negative, professionals of the territory only)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.directory.models import Partner
from maillage.prevention import actions
from maillage.prevention.actions import PreventionError
from maillage.prevention.models import Campaign, Event, Participation
from maillage.projet.models import FicheAction, ProjetSante
from tests.prevention.conftest import campaign_draft


def test_a_campaign_targets_the_territory_unless_narrowed(prevention):
    campaign = prevention["campaign"]
    assert campaign.target_population() == 37_500 + 30_557 + 28_622
    narrowed = actions.create_campaign(
        prevention["cmv"],
        campaign_draft(target="Femmes de 50 à 74 ans", target_size=14_200, target_note="Insee 2021"),
        None,
    )
    assert narrowed.target_population() == 14_200
    assert AuditEntry.objects.filter(action="prevention.campaign.created").count() == 2


def test_a_narrowed_target_says_where_its_size_comes_from(prevention):
    with pytest.raises(PreventionError, match="d'où vient la taille"):
        actions.create_campaign(prevention["cmv"], campaign_draft(target="Femmes", target_size=100), None)


@pytest.mark.parametrize("mission", ["crisis", None])
def test_the_fiche_action_is_a_prevention_one_of_the_cpts(idf, prevention, mission):
    projet = prevention["fiche"].projet if mission else ProjetSante.objects.create(cpts=idf["paris13"])
    fiche = FicheAction.objects.create(projet=projet, mission=mission or "prevention", title="Autre", objective="x")
    with pytest.raises(PreventionError, match="fiche-action"):
        actions.create_campaign(prevention["cmv"], campaign_draft(fiche=fiche), None)
    assert Campaign.objects.count() == 1


def test_a_partner_of_another_cpts_is_refused(idf, prevention):
    other = Partner.objects.create(cpts=idf["paris13"], name="CCAS Paris 13")
    with pytest.raises(PreventionError, match="partenaires"):
        actions.create_campaign(prevention["cmv"], campaign_draft(partners=[other]), None)


def test_dates_and_amounts_out_of_bounds_are_refused(prevention):
    today = prevention["today"]
    with pytest.raises(PreventionError, match="avant son début"):
        actions.create_campaign(prevention["cmv"], campaign_draft(ends_on=today - timedelta(days=30)), None)
    with pytest.raises(PreventionError, match="budget"):
        actions.create_campaign(prevention["cmv"], campaign_draft(budget=Decimal("-1")), None)


def test_an_action_outside_its_campaign_period_is_refused_and_nothing_saved(prevention):
    campaign = prevention["campaign"]
    late = actions.EventDraft(kind="stand", day=campaign.ends_on + timedelta(days=1), place="Marché")
    with pytest.raises(PreventionError, match="en dehors de la période de la campagne"):
        actions.plan_event(campaign, late, None)
    assert Event.objects.count() == 2


def test_a_campaign_period_cannot_leave_its_actions_outside(prevention):
    campaign = prevention["campaign"]
    shorter = campaign_draft(starts_on=campaign.starts_on, ends_on=prevention["today"])
    with pytest.raises(PreventionError, match="1 action de la campagne est en dehors"):
        actions.edit_campaign(campaign, shorter, None, expected_version=campaign.version)
    campaign.refresh_from_db()
    assert campaign.ends_on > prevention["today"] and campaign.version == 0


def test_an_edit_from_a_stale_version_is_refused(prevention):
    campaign = prevention["campaign"]
    actions.edit_campaign(campaign, campaign_draft(title="Octobre rose 2026"), None, expected_version=0)
    with pytest.raises(StaleEdit):
        actions.edit_campaign(campaign, campaign_draft(title="Autre titre"), None, expected_version=0)
    campaign.refresh_from_db()
    assert campaign.title == "Octobre rose 2026"


def test_results_count_professionals_of_the_territory_and_their_hours(prevention):
    held = prevention["held"]
    results = actions.Results(
        people_reached=120,
        tests_distributed=40,
        material="200 dépliants",
        participants=[(prevention["nurse"], Decimal("3.5")), (prevention["gp"], Decimal("2"))],
    )
    actions.record_results(held, results, None, expected_version=0)
    held.refresh_from_db()
    assert held.people_reached == 120 and held.results_at is not None
    assert sorted(Participation.objects.values_list("hours", flat=True)) == [Decimal("2"), Decimal("3.5")]
    entry = AuditEntry.objects.get(action="prevention.event.results_recorded")
    assert entry.details["personnes"] == 120


@pytest.mark.parametrize(
    ("change", "told"),
    [
        ({"people_reached": -1}, "entre 0 et"),
        ({"vaccinations": 2_000_000}, "entre 0 et"),
        ({"participants": "outsider"}, "n'exerce pas sur le territoire"),
        ({"participants": "twice"}, "deux fois"),
        ({"participants": "too_long"}, "entre 0 et 24 heures"),
    ],
)
def test_bad_results_are_refused_and_nothing_saved(prevention, change, told):
    participants = {
        "outsider": [(prevention["outsider"], Decimal(1))],
        "twice": [(prevention["nurse"], Decimal(1)), (prevention["nurse"], Decimal(2))],
        "too_long": [(prevention["nurse"], Decimal(25))],
    }
    values = {"people_reached": 10, **change}
    if "participants" in change:
        values["participants"] = participants[change["participants"]]
    with pytest.raises(PreventionError, match=told):
        actions.record_results(prevention["held"], actions.Results(**values), None)
    held = Event.objects.get(pk=prevention["held"].pk)
    assert held.results_at is None and held.version == 0 and not Participation.objects.exists()


def test_results_of_an_action_to_come_wait_for_its_day(prevention):
    with pytest.raises(PreventionError, match="le jour de l'action ou après"):
        actions.record_results(prevention["coming"], actions.Results(people_reached=3), None)


def test_the_demo_gives_two_campaigns_with_actions_and_results(idf, prevention):
    from maillage.prevention import demo

    Campaign.objects.all().delete()
    lines = []
    demo.load([idf["cmv"]], log=lines.append)
    demo.load([idf["cmv"]], log=lines.append)  # a second run adds nothing
    campaigns = list(Campaign.objects.filter(cpts=idf["cmv"]))
    assert len(campaigns) == 2 and len(lines) == 1 and "2 campagnes, 7 actions" in lines[0]
    held = Event.objects.filter(results_at__isnull=False)
    assert held.count() == 5 and Participation.objects.filter(event__in=held).count() == 8
    assert Event.objects.filter(day__gt=prevention["today"], public=True).count() == 2
