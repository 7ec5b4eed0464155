"""A line chart of an indicator's values, drawn on the server as SVG geometry (ADR 0014): no
chart library, nothing loaded from elsewhere, and the same figures a table shows beside it.

`line_chart` only computes coordinates and labels; the template `indicators/_chart.html` draws
them. Values are plotted from zero (or from the lowest value when it is negative), so that a
change of 128 to 96 looks like what it is.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from maillage.indicators.periods import Period

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 40, 16, 40
MAX_X_LABELS = 8
SHORT_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal
    text: str  # the value as the table shows it
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    ticks: list[Tick]
    x_labels: list[Point]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def short_label(period: Period) -> str:
    if len(period.code) == 4:
        return period.code
    if "-T" in period.code:
        return f"T{period.code[-1]} {period.code[:4]}"
    return f"{SHORT_MONTHS[period.start.month - 1]} {period.code[2:4]}"


def number_text(value: Decimal) -> str:
    """French writing of a number: a decimal comma, no useless zeros."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")
    return text.rstrip(".").replace(".", ",").replace("-", "−")


def _scale(low: float, high: float) -> tuple[float, float, float]:
    """A round bottom, top and step covering [low, high] in four steps."""
    bottom = min(0.0, low)
    span = max(high - bottom, 1e-9)
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 4, 5, 10) if m * magnitude * 4 >= span)
    bottom = math.floor(bottom / step) * step
    return bottom, bottom + 4 * step, step


def line_chart(series: list[tuple[Period, Decimal]]) -> Chart | None:
    """The chart of `series` (periods in order, each with its value), or None when it is empty."""
    if not series:
        return None
    numbers = [float(value) for _, value in series]
    bottom, top, step = _scale(min(numbers), max(numbers) or 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(number: float) -> float:
        return TOP + plot_h * (1 - (number - bottom) / (top - bottom))

    gap = plot_w / (len(series) - 1) if len(series) > 1 else 0
    points = [
        Point(
            short_label(period),
            value,
            number_text(value),
            LEFT + (gap * i if len(series) > 1 else plot_w / 2),
            y_of(float(value)),
        )
        for i, (period, value) in enumerate(series)
    ]
    ticks = [Tick(y_of(bottom + k * step), number_text(Decimal(str(round(bottom + k * step, 6))))) for k in range(5)]
    every = math.ceil(len(points) / MAX_X_LABELS)
    return Chart(points, ticks, points[::every])
