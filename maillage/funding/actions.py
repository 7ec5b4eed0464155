"""Writes of the funding: the contract (created or replaced as a whole). A recognised crisis is the
crisis app's (maillage/crisis: declared or recognised by the ARS), read by report.py.
Each is one transaction with one audit entry, after every check has passed."""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.funding import validation
from maillage.funding.engine import ContractTerms, IndicatorTerms, MissionTerms
from maillage.funding.lines import TIERS, Line
from maillage.funding.models import (
    Contract,
    ContractIndicator,
    ContractMission,
    IndicatorStep,
    RuleSet,
)
from maillage.indicators.actions import record_values
from maillage.indicators.periods import Period
from maillage.indicators.registry import REGISTRY
from maillage.territory.tiers import tier_for


class FundingError(Exception):
    """Refused for reasons the user can act on; `messages` are French and shown as they are."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class ContractDraft:
    rule_set: RuleSet
    signed_on: date
    missions: list[MissionTerms]
    indicators: list[IndicatorTerms] = field(default_factory=list)
    ends_on: date | None = None
    tier: str = ""  # empty: the tier of the population at signature
    tier_reason: str = ""


def _tier(cpts, draft: ContractDraft, existing: Contract | None) -> tuple[int, str, list[str]]:
    # The population is taken when the contract is first recorded and kept: a territory edit after
    # the signature does not move the tier of a signed contract.
    population = existing.population if existing is not None else cpts.population()
    computed = tier_for(population).code
    chosen = draft.tier or computed
    errors = []
    if chosen not in TIERS:
        return population, computed, [f"Taille inconnue : « {chosen} » (T1, T2, T3 ou T4)."]
    if chosen != computed and not draft.tier_reason.strip():
        errors.append(
            f"La taille calculée est {computed} ({population:,} habitants à la signature) : "
            f"indiquez pourquoi le contrat retient {chosen}.".replace(",", "\u202f")
        )
    return population, chosen, errors


def save_contract(cpts, draft: ContractDraft, actor, *, expected_version: int | None = None) -> Contract:
    """Refused (`versioning.StaleEdit`) if the contract changed since its form was read at
    `expected_version` (0: before it existed)."""
    existing = Contract.objects.filter(cpts=cpts).first()
    population, tier, errors = _tier(cpts, draft, existing)
    maxima = draft.rule_set.maxima(tier)
    terms = ContractTerms(
        draft.signed_on, tier, maxima.get(Line.RUNNING, 0), tuple(draft.missions), tuple(draft.indicators),
        draft.ends_on,
    )  # fmt: skip
    errors += validation.contract_errors(terms, maxima, known_codes=REGISTRY)
    errors += _signature_problems(cpts, draft.signed_on)
    if errors:
        raise FundingError(errors)
    try:
        return _write_contract(cpts, draft, population, tier, actor, expected_version)
    except IntegrityError:
        # Two first saves at once: the database keeps one contract per CPTS, the other is refused whole.
        raise FundingError(["Le contrat vient d'être enregistré par quelqu'un d'autre : rechargez la page."]) from None


def _signature_problems(cpts, signed_on) -> list[str]:
    """The ACI's signature is one date: the timeline's milestone (maillage/lifecycle) and the
    contract must say the same, whichever is entered first."""
    from maillage.lifecycle.timeline import aci_signed_on

    dated = aci_signed_on(cpts)
    if dated is None or signed_on is None or dated == signed_on:
        return []
    return [
        f"La date de signature ({signed_on:%d/%m/%Y}) diffère de celle des étapes de la CPTS "
        f"({dated:%d/%m/%Y}) : corrigez l'une ou l'autre pour qu'elles concordent."
    ]


def _write_contract(cpts, draft: ContractDraft, population: int, tier: str, actor, expected_version) -> Contract:
    with transaction.atomic():
        version = versioning.check_and_bump(Contract.objects.filter(cpts=cpts), expected_version)
        contract, created = Contract.objects.select_for_update().get_or_create(
            cpts=cpts,
            defaults={"rule_set": draft.rule_set, "signed_on": draft.signed_on, "population": population, "tier": tier},
        )
        contract.version = version
        contract.rule_set, contract.signed_on, contract.ends_on = draft.rule_set, draft.signed_on, draft.ends_on
        contract.tier, contract.tier_reason = tier, draft.tier_reason.strip() if draft.tier else ""
        contract.save()
        _replace_terms(contract, draft)
        audit.record(
            "funding.contract.created" if created else "funding.contract.updated",
            actor=actor,
            cpts=cpts,
            obj=contract,
            details={
                "règlement": draft.rule_set.code,
                "signature": draft.signed_on.isoformat(),
                "taille": tier,
                "missions": {m.mission: [str(m.fixed), str(m.variable)] for m in draft.missions},
                "indicateurs": [i.code for i in draft.indicators],
            },
        )
    return contract


def _replace_terms(contract: Contract, draft: ContractDraft) -> None:
    contract.missions.all().delete()
    contract.indicators.all().delete()
    ContractMission.objects.bulk_create(
        ContractMission(contract=contract, mission=m.mission, starts_on=m.start, fixed=m.fixed, variable=m.variable)
        for m in draft.missions
    )
    for indicator in draft.indicators:
        row = ContractIndicator.objects.create(
            contract=contract,
            code=indicator.code,
            mission=indicator.mission,
            higher_is_better=indicator.higher_is_better,
        )
        IndicatorStep.objects.bulk_create(
            IndicatorStep(indicator=row, lower=s.lower, upper=s.upper, amount=s.amount) for s in indicator.steps
        )


def recompute_year(contract: Contract, *, year: int, actor, expected_version: int | None = None) -> dict:
    """Computes now the values of every indicator Maillage computes for `contract`'s CPTS and
    `year` (what the periodic jobs do each hour), for a coordinator who does not want to wait.
    Refused (`versioning.StaleEdit`) if the contract changed since the page was read at
    `expected_version`; the contract's row stays locked meanwhile, so two clicks compute in turn.
    One transaction, one audit entry (`indicators.values.recorded`, with the actor)."""
    errors = []
    if year < contract.signed_on.year or (contract.ends_on and year > contract.ends_on.year):
        errors.append(f"Le contrat ne couvre pas l'année {year}.")
    if year > timezone.localdate().year:
        errors.append(f"L'année {year} n'a pas commencé : rien à calculer.")
    if errors:
        raise FundingError(errors)
    with transaction.atomic():
        versioning.lock_and_check(contract, expected_version)
        return record_values(contract.cpts, Period.year(year), actor=actor, audited=True)
