"""The chart's geometry: one point per value, higher values higher up, a scale that covers them."""

from decimal import Decimal

from maillage.indicators.chart import HEIGHT, LEFT, WIDTH, line_chart, number_text
from maillage.indicators.periods import Period


def test_one_point_per_value_in_order_and_the_larger_value_is_drawn_higher():
    chart = line_chart([(Period.year(2025), Decimal("128")), (Period.year(2026), Decimal("96"))])
    first, second = chart.points
    assert (first.label, first.text, second.label, second.text) == ("2025", "128", "2026", "96")
    assert first.x < second.x and first.y < second.y  # SVG's y grows downwards
    assert all(0 <= p.y <= HEIGHT and LEFT <= p.x <= WIDTH for p in chart.points)
    assert chart.ticks[0].text == "0"
    assert float(chart.ticks[-1].text) >= 128
    assert chart.polyline.count(",") == 2


def test_months_are_labelled_in_french_and_labels_thinned_out():
    chart = line_chart([(Period.month(2025, m), Decimal(m)) for m in range(1, 13)])
    assert len(chart.points) == 12
    assert chart.points[0].label == "janv. 25" and chart.points[7].label == "août 25"
    assert len(chart.x_labels) <= 8


def test_nothing_to_draw_gives_no_chart_and_a_single_value_is_centred():
    assert line_chart([]) is None
    [only] = line_chart([(Period.year(2025), Decimal("70.1"))]).points
    assert only.text == "70,1" and LEFT < only.x < WIDTH - LEFT


def test_numbers_are_written_the_french_way():
    assert [number_text(Decimal(v)) for v in ("72.90", "100", "-2.5", "0")] == ["72,9", "100", "−2,5", "0"]


def test_values_are_shown_with_two_decimals_at_most_and_breakdowns_as_lists():
    from django.template.loader import render_to_string

    def shown(value):
        return " ".join(render_to_string("indicators/_value.html", {"value": value}).split())

    assert shown(874.6479) == "874,65"
    assert shown(72.9) == "72,9"
    assert shown(96) == "96"
    assert shown("< 5") == "&lt; 5"
    assert shown(None) == '<span class="muted">non calculable</span>'
    assert shown({}) == '<ul class="plain"><li>0</li></ul>'
    assert shown({"ALD": 3, "C2S ou AME": 1.25}) == '<ul class="plain"><li>ALD : 3</li><li>C2S ou AME : 1,25</li></ul>'
