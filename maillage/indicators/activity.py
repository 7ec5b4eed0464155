"""What each mission did in a year, for the yearly ACI report (issue 17): the coordinator's report
to the CPAM and the ARS writes itself from the work recorded in Maillage.

Each mission app declares, in its `indicators.py`, a function (cpts, year) → list of `Line`s with
`@activity(Mission.X)`; `for_year` gathers them by mission, in the registry's order of missions.
Lines are figures about the CPTS's work (campaigns, sessions, protocols, newcomers, crisis actions),
never a person's identity."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from maillage.indicators.registry import Mission


@dataclass(frozen=True)
class Line:
    label: str  # « Campagnes de prévention menées »
    value: int | Decimal | str  # a figure, or a short text (« rédigé le 12/03/2026 »)
    detail: str = ""  # what it is made of (« Octobre rose, Mois sans tabac »)
    # A count of people (people reached, volunteers): regional readers see 1 to 4 as « < 5 ».
    counts_people: bool = False


ACTIVITIES: dict[str, list[Callable[..., list[Line]]]] = {}


def activity(mission: str):
    def decorate(function: Callable[..., list[Line]]) -> Callable[..., list[Line]]:
        ACTIVITIES.setdefault(mission, []).append(function)
        return function

    return decorate


def for_year(cpts, year: int) -> list[tuple[str, list[Line]]]:
    """[(mission label, lines)] of the missions that declare what they did, in the missions' order;
    a mission with nothing recorded that year is listed with no line (the report says so)."""
    result = []
    for code, label in Mission.choices:
        if code in ACTIVITIES:
            lines = [line for function in ACTIVITIES[code] for line in function(cpts, year)]
            result.append((label, lines))
    return result
