"""The indicator registry (DESIGN.md §8): each mission app declares its indicators here, in its
own `indicators.py` module (loaded when Django starts); dashboards, the regional view and the
funding read them through `compute`, never another app's tables.

A value is a number, `None` (not computable, e.g. a median of nothing), or a breakdown
{label: number} when the indicator is a distribution (patients by priority class).

Each indicator states its `kind` (what sort of number it is) and, where it helps to read or to
check a value, a valid range and a direction. External indicators (figures from outside
Maillage, entered by hand: `external.py`) live in the same registry; their "computation" reads
the value entered for the period.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

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


class Kind(models.TextChoices):
    COUNT = "count", "effectif"
    PERCENTAGE = "percentage", "pourcentage"
    RATIO = "ratio", "ratio"
    DISTRIBUTION = "distribution", "répartition"


class Direction(models.TextChoices):
    HIGHER = "higher", "plus haut, c'est mieux"
    LOWER = "lower", "plus bas, c'est mieux"


# The range a kind implies unless the declaration narrows it: no count below zero, no
# percentage outside 0–100.
DEFAULT_RANGE = {
    Kind.COUNT: (Decimal(0), None),
    Kind.PERCENTAGE: (Decimal(0), Decimal(100)),
    Kind.RATIO: (Decimal(0), None),
    Kind.DISTRIBUTION: (Decimal(0), None),
}


class UnknownIndicator(LookupError):
    def __init__(self, code):
        super().__init__(f"Indicateur inconnu : « {code} ».")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    mission: str
    unit: str
    compute: Callable[..., Value]
    kind: str = Kind.COUNT
    description: str = ""
    # Regional views hide small counts; a ratio or a median is not a count of people, but a
    # median of two waits is two people's waits: `summarises` names the count it is computed on,
    # and the regional view hides the statistic when that count is under the threshold.
    counts_people: bool = True
    summarises: str = ""
    direction: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A ratio says what it divides by what (shown with the definition, asked when entered).
    numerator: str = ""
    denominator: str = ""
    external: bool = False

    def value(self, cpts, period: Period) -> Value:
        return self.compute(cpts, period)

    @property
    def origin(self) -> str:
        return "saisie" if self.external else "calculée"

    def range_label(self) -> str:
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"de {low} à {high}"
        if low is not None:
            return f"{low} ou plus"
        return f"{high} au plus" if high is not None else ""


REGISTRY: dict[str, Indicator] = {}


def add(indicator: Indicator) -> Indicator:
    if indicator.code in REGISTRY:
        raise ValueError(f"indicator {indicator.code} declared twice")
    if indicator.kind not in Kind.values:
        raise ValueError(f"indicator {indicator.code}: unknown kind {indicator.kind!r}")
    if indicator.direction and indicator.direction not in Direction.values:
        raise ValueError(f"indicator {indicator.code}: unknown direction {indicator.direction!r}")
    REGISTRY[indicator.code] = indicator
    return indicator


def register(
    code: str,
    *,
    label: str,
    mission: str,
    unit: str,
    kind: str,
    description: str = "",
    counts_people: bool = True,
    summarises: str = "",
    direction: str = "",
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    numerator: str = "",
    denominator: str = "",
):
    """Decorator: `@register("doctor_access.waiting", label=…, mission=Mission.DOCTOR_ACCESS,
    unit="patients", kind=Kind.COUNT)`."""
    default_low, default_high = DEFAULT_RANGE[kind]

    def decorate(function: Callable[..., Value]) -> Callable[..., Value]:
        low = default_low if minimum is None else minimum
        high = default_high if maximum is None else maximum
        add(
            Indicator(
                code=code,
                label=label,
                mission=mission,
                unit=unit,
                compute=function,
                kind=kind,
                description=description,
                counts_people=counts_people,
                summarises=summarises,
                direction=direction,
                minimum=low,
                maximum=high,
                numerator=numerator,
                denominator=denominator,
            )
        )
        return function

    return decorate


def get(code: str) -> Indicator:
    try:
        return REGISTRY[code]
    except KeyError:
        raise UnknownIndicator(code) from None


def of_mission(mission: str) -> list[Indicator]:
    return [indicator for indicator in REGISTRY.values() if indicator.mission == mission]


def computed() -> list[Indicator]:
    return [indicator for indicator in REGISTRY.values() if not indicator.external]


def external() -> list[Indicator]:
    return [indicator for indicator in REGISTRY.values() if indicator.external]


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
