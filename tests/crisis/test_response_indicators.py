"""Issue 17 — the crisis response's indicators and its lines of the yearly ACI report."""

from datetime import timedelta

from django.utils import timezone

from maillage.crisis.indicators_response import response_lines
from maillage.crisis.response_cases import enter, monday
from maillage.crisis.response_centres import add_shift, sign_up
from maillage.crisis.response_supplies import MovementDraft, add_item, move
from maillage.indicators.periods import Period
from maillage.indicators.registry import REGISTRY
from tests.crisis.conftest import at


def test_the_figures_of_a_year(response):
    coordinator, cmv = response["coordinator"], response["cmv"]
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    past = add_shift(response["centre"], coordinator, starts_at=at(yesterday, 8), ends_at=at(yesterday, 11, 30),
                     capacity=3, role="test")  # fmt: skip
    for member in response["members"][:2]:
        sign_up(past, member, coordinator)
    item = add_item(response["crisis"], coordinator, name="Autotests", threshold=0)
    move(item, MovementDraft("received", 100, today), coordinator)
    move(item, MovementDraft("distributed", 30, today, recipient="Pharmacie"), coordinator)
    enter(response["crisis"], coordinator, commune_code="92046", week=monday(today), count=12)
    period = Period.year(today.year)
    values = {code: REGISTRY[code].value(cmv, period) for code in (
        "crisis.centres_opened", "crisis.shift_places_offered", "crisis.shift_places_filled",
        "crisis.volunteer_hours", "crisis.supplies_distributed", "crisis.cases_reported")}  # fmt: skip
    if len({(today - timedelta(days=5)).year, yesterday.year, (today + timedelta(days=1)).year, today.year}) == 1:
        assert values == {
            "crisis.centres_opened": 1, "crisis.shift_places_offered": 5 + 3, "crisis.shift_places_filled": 2,
            "crisis.volunteer_hours": 7.0, "crisis.supplies_distributed": 30, "crisis.cases_reported": 12,
        }  # fmt: skip
        labels = [line.label for line in response_lines(cmv, today.year)]
        assert "Centres de vaccination ou de dépistage ouverts" in labels
        assert "Heures de bénévolat dans les centres" in labels
