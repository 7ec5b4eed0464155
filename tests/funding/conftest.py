from datetime import date
from decimal import Decimal

import pytest

from maillage.funding.actions import ContractDraft, save_contract
from maillage.funding.engine import IndicatorTerms, MissionTerms, Step
from maillage.funding.models import RuleSet
from maillage.funding.rules import ensure_rule_sets
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period

D = Decimal
FOUND = "doctor_access.found_doctor"
SERVED = "unscheduled.served_within_24h"


@pytest.fixture
def avenant_2(db):
    ensure_rule_sets()
    return RuleSet.objects.get(code="avenant-2")


def cmv_draft(rule_set, **changes) -> ContractDraft:
    """The demo-like contract of cmv (T3 in tests: 96,679 inhabitants), signed 2023-03-15."""
    draft = ContractDraft(
        rule_set=rule_set,
        signed_on=date(2023, 3, 15),
        missions=[
            MissionTerms("access", date(2023, 3, 15), D(35_000), D(30_000)),
            MissionTerms("pathways", date(2024, 1, 1), D(60_000), D(30_000)),
            MissionTerms("prevention", date(2024, 1, 1), D(25_000), D(10_000)),
            MissionTerms("crisis", date(2023, 9, 15), D(20_000), D(10_000)),
            MissionTerms("quality", date(2025, 1, 1), D(20_000), D(10_000)),
        ],
        indicators=[
            IndicatorTerms(FOUND, "access", True, (Step(D(20), D(50), D(4000)), Step(D(50), None, D(8000)))),
            IndicatorTerms(SERVED, "access", True, (Step(D(50), D(70), D(4000)), Step(D(70), None, D(8000)))),
        ],
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


@pytest.fixture
def cmv_contract(idf, avenant_2):
    return save_contract(idf["cmv"], cmv_draft(avenant_2), None)


def keep(cpts, code, year, value):
    period = Period.year(year)
    IndicatorValue.objects.update_or_create(
        cpts=cpts, code=code, period=period.code,
        defaults={"period_start": period.start, "period_end": period.end, "value": value},
    )  # fmt: skip
