"""The SVG month chart and its table alternative (frontend/charts.py): numbers in, markup out, no database."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from frontend import charts

LABELS = {"party": "Feest", "gathering": "Bijeenkomst", "koffietafel": "Koffietafel"}
PLOT_H = charts.HEIGHT - charts.BOTTOM - charts.TOP  # full height of the plot area, viewBox units


def months(**values: int) -> list[int]:
    """Twelve counts, zero except the months named by their 3-letter English abbreviation."""
    order = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    return [values.get(name, 0) for name in order]


def bar(layout: charts.MonthLayout, kind: str, month: int) -> charts.Bar:
    return next(b for b in layout.bars if b.kind == kind and b.month == month)


def test_month_layout__bars_scale_to_the_largest_count():
    layout = charts.month_layout({"party": months(mar=8, jun=4), "gathering": months(mar=2)}, labels=LABELS)
    assert layout.peak == 8
    tallest, half, quarter, empty = bar(layout, "party", 2), bar(layout, "party", 5), bar(layout, "gathering", 2), \
        bar(layout, "party", 0)
    assert tallest.height == pytest.approx(PLOT_H) and tallest.y == pytest.approx(charts.TOP)
    assert half.height == pytest.approx(PLOT_H / 2)
    assert quarter.height == pytest.approx(PLOT_H / 4)
    assert empty.height == 0 and empty.y == pytest.approx(charts.TOP + PLOT_H)  # on the baseline
    # Every bar stands on the baseline.
    assert all(b.y + b.height == pytest.approx(charts.TOP + PLOT_H) for b in layout.bars)


def test_month_layout__round_grid_lines_from_zero_to_at_or_above_the_peak():
    layout = charts.month_layout({"party": months(jan=12)}, labels=LABELS)
    assert [g.value for g in layout.grid] == [0, 5, 10, 15] and (layout.peak, layout.top) == (12, 15)
    assert layout.grid[0].y == pytest.approx(charts.TOP + PLOT_H) and layout.grid[-1].y == pytest.approx(charts.TOP)
    assert bar(layout, "party", 0).height == pytest.approx(PLOT_H * 12 / 15)  # bars scale to the labelled top line
    assert [g.value for g in charts.month_layout({"party": months(jan=5)}, labels=LABELS).grid] == [0, 2, 4, 6]
    # The city's busiest month: round thousands, the top one labelled too (it was 0, 1293, 2586, 3879, 5172 unlabelled).
    city = charts.month_layout({"party": months(jul=5172)}, labels=LABELS)
    assert [g.value for g in city.grid] == [0, 2000, 4000, 6000]


@pytest.mark.parametrize(("peak", "step"), [(1, 1), (4, 1), (5, 2), (8, 2), (9, 5), (20, 5), (21, 10), (40, 10),
                                            (41, 20), (5172, 2000), (8001, 5000), (20001, 10000)])
def test_nice_step__one_two_or_five_times_a_power_of_ten_in_at_most_four_steps(peak, step):
    assert charts.nice_step(peak) == step
    assert step * 4 >= peak


def test_month_chart__grid_labels_in_the_readers_number_format():
    per_kind = {"party": months(jul=5172)}
    with translation.override("nl"):
        dutch = charts.month_chart(per_kind, labels=LABELS, title="Feesten", chart_id="c")
    with translation.override("en"):
        english = charts.month_chart(per_kind, labels=LABELS, title="Parties", chart_id="c")
    assert ">6.000</text>" in dutch and ">2.000</text>" in dutch and ": 5.172</title>" in dutch
    assert ">6,000</text>" in english and ": 5,172</title>" in english


def test_month_layout__one_group_per_month_with_the_kinds_in_the_given_order():
    per_kind = {"koffietafel": months(jan=1), "party": months(jan=1), "gathering": months(jan=1)}
    layout = charts.month_layout(per_kind, labels=LABELS)
    assert len(layout.bars) == 36 and len(layout.months) == 12
    january = [b for b in layout.bars if b.month == 0]
    assert [b.kind for b in january] == ["koffietafel", "party", "gathering"]
    assert january[0].x < january[1].x < january[2].x < bar(layout, "koffietafel", 1).x
    # Groups do not overlap and stay inside the viewBox.
    assert all(b.x + b.width <= bar(layout, "koffietafel", b.month + 1).x for b in layout.bars if b.month < 11)
    assert max(b.x + b.width for b in layout.bars) <= charts.WIDTH


def test_month_layout__empty_year_draws_flat_bars_on_a_zero_to_one_axis():
    layout = charts.month_layout({"party": [0] * 12, "gathering": [0] * 12}, labels=LABELS)
    assert layout.peak == 1
    assert [g.value for g in layout.grid] == [0, 1]
    assert all(b.height == 0 for b in layout.bars)


def test_month_chart__no_kinds_gives_an_svg_without_bars():
    svg = charts.month_chart({}, labels=LABELS, title="Leeg", chart_id="chart-empty")
    assert svg.startswith('<svg class="usage-chart" id="chart-empty"') and svg.endswith("</svg>")
    assert "<rect" not in svg
    assert svg.count('text-anchor="middle"') == 12  # the month names are still there
    assert charts.month_table({}, labels=LABELS) == []


def test_month_chart__is_an_image_labelled_by_its_title_with_a_title_per_bar():
    with translation.override("nl"):
        svg = charts.month_chart({"party": months(oct=3)}, labels=LABELS, title="Feesten per maand", chart_id="c1")
    assert 'role="img"' in svg and 'aria-labelledby="c1-title"' in svg
    assert '<title id="c1-title">Feesten per maand</title>' in svg
    assert "<title>Feest okt: 3</title>" in svg and "<title>Feest jan: 0</title>" in svg
    assert svg.count("<rect ") == 12
    assert 'class="chart-party" fill="#154273"' in svg


def test_month_chart__escapes_title_labels_and_id():
    svg = charts.month_chart({"<b>x</b>": months(jan=1)}, labels={"<b>x</b>": 'Feest & "co" <script>'},
                             title="<script>alert(1)</script>", chart_id='c"><script>')
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "Feest &amp; &quot;co&quot; &lt;script&gt;" in svg
    assert 'id="c&quot;&gt;&lt;script&gt;"' in svg
    assert f'fill="{charts.OTHER_COLOUR}"' in svg  # a kind without its own colour


def test_month_chart__unknown_label_falls_back_to_the_kind_code():
    svg = charts.month_chart({"community": months(feb=2)}, labels=LABELS, title="t", chart_id="c")
    assert "<title>community " in svg


@pytest.mark.parametrize("values", [[1] * 11, [1] * 13, [0] * 11 + [-1]])
def test_month_chart__refuses_anything_but_twelve_non_negative_counts(values):
    with pytest.raises(ValueError, match="party"):
        charts.month_chart({"party": values}, labels=LABELS, title="t", chart_id="c")
    with pytest.raises(ValueError, match="party"):
        charts.month_table({"party": values}, labels=LABELS)


def test_month_table__same_numbers_as_the_chart_with_totals_and_swatch_colours():
    per_kind = {"party": months(jan=2, dec=5), "koffietafel": months(jun=1), "community": months(mar=4)}
    rows = charts.month_table(per_kind, labels=LABELS)
    assert [r["kind"] for r in rows] == ["party", "koffietafel", "community"]
    assert rows[0] == {"kind": "party", "label": "Feest", "values": months(jan=2, dec=5), "total": 7,
                       "colour": charts.KIND_COLOURS["party"]}
    assert rows[1]["total"] == 1 and rows[1]["colour"] == charts.KIND_COLOURS["koffietafel"]
    assert rows[2]["label"] == "community" and rows[2]["colour"] == charts.OTHER_COLOUR
    svg = charts.month_chart(per_kind, labels=LABELS, title="t", chart_id="c")
    titles = re.findall(r"<title>([^<]*: \d+)</title>", svg)
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == sum(r["total"] for r in rows)
