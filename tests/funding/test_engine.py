"""The engine's rules, checked on generated contracts (hypothesis) and on worked examples."""

import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from maillage.funding import engine
from maillage.funding.engine import ContractTerms, IndicatorTerms, MissionTerms, Step
from maillage.funding.validation import tier_table_errors
from maillage.territory.tiers import tier_for

D = Decimal
# The rule sets' maxima (avenant 2, T3): what a generated contract must never exceed.
MAXIMA_T3 = {"running": D(131_250), "access": D(65_000), "pathways": D(90_000), "prevention": D(35_000),
             "quality": D(30_000), "support": D(20_000), "crisis": D(30_000)}  # fmt: skip

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))
euros = st.decimals(min_value=0, max_value=200_000, places=2)
years = st.integers(min_value=2019, max_value=2030)
values = st.decimals(min_value=-1000, max_value=1000, places=3)


def exact_cents(annual: Decimal, covered: int, year: int) -> Decimal:
    exact = Fraction(annual) * covered / engine.year_days(year)
    return _round_fraction(exact)


def _round_fraction(x: Fraction) -> Decimal:
    # Half up on a Fraction, with no Decimal division at all: the reference the engine must match.
    scaled = x * 100
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    return D(floor + (1 if rest >= Fraction(1, 2) else 0)) / 100


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(annual=euros, start=days, year=years)
def test_prorating_is_exact_to_the_cent(annual, start, year):
    covered = engine.days_covered(start, year)
    assert engine.cents(engine.prorata(annual, covered, year)) == exact_cents(annual, covered, year)


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(annual=euros, start=days, split=st.integers(min_value=1, max_value=365), year=years)
def test_prorating_is_additive(annual, start, split, year):
    """Two consecutive periods pay what the whole pays (exactly before rounding, to the cent after)."""
    middle = date(year, 1, 1) + timedelta(days=split - 1)
    whole = engine.days_covered(start, year)
    first = engine.days_covered(start, year, end=middle)
    second = engine.days_covered(max(start, middle + timedelta(days=1)), year)
    assert first + second == whole
    parts = engine.prorata(annual, first, year) + engine.prorata(annual, second, year)
    assert abs(parts - engine.prorata(annual, whole, year)) < D("1e-20")
    rounded = engine.cents(engine.prorata(annual, first, year)) + engine.cents(engine.prorata(annual, second, year))
    assert abs(rounded - engine.cents(engine.prorata(annual, whole, year))) <= D("0.01")


def test_prorating_worked_examples():
    assert engine.days_covered(date(2023, 3, 15), 2023) == 292  # 15 March to 31 December
    assert engine.cents(engine.prorata(D(131_250), 292, 2023)) == D("105000.00")  # 292 / 365 = 0.8 exactly
    assert engine.cents(engine.prorata(D(10_000), 108, 2023)) == D("2958.90")  # 2 958,904…
    assert engine.days_covered(date(2023, 3, 15), 2024) == 366
    assert engine.prorata(D(131_250), 366, 2024) == D(131_250)
    assert engine.days_covered(date(2027, 1, 1), 2026) == 0
    assert engine.days_covered(date(2020, 1, 1), 2026, end=date(2026, 6, 30)) == 181


def table(direction_higher: bool, cuts: list[Decimal], amounts: list[Decimal]) -> IndicatorTerms:
    """A valid table from sorted cut points: higher-is-better pays more upwards and is open above."""
    bounds = [None, *cuts, None]
    ranges = list(itertools.pairwise(bounds))
    if direction_higher:
        ranges = ranges[1:]  # below the first cut pays nothing
        amounts = sorted(amounts)[: len(ranges)]
    else:
        ranges = ranges[:-1]  # above the last cut pays nothing
        amounts = sorted(amounts, reverse=True)[: len(ranges)]
    steps = tuple(Step(lo, hi, a) for (lo, hi), a in zip(ranges, amounts, strict=False))
    return IndicatorTerms("x.code", "access", direction_higher, steps)


tables = st.builds(
    table,
    st.booleans(),
    st.lists(st.decimals(min_value=-500, max_value=500, places=1), min_size=1, max_size=5, unique=True).map(sorted),
    st.lists(st.decimals(min_value=0, max_value=10_000, places=2), min_size=6, max_size=6),
)


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(indicator=tables, a=values, b=values)
def test_more_achievement_never_pays_less(indicator, a, b):
    assert tier_table_errors(indicator) == []
    better, worse = (max(a, b), min(a, b)) if indicator.higher_is_better else (min(a, b), max(a, b))
    assert engine.indicator_amount(indicator, better) >= engine.indicator_amount(indicator, worse)


def test_tier_tables_of_the_brief():
    ald = IndicatorTerms("cpam.ald_sans_mt", "access", False,
                         (Step(None, D(51), D(9000)), Step(D(51), D(101), D(6000)), Step(D(101), D(220), D(3000))))  # fmt: skip
    got = {v: engine.indicator_amount(ald, D(v)) for v in (0, 50, 51, 100, 101, 219, 220, 400)}
    assert got == {0: 9000, 50: 9000, 51: 6000, 100: 6000, 101: 3000, 219: 3000, 220: 0, 400: 0}
    sein = IndicatorTerms("cpam.depistage_sein", "prevention", True,
                          (Step(D("69.7"), D("72.4"), D(1000)), Step(D("72.4"), D(75), D(2500)), Step(D(75), None, D(3500))))  # fmt: skip
    got = {v: engine.indicator_amount(sein, D(v)) for v in ("69.6", "69.7", "72.3", "72.4", "75", "90")}
    assert got == {"69.6": 0, "69.7": 1000, "72.3": 1000, "72.4": 2500, "75": 3500, "90": 3500}
    assert engine.indicator_amount(sein, None) == 0


missions = st.lists(
    st.tuples(st.sampled_from(sorted(set(MAXIMA_T3) - {"running"})), days, st.integers(0, 100), st.integers(0, 100)),
    min_size=1,
    max_size=6,
    unique_by=lambda m: m[0],
)


@settings(max_examples=150, deadline=None)
@given(signed=days, year=years, rows=missions, indicator=tables, value=values, crisis=st.booleans())
def test_no_amount_exceeds_the_rule_sets_maximum(signed, year, rows, indicator, value, crisis):
    assume(engine.days_covered(signed, year) > 0)
    terms_missions = []
    for mission, start, fixed_share, variable_share in rows:
        # fixed + variable within the maximum, as the contract's validation ensures
        top = MAXIMA_T3[mission]
        fixed = engine.cents(top * fixed_share / 100)
        variable = engine.cents((top - fixed) * variable_share / 100)
        terms_missions.append(MissionTerms(mission, start, fixed, variable))
    indicator = IndicatorTerms(indicator.code, rows[0][0], indicator.higher_is_better, indicator.steps)
    terms = ContractTerms(signed, "T3", MAXIMA_T3["running"], tuple(terms_missions), (indicator,))
    result = engine.compute_year(terms, year, {"x.code": value}, crisis=crisis)
    assert result.running <= MAXIMA_T3["running"]
    for line in result.missions:
        mission = next(m for m in terms_missions if m.mission == line.mission)
        assert line.fixed <= mission.fixed and line.variable <= mission.variable
        assert line.total <= MAXIMA_T3[line.mission]
    assert result.total <= sum(MAXIMA_T3.values())
    assert sum(p.amount for p in result.schedule) == result.total
    assert result.paid_by(date(year + 1, 4, 30)) == result.total


@pytest.mark.parametrize(
    ("population", "code"),
    [(0, "T1"), (39_999, "T1"), (40_000, "T2"), (79_999, "T2"), (80_000, "T3"), (174_999, "T3"), (175_000, "T4"),
     (175_001, "T4")],
)  # fmt: skip
def test_tier_boundaries(population, code):
    assert tier_for(population).code == code


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(st.integers(min_value=0, max_value=3_000_000))
def test_tiers_follow_the_thresholds(population):
    expected = "T1" if population < 40_000 else "T2" if population < 80_000 else "T3" if population < 175_000 else "T4"
    assert tier_for(population).code == expected


def test_a_contract_year_and_its_schedule():
    terms = ContractTerms(
        date(2023, 3, 15), "T3", D(131_250),
        (MissionTerms("access", date(2023, 3, 15), D(35_000), D(30_000)),
         MissionTerms("crisis", date(2023, 9, 15), D(20_000), D(10_000)),
         MissionTerms("quality", date(2025, 1, 1), D(20_000), D(10_000))),
        (IndicatorTerms("a", "access", True, (Step(D(10), None, D(40_000)),)),),
    )  # fmt: skip
    first = engine.compute_year(terms, 2023, {"a": D(12)})
    access, crisis, quality = first.missions
    assert first.running == D("105000.00")
    assert (access.fixed, access.variable, access.variable_cap) == (D("28000.00"), D("24000.00"), D("24000.00"))
    assert (crisis.days, crisis.fixed, crisis.variable) == (108, D("5917.81"), D(0))  # no crisis recognised
    assert (quality.days, quality.total) == (0, D(0))
    assert first.schedule[0] == engine.Payment(
        date(2023, 3, 15), first.schedule[0].label, D("104188.36")
    )  # 75 % of 138 917,81
    assert first.schedule[1].due_on == date(2024, 4, 30)
    assert first.schedule[0].amount + first.schedule[1].amount == first.total
    with_crisis = engine.compute_year(terms, 2023, {"a": None}, crisis=True)
    assert with_crisis.missions[1].variable == D("2958.90")  # 10 000 × 108 / 365
    assert with_crisis.missions[0].variable == 0 and [i.code for i in with_crisis.missing] == ["a"]
    with pytest.raises(engine.NotInForce):
        engine.compute_year(terms, 2022, {})
    assert engine.anniversary(date(2024, 2, 29), 2025) == date(2025, 2, 28)


def test_nothing_after_the_contracts_end():
    terms = ContractTerms(date(2023, 1, 1), "T1", D(87_500), (MissionTerms("access", date(2023, 1, 1), D(365), D(0)),),
                          ends_on=date(2025, 1, 31))  # fmt: skip
    result = engine.compute_year(terms, 2025, {})
    assert (result.days, result.missions[0].fixed) == (31, D(31))
    assert result.schedule[0].due_on == date(2025, 1, 1)
    with pytest.raises(engine.NotInForce):
        engine.compute_year(terms, 2026, {})


def test_half_up_rounding_once_at_the_end():
    assert engine.cents(D("0.005")) == D("0.01") and engine.cents(D("0.0049999")) == D("0.00")
    assert D("2.675").quantize(D("0.01"), rounding=ROUND_HALF_UP) == engine.cents(D("2.675"))
