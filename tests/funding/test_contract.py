"""Saving a contract: every refusal is a French message and leaves nothing written."""

from datetime import date
from decimal import Decimal

import pytest

from maillage.core.models import AuditEntry
from maillage.funding.actions import FundingError, save_contract
from maillage.funding.engine import IndicatorTerms, MissionTerms, Step
from maillage.funding.models import Contract, ContractIndicator, IndicatorStep, RuleSet
from tests.funding.conftest import FOUND, SERVED, cmv_draft

D = Decimal


def refused(cpts, draft) -> list[str]:
    with pytest.raises(FundingError) as caught:
        save_contract(cpts, draft, None)
    return caught.value.messages


def test_a_contract_is_saved_with_its_tier_and_one_audit_entry(idf, avenant_2):
    contract = save_contract(idf["cmv"], cmv_draft(avenant_2), None)
    assert (contract.population, contract.tier) == (96_679, "T3")
    assert contract.missions.count() == 5
    assert IndicatorStep.objects.filter(indicator__contract=contract).count() == 4
    [entry] = AuditEntry.objects.filter(action="funding.contract.created")
    assert entry.cpts == idf["cmv"] and entry.details["taille"] == "T3"
    # Saved again, the terms are replaced, not added to.
    save_contract(idf["cmv"], cmv_draft(avenant_2, indicators=[]), None)
    assert ContractIndicator.objects.count() == 0 and contract.missions.count() == 5
    assert AuditEntry.objects.filter(action="funding.contract.updated").count() == 1


def test_an_overridden_tier_needs_a_reason(idf, avenant_2):
    messages = refused(idf["cmv"], cmv_draft(avenant_2, tier="T4"))
    assert messages == ["La taille calculée est T3 (96\u202f679 habitants à la signature) : indiquez pourquoi le "
                        "contrat retient T4."]  # fmt: skip
    assert refused(idf["cmv"], cmv_draft(avenant_2, tier="T9", tier_reason="x")) == [
        "Taille inconnue : « T9 » (T1, T2, T3 ou T4)."
    ]
    contract = save_contract(idf["cmv"], cmv_draft(avenant_2, tier="T4", tier_reason="avenant local ARS"), None)
    assert (contract.tier, contract.tier_reason) == ("T4", "avenant local ARS")


def test_amounts_above_the_rule_sets_maximum_are_refused(idf, avenant_2):
    draft = cmv_draft(avenant_2)
    draft.missions[0] = MissionTerms("access", date(2023, 3, 15), D(40_000), D("25000.01"))
    assert refused(idf["cmv"], draft) == [
        "Accès aux soins : part fixe + part variable (65\u202f000,01\u00a0€) dépasse le maximum du règlement pour la "
        "taille T3 (65\u202f000,00\u00a0€)."
    ]
    assert not Contract.objects.exists() and not AuditEntry.objects.exists()


def test_missions_required_and_unknown_to_the_rule_set(idf, avenant_2):
    draft = cmv_draft(avenant_2)
    draft.missions = [m for m in draft.missions if m.mission != "pathways"]
    assert refused(idf["cmv"], draft) == [
        "La mission « parcours pluriprofessionnels » est obligatoire dans ce règlement : ajoutez-la."
    ]
    aci_2019 = RuleSet.objects.get(code="aci-2019")
    assert "La mission « crises sanitaires » n'existe pas dans ce règlement." in refused(
        idf["cmv"], cmv_draft(aci_2019)
    )


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((Step(D(20), D(50), D(1000)), Step(D(60), None, D(2000))), "trou entre 50 et 60"),
        (
            (Step(D(20), D(50), D(1000)), Step(D(40), None, D(2000))),
            "les tranches [20 ; 50[ et [40 ; +∞[ se chevauchent",
        ),
        ((Step(D(20), D(50), D(3000)), Step(D(50), None, D(2000))), "un meilleur résultat paierait moins"),
        ((Step(D(20), D(50), D(1000)), Step(D(50), D(80), D(2000))), "dernière tranche doit être sans limite haute"),
        ((Step(D(50), D(20), D(1000)),), "la tranche [50 ; 20[ est vide"),
        ((), "indiquez au moins une tranche"),
    ],
)
def test_bad_tier_tables_are_refused(idf, avenant_2, steps, message):
    draft = cmv_draft(avenant_2)
    draft.indicators[0] = IndicatorTerms(FOUND, "access", True, steps, "Patients ayant trouvé un médecin traitant")
    [got] = refused(idf["cmv"], draft)
    assert got.startswith("Indicateur « Patients ayant trouvé un médecin traitant » : ") and message in got
    assert not Contract.objects.exists()


def test_lower_is_better_tables_must_pay_more_downwards(idf, avenant_2):
    draft = cmv_draft(avenant_2)
    ald_like = (Step(None, D(51), D(9000)), Step(D(51), D(101), D(6000)), Step(D(101), D(220), D(3000)))
    draft.indicators = [IndicatorTerms(FOUND, "access", False, ald_like)]
    assert save_contract(idf["cmv"], draft, None).indicators.get().steps.count() == 3
    draft.indicators = [IndicatorTerms(FOUND, "access", False, ald_like[1:])]
    assert "première tranche doit être sans limite basse" in refused(idf["cmv"], draft)[0]


def test_indicators_beyond_the_variable_part_unknown_or_misplaced(idf, avenant_2):
    draft = cmv_draft(avenant_2)
    draft.indicators.append(
        IndicatorTerms("doctor_access.volunteer_doctors", "access", True, (Step(D(1), None, D(15_000)),))
    )
    assert refused(idf["cmv"], draft) == [
        "Accès aux soins : les indicateurs peuvent rapporter jusqu'à 31\u202f000,00\u00a0€, plus que la part variable "
        "de la mission (30\u202f000,00\u00a0€)."
    ]
    draft = cmv_draft(avenant_2)
    draft.indicators = [
        IndicatorTerms("cpam.inconnu", "access", True, (Step(D(1), None, D(1)),)),
        IndicatorTerms(SERVED, "support", True, (Step(D(1), None, D(1)),), "SNP 24 h"),
        IndicatorTerms(FOUND, "crisis", True, (Step(D(1), None, D(1)),), "MT"),
    ]
    assert refused(idf["cmv"], draft) == [
        "Indicateur inconnu : « cpam.inconnu ».",
        "L'indicateur « SNP 24 h » compte pour la mission « accompagnement des professionnels », absente du contrat.",
        "La part variable des crises sanitaires dépend d'une crise reconnue, pas d'un indicateur.",
    ]


def test_the_recognised_crisis_is_read_from_the_crisis_app(cmv_contract):
    """Issue 17 — one source of truth: the crisis mission's variable part follows the crises the ARS
    declared or recognised (maillage/crisis), not a copy kept by funding."""
    from maillage.crisis import activation
    from maillage.funding import report

    cpts = cmv_contract.cpts
    assert report.build(cmv_contract, 2025).crisis is None
    declared = activation.Declaration(kind="epidemic", title="Bronchiolite", starts_on=date(2025, 11, 3),
                                      ends_on=date(2025, 12, 20), alert=False)  # fmt: skip
    (crisis,) = activation.declare([cpts], declared, None, by_ars=False, today=date(2026, 1, 5))
    assert report.build(cmv_contract, 2025).crisis is None  # declared by the CPTS: not recognised yet
    activation.recognise(crisis, None, today=date(2026, 1, 10))
    built = report.build(cmv_contract, 2025)
    assert built.crisis == crisis
    assert report.build(cmv_contract, 2024).crisis is None
    without = report.build(cmv_contract, 2024).result
    crisis_line = next(m for m in built.result.missions if m.mission == "crisis")
    assert crisis_line.variable_cap > 0
    assert next(m for m in without.missions if m.mission == "crisis").variable_cap == 0


def test_a_rule_set_in_use_is_read_only_in_the_admin(rf, cmv_contract, avenant_2):
    from django.contrib import admin

    from maillage.funding.admin import MaximumInline, RuleSetAdmin

    request = rf.get("/")
    unused = RuleSet.objects.get(code="aci-2019")
    assert MaximumInline(RuleSet, admin.site).has_change_permission(request, unused)
    assert not MaximumInline(RuleSet, admin.site).has_change_permission(request, avenant_2)
    assert "effective_on" in RuleSetAdmin(RuleSet, admin.site).get_readonly_fields(request, avenant_2)


def test_the_signature_is_one_date_with_the_lifecycle_timeline(idf, avenant_2):
    from maillage.lifecycle import actions as lifecycle
    from maillage.lifecycle.actions import LifecycleError

    for kind, day in (("letter_of_intent", date(2019, 6, 3)), ("statutes", date(2019, 11, 28))):
        lifecycle.date_milestone(idf["cmv"], kind, day, actor=None)
    lifecycle.date_milestone(idf["cmv"], "project_submitted", date(2022, 10, 3), actor=None)
    lifecycle.date_milestone(idf["cmv"], "aci_signed", date(2023, 3, 16), actor=None)
    [message] = refused(idf["cmv"], cmv_draft(avenant_2))
    assert "15/03/2023" in message and "16/03/2023" in message and "étapes de la CPTS" in message
    assert not Contract.objects.exists()

    lifecycle.date_milestone(idf["cmv"], "aci_signed", date(2023, 3, 15), actor=None)
    save_contract(idf["cmv"], cmv_draft(avenant_2), None)
    # Once the contract is recorded, the timeline cannot move the signature away from it.
    with pytest.raises(LifecycleError) as caught:
        lifecycle.date_milestone(idf["cmv"], "aci_signed", date(2023, 4, 1), actor=None)
    assert "contrat ACI" in " ".join(caught.value.messages) and "15/03/2023" in " ".join(caught.value.messages)
