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
SMALL = 5  # regional readers never see a number of people under this, nor a statistic over them
# `register(population=…)` left out: a statistic must say over whom it is computed.
_UNSAID = object()


class Mission(models.TextChoices):
    DOCTOR_ACCESS = "doctor_access", "accès à un médecin traitant"
    UNSCHEDULED = "unscheduled", "soins non programmés"
    PATHWAYS = "pathways", "parcours pluriprofessionnels"
    PREVENTION = "prevention", "prévention"
    QUALITY = "quality", "qualité et pertinence des soins"
    SUPPORT = "support", "accompagnement des professionnels"
    CRISIS = "crisis", "crises sanitaires"


# Issue 16 — indicators that belong to no ACI mission: the association's own life (members,
# assemblies, fees). Listed after the missions on the indicators pages; never a fiche-action's mission.
ASSOCIATION = "association"
SECTIONS: list[tuple[str, str]] = [*Mission.choices, (ASSOCIATION, "vie associative")]


def section_label(code: str) -> str:
    """The label of a mission, or of the association's section."""
    return dict(SECTIONS).get(code, code)


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
    # Regional views hide small counts; a rate, a ratio or a median is not a count of people, but
    # 66.7 % of 3 requests says that 2 were served, and a median of two waits is two people's
    # waits. `population` is who such a statistic is computed on: the code of the count indicator
    # that gives it, or a function (cpts, period) → number of people; regional readers do not see
    # the statistic over fewer than 5 (`for_region`). None: a count itself, or not about people
    # (doctors, slots).
    counts_people: bool = True
    population: "str | Callable[..., float] | None" = None
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
    population=_UNSAID,
    direction: str = "",
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    numerator: str = "",
    denominator: str = "",
):
    """Decorator: `@register("doctor_access.waiting", label=…, mission=Mission.DOCTOR_ACCESS,
    unit="patients", kind=Kind.COUNT)`. An indicator that is not a count of people names its
    `population` (a count indicator's code or a function), or `population=None` when it is not
    computed over people."""
    default_low, default_high = DEFAULT_RANGE[kind]
    if population is _UNSAID and not counts_people:
        raise ValueError(f"indicator {code}: say over whom it is computed (population=…, None if not people)")

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
                population=None if population is _UNSAID else population,
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


def population(indicator: Indicator, values: dict, cpts=None, period: Period | None = None) -> float | None:
    """How many people `indicator`'s statistic is computed on: read among `values` (a CPTS's
    values of one period), else computed for `cpts` and `period`; None when it cannot be known."""
    source = indicator.population
    if callable(source):
        return None if cpts is None else source(cpts, period)
    if values.get(source) is not None:
        return total(values[source])
    if cpts is None or source not in REGISTRY:
        return None
    return total(REGISTRY[source].value(cpts, period))


def for_region(
    indicator: Indicator, values: dict, *, cpts=None, period: Period | None = None, threshold: int = SMALL
) -> object:
    """What a regional viewer may see of `indicator` among a CPTS's `values` of `period`: a count of
    1 to 4 people as "< 5"; a statistic over fewer than 5 people (or over a number unknown) not at
    all. `cpts` and `period` let the population be computed when `values` do not hold it."""
    value = values.get(indicator.code)
    if indicator.population is not None and value is not None:
        people = population(indicator, values, cpts, period)
        if people is None or people < threshold:
            return hidden(threshold)
    return hide_small(value, threshold=threshold) if indicator.counts_people else value


def hidden(threshold: int = SMALL) -> str:
    return f"non diffusé (moins de {threshold} personnes)"


def hide_small(value: Value, *, threshold: int = SMALL) -> object:
    """What a regional viewer may see of a count: "< 5" for 1 to 4 people (0 is shown as 0)."""
    if isinstance(value, dict):
        return {label: hide_small(count, threshold=threshold) for label, count in value.items()}
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and 0 < value < threshold:
        return f"< {threshold}"
    return value
