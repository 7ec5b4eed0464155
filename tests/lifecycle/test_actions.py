"""Dating milestones and moving phases: what is refused (in French, nothing saved), what is logged."""

from datetime import date
from decimal import Decimal

import pytest

from maillage.core.models import AuditEntry
from maillage.lifecycle import actions
from maillage.lifecycle.actions import LifecycleError
from maillage.lifecycle.models import Lifecycle, Milestone, PhaseTransition
from maillage.lifecycle.phases import TRANSITIONS, Phase, allowed
from tests.lifecycle.conftest import CHAIN_DATES, TODAY, date_all


def _nothing_saved(cpts, before_audit):
    assert AuditEntry.objects.count() == before_audit
    return Milestone.objects.filter(cpts=cpts, date__isnull=False).count()


def test_dating_a_milestone_writes_it_with_one_audit_entry(idf, coordinator):
    before = AuditEntry.objects.count()
    milestone = actions.date_milestone(
        idf["cmv"], "seed_funding", date(2019, 9, 16), actor=coordinator, amount="50 000,50", today=TODAY
    )
    assert milestone.amount == Decimal("50000.50")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.first()
    assert (entry.action, entry.actor, entry.cpts) == ("lifecycle.milestone.dated", coordinator, idf["cmv"])
    assert entry.details == {"jalon": "seed_funding", "date": "2019-09-16", "montant": "50000.50"}
    # Dated again: the same row, corrected.
    actions.date_milestone(idf["cmv"], "seed_funding", date(2019, 9, 20), actor=coordinator, today=TODAY)
    assert Milestone.objects.get(cpts=idf["cmv"], kind="seed_funding").date == date(2019, 9, 20)


@pytest.mark.parametrize(
    ("kind", "day", "amount", "message"),
    [
        ("statutes", date(2019, 6, 1), None, "ne peut pas être daté du 01/06/2019, avant « Lettre d'intention »"),
        ("letter_of_intent", date(2020, 1, 1), None, "après « Financement d'amorçage de l'ARS » (16/09/2019)"),
        ("project_submitted", date(2026, 11, 24), None, "est dans le futur"),
        ("seed_funding", date(2019, 9, 16), "-1", "Le montant ne peut pas être négatif."),
        ("seed_funding", date(2019, 9, 16), "douze", "n'est pas un nombre"),
        ("seed_funding", date(2019, 9, 16), "10.555", "deux décimales au plus"),
        ("statutes", date(2019, 11, 28), "100", "n'a pas de montant"),
        ("start_access", date(2023, 6, 1), None, "datez d'abord la signature de l'ACI"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_saved(idf, coordinator, kind, day, amount, message):
    date_all(idf["cmv"], CHAIN_DATES[:2])
    before_audit, before_dated = AuditEntry.objects.count(), 2
    with pytest.raises(LifecycleError) as refused:
        actions.date_milestone(idf["cmv"], kind, day, actor=coordinator, amount=amount, today=TODAY)
    assert message in str(refused.value)
    assert _nothing_saved(idf["cmv"], before_audit) == before_dated
    assert Milestone.objects.get(cpts=idf["cmv"], kind="seed_funding").amount is None


def test_mission_milestones_follow_the_signature_and_their_start(signed, coordinator):
    with pytest.raises(LifecycleError, match="avant « Signature de l'ACI » \\(15/03/2023\\)"):
        actions.date_milestone(signed, "start_access", date(2023, 3, 14), actor=coordinator, today=TODAY)
    actions.date_milestone(signed, "start_access", date(2023, 6, 1), actor=coordinator, today=TODAY)
    with pytest.raises(LifecycleError, match="avant « Démarrage : accès aux soins »"):
        actions.date_milestone(signed, "deploy_access", date(2023, 5, 1), actor=coordinator, today=TODAY)
    # Moving the signature after a mission's start would break the order the other way.
    with pytest.raises(LifecycleError, match="après « Démarrage : accès aux soins »"):
        actions.date_milestone(signed, "aci_signed", date(2023, 7, 1), actor=coordinator, today=TODAY)


def test_several_problems_are_all_reported(idf, coordinator):
    date_all(idf["cmv"], CHAIN_DATES[:1])
    with pytest.raises(LifecycleError) as refused:
        actions.date_milestone(
            idf["cmv"], "seed_funding", date(2019, 1, 1), actor=coordinator, amount="-5", today=TODAY
        )
    assert len(refused.value.messages) == 2


def test_the_transition_table():
    assert allowed(Phase.IDEATION, Phase.CONCEPTION)
    assert not allowed(Phase.IDEATION, Phase.CONTRACTUALISATION)  # no phase skipped
    assert allowed(Phase.CONTRACTUALISATION, Phase.CONCEPTION)  # the ARS objected: back to the drafting
    assert TRANSITIONS[Phase.FONCTIONNEMENT] == frozenset()


def test_phases_move_along_the_table_with_their_prerequisites_and_are_logged(idf, coordinator):
    cpts = idf["issy"]
    assert cpts.status == "projet"
    with pytest.raises(LifecycleError, match="datez la lettre d'intention"):
        actions.move_phase(cpts, "conception", actor=coordinator, today=TODAY)
    assert not PhaseTransition.objects.exists()
    date_all(cpts, CHAIN_DATES[:1])
    actions.move_phase(cpts, "conception", actor=coordinator, note="lettre envoyée", today=TODAY)
    with pytest.raises(LifecycleError, match="ne peut pas passer en « fonctionnement »"):
        actions.move_phase(cpts, "fonctionnement", actor=coordinator, today=TODAY)
    with pytest.raises(LifecycleError) as refused:
        actions.move_phase(cpts, "contractualisation", actor=coordinator, today=TODAY)
    assert len(refused.value.messages) == 2  # statutes and projet de santé
    date_all(cpts, CHAIN_DATES[1:4])
    actions.move_phase(cpts, "contractualisation", actor=coordinator, today=TODAY)
    log = [(t.source, t.target, t.author, t.note) for t in PhaseTransition.objects.all()]
    assert log == [
        ("ideation", "conception", coordinator, "lettre envoyée"),
        ("conception", "contractualisation", coordinator, ""),
    ]
    assert [e.details for e in AuditEntry.objects.filter(action="lifecycle.phase.moved").order_by("id")] == [
        {"de": "ideation", "vers": "conception"},
        {"de": "conception", "vers": "contractualisation"},
    ]


def test_no_fonctionnement_without_validation_and_signature(idf, coordinator):
    cpts = idf["issy"]
    date_all(cpts, [*CHAIN_DATES[:3], ("project_submitted", date(2026, 10, 1))])
    actions.move_phase(cpts, "conception", actor=coordinator, today=TODAY)
    actions.move_phase(cpts, "contractualisation", actor=coordinator, today=TODAY)
    with pytest.raises(LifecycleError) as refused:
        actions.move_phase(cpts, "fonctionnement", actor=coordinator, today=TODAY)
    assert "son silence jusqu'au 01/12/2026" in str(refused.value)
    assert "datez la signature de l'ACI" in str(refused.value)
    # The ARS's silence validates on 1 December; the signature follows.
    actions.date_milestone(cpts, "aci_signed", date(2026, 12, 2), actor=coordinator, today=date(2026, 12, 2))
    actions.move_phase(cpts, "fonctionnement", actor=coordinator, today=date(2026, 12, 2))
    cpts.refresh_from_db()
    assert cpts.status == "active"  # signed: the CPTS is « constituée »
    assert Lifecycle.objects.get(cpts=cpts).phase == "fonctionnement"
    assert AuditEntry.objects.filter(action="lifecycle.phase.moved").first().details["statut"] == "active"


def test_unknown_phase_or_kind(idf, coordinator):
    with pytest.raises(LifecycleError, match="Cette phase n'existe pas"):
        actions.move_phase(idf["cmv"], "dissolution", actor=coordinator)
    with pytest.raises(LifecycleError, match="Ce jalon n'existe pas"):
        actions.date_milestone(idf["cmv"], "fete", date(2020, 1, 1), actor=coordinator)
