"""The prevention pages: a campaign created and edited through its forms, an action refused
outside the period, results recorded, the registry's figures and the CPAM's rates on the campaign's
page, the report (DOCX), the public agenda and its iCal feed, another CPTS's campaign (404)."""

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from docx import Document
from icalendar import Calendar

from maillage.indicators import registry
from maillage.indicators.activity import for_year
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period
from maillage.prevention import actions
from maillage.prevention.models import Campaign, Event
from maillage.www.dashboard import todo
from tests.factories import RoleFactory


def _results(prevention, people=120, **more):
    results = actions.Results(
        people_reached=people, tests_distributed=40, vaccinations=0,
        participants=[(prevention["nurse"], Decimal("3.5"))], **more,
    )  # fmt: skip
    return actions.record_results(prevention["held"], results, None)


def test_a_coordinator_creates_a_campaign_through_the_form(prevention, coordinator_of):
    today = prevention["today"]
    response = coordinator_of.post(
        "/c/cmv/prevention/nouvelle/",
        {"theme": "tobacco", "title": "Mois sans tabac", "objective": "Accompagner l'arrêt.",
         "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
         "fiche": prevention["fiche"].pk, "partners": [prevention["partner"].pk], "budget": "2 500,50",
         "version": "0"},
    )  # fmt: skip
    campaign = Campaign.objects.get(title="Mois sans tabac")
    assert response.status_code == 302 and response["Location"] == f"/c/cmv/prevention/{campaign.pk}/"
    assert campaign.budget == Decimal("2500.50") and list(campaign.partners.all()) == [prevention["partner"]]
    page = coordinator_of.get(response["Location"]).content.decode()
    assert "Mois sans tabac" in page and "Mairie de Malakoff" in page and "96\u202f679 habitants" in page


def test_a_stale_edit_is_told_who_changed_the_campaign(prevention, coordinator_of):
    campaign = prevention["campaign"]
    data = {"theme": "breast", "title": "Nouveau titre", "objective": "x",
            "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(), "version": "0"}  # fmt: skip
    assert coordinator_of.post(f"/c/cmv/prevention/{campaign.pk}/modifier/", data).status_code == 302
    response = coordinator_of.post(f"/c/cmv/prevention/{campaign.pk}/modifier/", {**data, "title": "Autre"})
    assert response.status_code == 409
    assert "modifié cette fiche" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).title == "Nouveau titre"


def test_an_action_outside_the_period_is_refused_in_french(prevention, coordinator_of):
    campaign = prevention["campaign"]
    day = (campaign.ends_on + timedelta(days=2)).isoformat()
    response = coordinator_of.post(
        f"/c/cmv/prevention/{campaign.pk}/actions/", {"kind": "stand", "day": day, "place": "Marché", "public": "on"}
    )
    assert response.status_code == 400
    assert "en dehors de la période de la campagne" in response.content.decode()
    assert Event.objects.count() == 2


def test_negative_counts_in_the_results_form_are_a_french_400(prevention, coordinator_of):
    held = prevention["held"]
    response = coordinator_of.post(
        f"/c/cmv/prevention/actions/{held.pk}/resultats/",
        {"people_reached": "-3", "tests_distributed": "0", "vaccinations": "0", "version": "0",
         "professional_1": str(prevention["nurse"].pk), "hours_1": "1e99"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "supérieure ou égale à 0" in page and "pas un nombre" in page
    assert Event.objects.get(pk=held.pk).results_at is None


def test_results_feed_the_registry_the_campaign_page_and_the_aci_lines(prevention, coordinator_of):
    held = prevention["held"]
    response = coordinator_of.post(
        f"/c/cmv/prevention/actions/{held.pk}/resultats/",
        {"people_reached": "120", "tests_distributed": "40", "vaccinations": "0", "material": "Dépliants",
         "version": "0", "professional_1": str(prevention["nurse"].pk), "hours_1": "3,5"},
    )  # fmt: skip
    assert response.status_code == 302
    period = Period.year(held.day.year)
    values = registry.compute(prevention["cmv"], period, [c for c in registry.REGISTRY if c.startswith("prevention.")])
    assert values == {
        "prevention.campaigns": 1,
        "prevention.events_held": 1,
        "prevention.people_reached": 120,
        "prevention.tests_distributed": 40,
        "prevention.vaccinations": 0,
        "prevention.professional_hours": 3.5,
    }
    IndicatorValue.objects.create(
        cpts=prevention["cmv"], code="cpam.depistage_sein", period=period.code, period_start=period.start,
        period_end=period.end, value=61.5, source="CPAM des Hauts-de-Seine", source_date=timezone.localdate(),
    )  # fmt: skip
    page = coordinator_of.get(f"/c/cmv/prevention/{prevention['campaign'].pk}/").content.decode()
    assert "Taux de dépistage organisé du cancer du sein" in page and "61,5" in page
    assert "120" in page and "3,5" in page
    missions = dict(for_year(prevention["cmv"], held.day.year))
    lines = {line.label: line.value for line in missions["prévention"]}
    assert lines["Personnes touchées"] == 120 and lines["Campagnes de prévention menées"] == 1


def test_regional_viewers_see_small_counts_hidden(prevention):
    _results(prevention, people=3)
    indicator = registry.get("prevention.people_reached")
    assert registry.for_region(indicator, {indicator.code: 3}) == "< 5"


def test_the_report_opens_with_its_figures_and_chart(prevention, coordinator_of):
    _results(prevention)
    response = coordinator_of.get(f"/c/cmv/prevention/{prevention['campaign'].pk}/rapport.docx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Octobre rose à Malakoff" in text and "Dépistages" in text
    assert "Personnes touchées" in cells and "120" in cells and "3,5" in cells
    assert any("█" in cell and cell.endswith(" 120") for cell in cells)  # the chart's bar
    assert "Martin" not in text + "".join(cells)  # professionals counted, not named


def test_the_public_page_and_the_ical_feed_carry_the_actions_to_come(prevention, anonymous):
    page = anonymous.get("/cpts/cmv/").content.decode()
    assert "Salle des fêtes de Vanves" in page and "Marché de Malakoff" not in page
    later = actions.plan_event(
        prevention["campaign"],
        actions.EventDraft(kind="workshop", day=prevention["today"] + timedelta(days=6), place="Maison des sports"),
        None,
    )
    assert "Maison des sports" in anonymous.get("/cpts/cmv/").content.decode()  # the published page follows
    feed = anonymous.get("/cpts/cmv/prevention.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in events}
    assert summaries[f"prevention-event-{later.pk}@maillage"] == "Octobre rose à Malakoff — atelier"
    assert len(events) == 3 and "Martin" not in feed.content.decode()


def test_another_cpts_campaign_is_not_found(idf, prevention, login):
    other = login(RoleFactory(coordinator=True, cpts=idf["paris13"]).user, with_mfa=True)
    pk = prevention["campaign"].pk
    assert other.get(f"/c/paris-13/prevention/{pk}/").status_code == 404
    assert other.get(f"/c/paris-13/prevention/{pk}/rapport.docx").status_code == 404
    assert other.get(f"/c/paris-13/prevention/actions/{prevention['held'].pk}/resultats/").status_code == 404
    assert other.get(f"/c/cmv/prevention/{pk}/").status_code == 404


def test_the_coordinator_is_told_of_an_action_passed_without_results(prevention):
    lines = [line.text for line in todo.coordinator(prevention["cmv"])]
    assert "1 action de prévention passée sans résultats saisis" in lines
    _results(prevention)
    assert not [line for line in todo.coordinator(prevention["cmv"]) if "prévention" in line.text]


def test_results_saved_meanwhile_are_not_overwritten_unknowingly(prevention, coordinator_of):
    held = prevention["held"]
    url = f"/c/cmv/prevention/actions/{held.pk}/resultats/"
    data = {"people_reached": "40", "tests_distributed": "0", "vaccinations": "0", "version": "0"}
    assert coordinator_of.post(url, data).status_code == 302
    response = coordinator_of.post(url, {**data, "people_reached": "55"})
    assert response.status_code == 409 and "Personnes touchées → 40" in response.content.decode()
    assert Event.objects.get(pk=held.pk).people_reached == 40
