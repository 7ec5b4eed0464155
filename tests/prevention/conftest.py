"""cmv's prevention mission: a prevention fiche-action of its projet, a partner, two professionals
working on the territory, and a campaign with an action held and one to come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import Partner
from maillage.prevention import actions
from maillage.projet.models import FicheAction, ProjetSante
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory


def campaign_draft(**overrides) -> actions.CampaignDraft:
    today = timezone.localdate()
    values = {
        "theme": "breast",
        "title": "Octobre rose à Malakoff",
        "objective": "Faire connaître le dépistage organisé du cancer du sein.",
        "starts_on": today - timedelta(days=20),
        "ends_on": today + timedelta(days=20),
    }
    return actions.CampaignDraft(**{**values, **overrides})


@pytest.fixture
def prevention(idf):
    cmv = idf["cmv"]
    malakoff = idf["communes"]["92046"]
    projet = ProjetSante.objects.create(cpts=cmv)
    fiche = FicheAction.objects.create(projet=projet, mission="prevention", title="Dépistages", objective="Plus.")
    partner = Partner.objects.create(cpts=cmv, kind=Partner.Kind.MUNICIPALITY, name="Mairie de Malakoff")
    nurse = ProfessionalFactory(last_name="Martin", first_name="Claire", profession_label="Infirmier")
    ActivityFactory(professional=nurse, commune=malakoff)
    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne", profession_label="Médecin")
    ActivityFactory(professional=gp, commune=malakoff)
    outsider = ProfessionalFactory(last_name="Loin", first_name="Paul")
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    campaign = actions.create_campaign(cmv, campaign_draft(fiche=fiche, partners=[partner], budget=None), coordinator)
    today = timezone.localdate()
    held = actions.plan_event(
        campaign, actions.EventDraft(kind="stand", day=today - timedelta(days=3), place="Marché de Malakoff"), None
    )
    coming = actions.plan_event(
        campaign,
        actions.EventDraft(kind="conference", day=today + timedelta(days=5), place="Salle des fêtes de Vanves"),
        None,
    )
    return {
        "cmv": cmv,
        "fiche": fiche,
        "partner": partner,
        "nurse": nurse,
        "gp": gp,
        "outsider": outsider,
        "coordinator": coordinator,
        "campaign": campaign,
        "held": held,
        "coming": coming,
        "today": today,
    }


@pytest.fixture
def coordinator_of(login, prevention):
    return login(prevention["coordinator"], with_mfa=True)
