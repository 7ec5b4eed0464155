"""From the database to the engine's dataclasses (the engine itself never touches the ORM)."""

from django.db.models import Prefetch

from maillage.funding.engine import ContractTerms, IndicatorTerms, MissionTerms, Step
from maillage.funding.lines import Line
from maillage.funding.models import Contract, IndicatorStep
from maillage.indicators.registry import REGISTRY


def indicator_label(code: str) -> str:
    indicator = REGISTRY.get(code)
    return indicator.label if indicator else code


def terms_of(contract: Contract) -> ContractTerms:
    running = contract.rule_set.maxima(contract.tier).get(Line.RUNNING, 0)
    missions = tuple(
        MissionTerms(m.mission, m.starts_on, m.fixed, m.variable) for m in contract.missions.order_by("id")
    )
    # The steps in one query for all indicators: ordered in the Prefetch, not per indicator (an
    # order_by on `i.steps` would ignore the prefetch and query once per indicator).
    steps = Prefetch("steps", IndicatorStep.objects.order_by("id"))
    indicators = tuple(
        IndicatorTerms(
            i.code,
            i.mission,
            i.higher_is_better,
            tuple(Step(s.lower, s.upper, s.amount) for s in i.steps.all()),
            indicator_label(i.code),
        )
        for i in contract.indicators.prefetch_related(steps).order_by("id")
    )
    return ContractTerms(contract.signed_on, contract.tier, running, missions, indicators, contract.ends_on)


def contract_of(cpts) -> Contract | None:
    return Contract.objects.select_related("rule_set").filter(cpts=cpts).first()
