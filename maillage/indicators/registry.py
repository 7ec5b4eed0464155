"""The indicator registry (DESIGN.md §8): each mission app declares its indicators here, in its
own `indicators.py` module (loaded when Django starts); dashboards, the regional view and the
funding read them through `compute`, never another app's tables.

A value is a number, `None` (not computable, e.g. a median of nothing), or a breakdown
{label: number} when the indicator is a distribution (patients by priority class).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from maillage.indicators.periods import Period

Value = int | float | None | dict[str, int | float]


class Mission(models.TextChoices):
    DOCTOR_ACCESS = "doctor_access", "accès à un médecin traitant"
    UNSCHEDULED = "unscheduled", "soins non programmés"
    PATHWAYS = "pathways", "parcours pluriprofessionnels"
    PREVENTION = "prevention", "prévention"
    QUALITY = "quality", "qualité et pertinence des soins"
    SUPPORT = "support", "accompagnement des professionnels"
    CRISIS = "crisis", "crises sanitaires"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    mission: str
    unit: str
    compute: Callable[..., Value]
    description: str = ""
    # Regional views hide small counts; a ratio or a median is not a count of people, but a
    # median of two waits is two people's waits: `summarises` names the count it is computed on,
    # and the regional view hides the statistic when that count is under the threshold.
    counts_people: bool = True
    summarises: str = ""

    def value(self, cpts, period: Period) -> Value:
        return self.compute(cpts, period)


REGISTRY: dict[str, Indicator] = {}


def register(
    code: str,
    *,
    label: str,
    mission: str,
    unit: str,
    description: str = "",
    counts_people: bool = True,
    summarises: str = "",
):
    """Decorator: `@register("doctor_access.waiting", label=…, mission=Mission.DOCTOR_ACCESS, unit="patients")`."""

    def decorate(function: Callable[..., Value]) -> Callable[..., Value]:
        if code in REGISTRY:
            raise ValueError(f"indicator {code} declared twice")
        REGISTRY[code] = Indicator(code, label, mission, unit, function, description, counts_people, summarises)
        return function

    return decorate


def of_mission(mission: str) -> list[Indicator]:
    return [indicator for indicator in REGISTRY.values() if indicator.mission == mission]


def compute(cpts, period: Period, codes: list[str] | None = None) -> dict[str, Value]:
    chosen = [REGISTRY[code] for code in codes] if codes is not None else list(REGISTRY.values())
    return {indicator.code: indicator.value(cpts, period) for indicator in chosen}


def total(value: Value) -> float:
    if isinstance(value, dict):
        return sum(v for v in value.values() if isinstance(v, int | float))
    return value or 0


def for_region(indicator: Indicator, values: dict[str, Value], *, threshold: int = 5) -> object:
    """What a regional viewer may see of `indicator` among a CPTS's `values`."""
    value = values[indicator.code]
    if indicator.summarises and 0 < total(values[indicator.summarises]) < threshold:
        return f"non diffusé (moins de {threshold} personnes)"
    return hide_small(value, threshold=threshold) if indicator.counts_people else value


def hide_small(value: Value, *, threshold: int = 5) -> object:
    """What a regional viewer may see of a count: "< 5" for 1 to 4 people (0 is shown as 0)."""
    if isinstance(value, dict):
        return {label: hide_small(count, threshold=threshold) for label, count in value.items()}
    if isinstance(value, int) and 0 < value < threshold:
        return f"< {threshold}"
    return value
