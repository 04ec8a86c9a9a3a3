"""The heat map's column heads (frontend/charts.py): a dagdeel's hours on a second line, so the heads do not run
into each other at a phone's larger text; the cells start below both lines."""

from __future__ import annotations

import re

from frontend import charts


def test_heat_map__hours_of_a_column_head_on_their_own_line():
    svg = charts.heat_map([[0.5, None]], rows=["ma"], cols=["Ochtend (6–12 uur)", "Nacht"], title="t", chart_id="h")
    assert '<tspan x="99.0" dy="0">Ochtend</tspan><tspan x="99.0" dy="1.2em">(6–12 uur)</tspan>' in svg
    assert '<tspan x="209.0" dy="0">Nacht</tspan></text>' in svg  # no hours: one line
    assert "<title>ma, Ochtend (6–12 uur): 50 %</title>" in svg  # the cell's title keeps the whole name
    tops = [float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', svg)]
    assert min(tops) == charts.HEAT_TOP >= 15 + 1.2 * 16 + 4  # below a second line at the phone's 16 px text


def test_heat_map__heads_escaped():
    svg = charts.heat_map([[0.1]], rows=["ma"], cols=["<b>x</b> (<i>y</i>)"], title="t", chart_id="h")
    assert "<b>" not in svg and "<i>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "(&lt;i&gt;y&lt;/i&gt;)" in svg
