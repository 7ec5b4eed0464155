"""Issue 17 — the crisis plan's indicators and its lines of the yearly ACI report."""

from datetime import UTC, date, datetime

from maillage.crisis import activation, plan, retex
from maillage.crisis.indicators import CODES
from maillage.indicators import registry
from maillage.indicators.activity import for_year
from maillage.indicators.periods import Period
from tests.crisis.conftest import full_plan
from tests.crisis.test_activation import members


def test_the_indicators_count_what_the_plan_and_the_crises_did(idf, nurse):
    cmv = idf["cmv"]
    full_plan(cmv, nurse)  # its exercise was held on 2025-03-04
    plan.adopt(cmv, date(2025, 2, 1), None, today=date(2025, 2, 1))
    members(cmv, 7)
    declared = activation.Declaration(kind="heatwave", title="Canicule", starts_on=date(2025, 7, 1), alert=True)
    (crisis,) = activation.declare([cmv], declared, None, by_ars=True, today=date(2025, 7, 2))
    crisis.alerts.update(sent_at=datetime(2025, 7, 2, 9, tzinfo=UTC))  # sent « now » in the test: back then
    activation.close(crisis, date(2025, 7, 20), None, today=date(2025, 7, 21))
    crisis.refresh_from_db()
    retex.save_retex(
        crisis, held_on=date(2025, 9, 1), worked="Les appels.", did_not_work="", actor=None, today=date(2025, 9, 2)
    )
    values = registry.compute(cmv, Period.year(2025), CODES)
    assert values == {
        "crisis.plan_written": 1,
        "crisis.exercises_held": 1,
        "crisis.volunteers_listed": 1,
        "crisis.crises_declared": 1,
        "crisis.crises_recognised": 1,
        "crisis.members_alerted": 7,
        "crisis.retex_held": 1,
    }
    assert registry.compute(cmv, Period.year(2024), ["crisis.plan_written", "crisis.crises_declared"]) == {
        "crisis.plan_written": 0,
        "crisis.crises_declared": 0,
    }
    lines = dict(for_year(cmv, 2025))["crises sanitaires"]
    labels = {line.label: line for line in lines}
    assert labels["Plan de réponse aux crises sanitaires"].value == "adopté le 01/02/2025"
    assert labels["Crises sanitaires sur le territoire"].detail == "Canicule (canicule, reconnue par l'ARS)"
    assert labels["Alertes envoyées aux adhérents (courriels)"].value == 7
    assert all("Roux" not in f"{line.value} {line.detail}" for line in lines)  # no person's identity
