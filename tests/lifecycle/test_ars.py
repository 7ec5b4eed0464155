"""The ARS's answer to a filed projet de santé: recorded by the ARS (one transaction, one audit
entry, the coordinators told by a link-only email), refused in French after the two months of
silence that validate it, and shown on the timeline instead of the tacit validation, never beside it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.lifecycle import actions, ars
from maillage.lifecycle.actions import LifecycleError
from maillage.lifecycle.dates import deemed_validation
from maillage.lifecycle.models import ArsDecision, Milestone
from maillage.lifecycle.timeline import dates_of, latest_decision, validation_from
from maillage.projet import actions as projet_actions
from maillage.projet.models import ProjetTransition
from tests.lifecycle.conftest import text

FICHE = {"mission": "prevention", "title": "Dépistage du cancer du sein", "objective": "Augmenter la participation."}
REASONS = "La fiche prévention ne dit pas qui pilote le dépistage."


@pytest.fixture
def filed(idf, coordinator):
    """cmv's projet, written and filed today by its coordinator."""
    cpts = idf["cmv"]
    projet_actions.save_texts(cpts, {"presentation": "Une CPTS de trois communes au sud de Paris."}, coordinator)
    projet_actions.save_fiche(cpts, FICHE, [], coordinator)
    projet_actions.move(cpts, "depose", coordinator)
    return cpts


def _answer_version(cpts) -> int:
    found = Milestone.objects.filter(cpts=cpts, kind="ars_response").first()
    return found.version if found else 0


def test_filing_dates_the_submission_and_starts_the_two_months(filed):
    today = timezone.localdate()
    waiting = ars.pending(filed)
    assert (waiting.submitted_on, waiting.deemed_on) == (today, deemed_validation(today))
    assert dates_of(filed)["project_submitted"] == today
    assert [c for c, _ in ars.awaiting([filed])] == [filed]


def test_the_coordinator_reads_on_the_projet_when_silence_validates_it(filed, coordinator_client):
    page = text(coordinator_client.get("/c/cmv/projet-de-sante/"))
    assert f"sans réponse, il sera réputé validé le {deemed_validation(timezone.localdate()):%d/%m/%Y}" in page


def test_the_ars_validates_in_one_transaction_with_one_audit_entry_and_a_link_only_email(
    filed, regional_viewer, coordinator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://cpts.example.fr"
    run_pending()
    mailoutbox.clear()
    today = timezone.localdate()
    before = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        decision = ars.record_decision(filed, "validated", today, actor=regional_viewer, expected_version=0)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.first()
    assert (entry.action, entry.actor, entry.cpts) == ("lifecycle.ars.decided", regional_viewer, filed)
    assert entry.details == {"décision": "validated", "date": today.isoformat(), "version du projet": 1}
    assert (decision.outcome, decision.projet.status, decision.submitted_on) == ("validated", "valide", today)
    assert dates_of(filed)["ars_response"] == today
    assert ProjetTransition.objects.filter(target="valide", author=regional_viewer).exists()
    assert ars.pending(filed) is None and ars.awaiting([filed]) == []
    run_pending()
    [mail] = mailoutbox
    assert mail.to == [coordinator.email]
    assert "https://cpts.example.fr/c/cmv/parcours/" in mail.body
    assert "Dépistage" not in mail.body and "validé" not in mail.subject + mail.body  # no content of the answer
    validation = validation_from(dates_of(filed), latest_decision(filed))
    assert validation.answered_on == today and not validation.tacit


def test_an_objection_needs_reasons_sends_the_projet_back_and_stops_the_clock(filed, regional_viewer, coordinator):
    today = timezone.localdate()
    with pytest.raises(LifecycleError, match="Une objection se motive"):
        ars.record_decision(filed, "objection", today, actor=regional_viewer, reasons="  ")
    ars.record_decision(filed, "objection", today, actor=regional_viewer, reasons=REASONS, expected_version=0)
    assert projet_actions.current(filed).status == "brouillon"
    assert "ars_response" not in dates_of(filed)
    validation = validation_from(dates_of(filed), latest_decision(filed))
    assert validation.objected_on == today and validation.reasons == REASONS
    assert not validation.tacit and not validation.validated(today + timedelta(days=400))
    assert "objection le" in " ".join(
        actions.phase_problems("fonctionnement", dates_of(filed), today, latest_decision(filed))
    )
    # Revised and filed again: the two months start again from the new filing.
    projet_actions.move(filed, "depose", coordinator)
    assert ars.pending(filed).submitted_on == today
    assert (
        validation_from(dates_of(filed), latest_decision(filed)).tacit is False
    )  # same day: the objection still counts
    assert ArsDecision.objects.count() == 1


def test_after_two_months_of_silence_an_answer_is_refused_and_nothing_is_saved(filed, regional_viewer):
    today = timezone.localdate()
    deemed = deemed_validation(today)
    before = AuditEntry.objects.count()
    with pytest.raises(LifecycleError, match=r"réputé validé depuis le .*\(article L1434-12"):
        ars.record_decision(filed, "objection", deemed - timedelta(days=1), actor=regional_viewer,
                            reasons=REASONS, today=deemed)  # fmt: skip
    assert AuditEntry.objects.count() == before and not ArsDecision.objects.exists()
    assert projet_actions.current(filed).status == "depose"
    validation = validation_from(dates_of(filed))
    assert validation.tacit and validation.validated(deemed) and not validation.validated(deemed - timedelta(days=1))


@pytest.mark.parametrize(
    ("shift", "message"), [(-1, "ne peut pas précéder le dépôt"), (1, "est dans le futur")], ids=["before", "future"]
)
def test_a_date_before_the_filing_or_in_the_future_is_refused(filed, regional_viewer, shift, message):
    with pytest.raises(LifecycleError, match=message):
        ars.record_decision(filed, "validated", timezone.localdate() + timedelta(days=shift), actor=regional_viewer)
    assert not ArsDecision.objects.exists()


def test_a_second_answer_read_before_the_first_was_recorded_is_refused(filed, regional_viewer):
    read_at = _answer_version(filed)
    ars.record_decision(filed, "objection", timezone.localdate(), actor=regional_viewer, reasons=REASONS,
                        expected_version=read_at)  # fmt: skip
    with pytest.raises(StaleEdit):
        ars.record_decision(filed, "validated", timezone.localdate(), actor=regional_viewer, expected_version=read_at)
    assert ArsDecision.objects.count() == 1


def test_nothing_filed_nothing_to_answer(idf, regional_viewer):
    with pytest.raises(LifecycleError, match="Aucun projet de santé déposé"):
        ars.record_decision(idf["cmv"], "validated", timezone.localdate(), actor=regional_viewer)


def test_coordinators_no_longer_record_the_answer_themselves(filed, coordinator, coordinator_client):
    with pytest.raises(LifecycleError, match="enregistrée par l'ARS elle-même"):
        actions.date_milestone(filed, "ars_response", timezone.localdate(), actor=coordinator)
    response = coordinator_client.post(
        "/c/cmv/parcours/jalons/ars_response/", {"date": timezone.localdate().isoformat(), "version": 0}
    )
    assert response.status_code == 400 and "enregistrée par l'ARS elle-même" in text(response)
    page = text(coordinator_client.get("/c/cmv/parcours/"))
    assert "Enregistrée par l'ARS" in page and 'id="date-ars_response"' not in page
    assert coordinator_client.get("/c/cmv/parcours/avis-ars/").status_code == 404


def test_the_ars_reads_answers_and_the_coordinator_sees_it(filed, regional_viewer, login, coordinator_client):
    ars_client = login(regional_viewer)
    funnel = text(ars_client.get("/couverture/region/11/cpts/"))
    deemed = deemed_validation(timezone.localdate())
    assert "lire le projet (version 1) et répondre" in funnel and f"{deemed:%d/%m/%Y}" in funnel
    page = text(ars_client.get("/c/cmv/parcours/avis-ars/"))
    assert "Une CPTS de trois communes au sud de Paris." in page and "Dépistage du cancer du sein" in page
    assert f'réputée validée le <strong data-testid="ars-deemed">{deemed:%d/%m/%Y}' in page
    refused = ars_client.post("/c/cmv/parcours/avis-ars/", {"outcome": "objection", "version": 0,
                                                            "decided_on": timezone.localdate().isoformat()})  # fmt: skip
    assert refused.status_code == 400 and "Une objection se motive" in text(refused)
    response = ars_client.post(
        "/c/cmv/parcours/avis-ars/",
        {"outcome": "objection", "decided_on": timezone.localdate().isoformat(), "reasons": REASONS, "version": 0},
        follow=True,
    )
    assert "Décision enregistrée : objection" in text(response)
    timeline = text(coordinator_client.get("/c/cmv/parcours/"))
    assert "objection de l'ARS du" in timeline and REASONS in timeline and "réputée acquise" not in timeline
    assert ars_client.get("/c/cmv/parcours/avis-ars/?version=9").status_code == 404
    projet_page = text(coordinator_client.get("/c/cmv/projet-de-sante/"))
    assert "Réponse de l'ARS du" in projet_page and REASONS in projet_page


def test_past_two_months_the_region_no_longer_lists_it_and_the_page_says_it_is_validated(filed, regional_viewer, login):
    long_ago = timezone.localdate() - timedelta(days=70)
    Milestone.objects.filter(cpts=filed, kind="project_submitted").update(date=long_ago)
    assert ars.awaiting([filed]) == [] and ars.pending(filed).tacit(timezone.localdate())
    ars_client = login(regional_viewer)
    assert "Aucun projet de santé n'attend la réponse de l'ARS." in text(ars_client.get("/couverture/region/11/cpts/"))
    page = text(ars_client.get("/c/cmv/parcours/avis-ars/"))
    assert (
        f'est réputée validée depuis le <strong data-testid="ars-deemed">{deemed_validation(long_ago):%d/%m/%Y}' in page
    )
    assert 'data-testid="ars-form"' not in page
    response = ars_client.post(
        "/c/cmv/parcours/avis-ars/",
        {"outcome": "validated", "decided_on": timezone.localdate().isoformat(), "version": 0},
    )
    assert response.status_code == 400 and "Une réponse ne peut plus être enregistrée." in text(response)
    assert not ArsDecision.objects.exists()
    # Validated by silence: the coordinator may start a new version from it.
    assert projet_actions.new_version(filed, None).version == 2
    # The new version, filed, has its own two months from its own filing.
    projet_actions.move(filed, "depose", None)
    assert ars.pending(filed).submitted_on == timezone.localdate()
    ars.record_decision(filed, "validated", timezone.localdate(), actor=regional_viewer, expected_version=0)
    assert "ars_response" not in dates_of(filed)  # the timeline keeps the first version's tacit validation
    assert validation_from(dates_of(filed), latest_decision(filed)).tacit


def test_two_ars_people_answering_at_once_the_second_is_told_who_answered(filed, regional_viewer, login, idf):
    from tests.factories import RoleFactory

    first = login(regional_viewer)
    second = login(RoleFactory(regional=True, region=idf["region"]).user)
    data = {"outcome": "validated", "decided_on": timezone.localdate().isoformat(), "version": 0}
    assert first.post("/c/cmv/parcours/avis-ars/", data).status_code == 302
    response = second.post("/c/cmv/parcours/avis-ars/", {**data, "outcome": "objection", "reasons": REASONS})
    assert response.status_code == 409 and "a enregistré la réponse de l'ARS le" in text(response)
    assert "(projet validé du" in text(response) and "la vôtre n'a pas été enregistrée" in text(response)
    assert ArsDecision.objects.get().outcome == "validated"
