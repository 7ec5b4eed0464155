"""Issue 17 — prévention: a coordinator creates a prevention campaign with an action and records its
results, and the registry (the CPTS's indicators page) shows them; the public page announces the
action — on a phone, 390 px wide."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.prevention.models import Campaign, Event
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


def test_a_coordinator_runs_a_campaign_and_the_registry_counts_it(browser, live_server, idf):
    nurse = ProfessionalFactory(last_name="Bernard", first_name="Claire", profession_label="Infirmier")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92046"])
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    today = timezone.localdate()

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/prevention/")
    page.page.get_by_role("link", name="Nouvelle campagne").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_label("Thème").select_option("colorectal")
    form.get_by_label("Intitulé").fill("Mars bleu à Malakoff")
    form.get_by_label("Objectif").fill("Remettre des kits de dépistage du cancer colorectal.")
    form.get_by_label("Début de la campagne").fill((today - timedelta(days=10)).isoformat())
    form.get_by_label("Fin de la campagne").fill((today + timedelta(days=10)).isoformat())
    form.get_by_label("Budget (€)").fill("1 200")
    form.get_by_role("button", name="Créer la campagne").click()
    page.page.wait_for_load_state("networkidle")
    campaign = Campaign.objects.get()
    assert page.page.url.endswith(f"/c/cmv/prevention/{campaign.pk}/")
    assert "Campagne « Mars bleu à Malakoff » créée." in page.text()

    page.page.get_by_role("link", name="Ajouter une action").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_label("Type d'action").select_option("screening")
    page.page.get_by_label("Date").fill(today.isoformat())
    page.page.get_by_label("Lieu").fill("Marché de Malakoff")
    page.page.get_by_role("button", name="Ajouter l'action").click()
    page.page.wait_for_load_state("networkidle")
    assert "ajoutée à la campagne" in page.text()
    _clean(page)

    page.page.get_by_role("link", name="Saisir les résultats").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_label("Personnes touchées").fill("85")
    page.page.get_by_label("Tests de dépistage remis").fill("30")
    page.page.locator("#id_professional_1").select_option(str(nurse.pk))
    page.page.get_by_label("Heures du professionnel 1").fill("2,5")
    _clean(page)
    page.page.get_by_role("button", name="Enregistrer les résultats").click()
    page.page.wait_for_load_state("networkidle")
    assert "Résultats de l'action" in page.text() and "enregistrés" in page.text()
    event = Event.objects.get()
    assert event.people_reached == 85 and event.participations.get().professional == nurse
    figures = page.page.get_by_test_id("figures").inner_text()
    assert "85" in figures and "30" in figures and "2,5" in figures
    _clean(page)

    page.goto("/c/cmv/indicateurs/")
    text = page.text()
    assert "Personnes touchées par les actions de prévention" in text and "Tests de dépistage remis" in text
    row = page.page.locator("tr", has_text="Personnes touchées par les actions de prévention").inner_text()
    assert "85" in row
    _clean(page)

    page.goto("/cpts/cmv/")  # the public page's agenda: today's action, no one named
    agenda = page.page.get_by_test_id("prevention-agenda").inner_text()
    assert "Mars bleu à Malakoff : dépistage sur place, Marché de Malakoff." in agenda and "Bernard" not in agenda
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
