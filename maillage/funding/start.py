"""Avenant 2's first payment (issue 17): once the ARS has validated a CPTS's letter of intent — the
lifecycle's « Lettre d'intention validée par l'ARS » milestone — the Assurance maladie pays a first
amount by tier, before any contract. It is read from the lifecycle and the rule set, never typed:
the timeline shows it on the milestone, the funding page and the yearly report in the schedule of
the year it falls in."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from maillage.funding import engine
from maillage.funding.models import Contract, RuleSet, RuleSetMaximum
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.models import Milestone

LABEL = "premier versement (lettre d'intention validée par l'ARS)"


@dataclass(frozen=True)
class StartPayment:
    due_on: date
    amount: Decimal
    tier: str
    rule_set: RuleSet

    @property
    def payment(self) -> engine.Payment:
        return engine.Payment(self.due_on, LABEL, self.amount)


def rule_set_on(day: date) -> RuleSet | None:
    """The latest text in force on `day` that has a first payment."""
    with_start = RuleSet.objects.filter(effective_on__lte=day, maximums__line=RuleSetMaximum.START)
    return with_start.order_by("-effective_on", "-pk").first()


def of(cpts) -> StartPayment | None:
    """The CPTS's first payment, or None before the letter's validation (or under a text without one).
    The tier is the contract's when there is one, else the territory's population's."""
    validated_on = (
        Milestone.objects.filter(cpts=cpts, kind=Kind.LETTER_VALIDATED, date__isnull=False)
        .values_list("date", flat=True)
        .first()
    )
    if validated_on is None:
        return None
    rule_set = rule_set_on(validated_on)
    if rule_set is None:
        return None
    contract = Contract.objects.filter(cpts=cpts).only("tier").first()
    tier = contract.tier if contract else cpts.tier().code
    amount = rule_set.start_payment(tier)
    return None if amount is None else StartPayment(validated_on, amount, tier, rule_set)


_UNREAD = object()


def schedule(cpts, result: engine.YearResult, *, first=_UNREAD) -> list[engine.Payment]:
    """The year's payments: the first payment when it falls in that year, then the contract's.
    `first`: the CPTS's first payment when the caller has read it already (`of`)."""
    start = of(cpts) if first is _UNREAD else first
    first = [start.payment] if start and start.due_on.year == result.year else []
    return [*first, *result.schedule]
