"""The computation of an ACI contract year: pure functions over plain dataclasses and Decimals.

No ORM here (terms.py builds the dataclasses from the database), so that the rules can be
property-tested. Amounts are kept exact (Decimal, no rounding) inside a line and rounded to the
cent, half up, once per line at the end; totals are sums of the rounded lines, so that what a
report prints adds up.

A contract year is the calendar year Y. Rules (ADR 0011):
- the running costs and each mission's fixed part are pro-rated by the days covered in Y, from
  max(signature, mission start) to the contract's end if it has one, over the 365 or 366 days of Y;
- a mission's variable part is the sum of its indicators' amounts for their values of Y (a missing
  value pays 0), capped at the mission's variable amount pro-rated like its fixed part;
- the crisis mission's variable part is paid only when the ARS recognised a crisis that year;
- schedule: 75 % of the year's fixed amounts (running costs + fixed parts) at the signature's
  anniversary in Y, the balance (the rest of the fixed amounts + the variable parts) on 30 April Y+1.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
ADVANCE_SHARE = Decimal("0.75")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Step:
    """One range of an indicator's tier table: lower inclusive, upper exclusive; None = unbounded."""

    lower: Decimal | None
    upper: Decimal | None
    amount: Decimal

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)


@dataclass(frozen=True)
class IndicatorTerms:
    code: str
    mission: str
    higher_is_better: bool
    steps: tuple[Step, ...]
    label: str = ""

    @property
    def best_amount(self) -> Decimal:
        return max((step.amount for step in self.steps), default=ZERO)


@dataclass(frozen=True)
class MissionTerms:
    mission: str
    start: date
    fixed: Decimal
    variable: Decimal


@dataclass(frozen=True)
class ContractTerms:
    signed_on: date
    tier: str
    running: Decimal  # a year's running costs
    missions: tuple[MissionTerms, ...]
    indicators: tuple[IndicatorTerms, ...] = ()
    ends_on: date | None = None  # last day covered, if the contract ends


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    label: str
    mission: str
    value: Decimal | None
    amount: Decimal

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class MissionResult:
    mission: str
    days: int
    fixed: Decimal
    variable: Decimal
    variable_cap: Decimal
    indicators: tuple[IndicatorResult, ...]

    @property
    def total(self) -> Decimal:
        return self.fixed + self.variable


@dataclass(frozen=True)
class Payment:
    due_on: date
    label: str
    amount: Decimal


@dataclass(frozen=True)
class YearResult:
    year: int
    days: int  # days of the year the running costs cover
    running: Decimal
    missions: tuple[MissionResult, ...]
    schedule: tuple[Payment, ...] = field(default=())

    @property
    def fixed(self) -> Decimal:
        return self.running + sum((m.fixed for m in self.missions), ZERO)

    @property
    def variable(self) -> Decimal:
        return sum((m.variable for m in self.missions), ZERO)

    @property
    def total(self) -> Decimal:
        return self.fixed + self.variable

    @property
    def committed(self) -> Decimal:
        """The most the contract can pay for the year: fixed amounts plus the variable caps."""
        return self.fixed + sum((m.variable_cap for m in self.missions), ZERO)

    @property
    def missing(self) -> list[IndicatorResult]:
        return [i for m in self.missions for i in m.indicators if i.missing]

    def paid_by(self, today: date) -> Decimal:
        return sum((p.amount for p in self.schedule if p.due_on <= today), ZERO)


class NotInForce(ValueError):
    """The contract covers no day of the year asked (signed later, or ended before)."""


def year_days(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def days_covered(start: date, year: int, end: date | None = None) -> int:
    """Days of calendar year `year` from `start` to `end` (both inclusive; no end = to 31 December)."""
    first = max(start, date(year, 1, 1))
    last = min(end or date(year, 12, 31), date(year, 12, 31))
    return max((last - first).days + 1, 0)


def prorata(annual: Decimal, days: int, year: int) -> Decimal:
    """`annual` for `days` days of `year`, exact (not rounded): the callers round once."""
    return annual * days / year_days(year)


def indicator_amount(terms: IndicatorTerms, value: Decimal | None) -> Decimal:
    """The amount the tier table pays for `value`; nothing for a missing value or one outside it."""
    if value is None:
        return ZERO
    return next((step.amount for step in terms.steps if step.contains(value)), ZERO)


def anniversary(signed_on: date, year: int) -> date:
    try:
        return signed_on.replace(year=year)
    except ValueError:  # signed a 29 February: the anniversary of a common year is the 28th
        return date(year, 2, 28)


def _mission(terms: ContractTerms, mission: MissionTerms, year: int, values, crisis: bool) -> MissionResult:
    days = days_covered(max(terms.signed_on, mission.start), year, terms.ends_on)
    cap = prorata(mission.variable, days, year)
    if mission.mission == "crisis":
        # Without a crisis recognised that year, the crisis variable part cannot be paid at all.
        cap = cap if crisis else ZERO
        earned = cap
        indicators: tuple[IndicatorResult, ...] = ()
    else:
        indicators = tuple(
            IndicatorResult(
                i.code,
                i.label or i.code,
                i.mission,
                values.get(i.code),
                indicator_amount(i, values.get(i.code)) if days else ZERO,
            )
            for i in terms.indicators
            if i.mission == mission.mission
        )
        earned = min(sum((i.amount for i in indicators), ZERO), cap)
    return MissionResult(
        mission.mission, days, cents(prorata(mission.fixed, days, year)), cents(earned), cents(cap), indicators
    )


def compute_year(
    terms: ContractTerms, year: int, values: dict[str, Decimal | None], *, crisis: bool = False
) -> YearResult:
    """The funding of contract year `year` given the indicators' `values` of that year."""
    days = days_covered(terms.signed_on, year, terms.ends_on)
    if days == 0:
        raise NotInForce(year)
    missions = tuple(_mission(terms, m, year, values, crisis) for m in terms.missions)
    result = YearResult(year, days, cents(prorata(terms.running, days, year)), missions)
    return YearResult(result.year, result.days, result.running, result.missions, schedule(terms, result))


def schedule(terms: ContractTerms, result: YearResult) -> tuple[Payment, ...]:
    advance = cents(result.fixed * ADVANCE_SHARE)
    due = anniversary(terms.signed_on, result.year)
    if terms.ends_on is not None and due > terms.ends_on:
        due = terms.ends_on  # a contract ending before its anniversary pays its advance on its last day
    balance_on = date(result.year + 1, 4, 30)
    return (
        Payment(due, "avance (75 % de la part fixe)", advance),
        Payment(balance_on, "solde (reste de la part fixe et part variable)", result.total - advance),
    )
