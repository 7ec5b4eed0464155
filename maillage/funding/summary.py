"""Figures of the funding for the regional view: no person's identity, amounts only."""

from decimal import Decimal

from django.utils import timezone

from maillage.funding import report, start
from maillage.funding.models import Contract


def region_totals(cpts_list, year: int, *, today=None) -> dict[int, dict[str, Decimal]]:
    """{cpts.pk: {"committed", "paid", "projected"}} for contract year `year`.

    committed: what the contract can pay at most for the year (running costs, fixed parts and the
    variable parts' caps, pro-rated); paid: the schedule's payments due by `today`; projected: the
    total if the indicators stay at their latest values. CPTS without a contract covering `year`
    are absent.
    """
    today = today or timezone.localdate()
    totals = {}
    contracts = Contract.objects.filter(cpts__in=list(cpts_list)).select_related("rule_set", "cpts")
    for contract in contracts:
        try:
            built = report.build(contract, year)
        except report.YearError:
            continue
        totals[contract.cpts_id] = {
            "committed": built.result.committed,
            # The schedule's payments due by today, avenant 2's first payment among them.
            "paid": sum(
                (p.amount for p in start.schedule(contract.cpts, built.result) if p.due_on <= today), Decimal(0)
            ),
            "projected": built.projection.total,
        }
    return totals
