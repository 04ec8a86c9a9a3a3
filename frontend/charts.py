"""Server-rendered SVG charts with a table alternative (the municipality's usage pages, SPEC §7).

Pure functions: numbers in, markup or template context out; no database, no request. Every chart is inline SVG
with `role="img"` and a `<title>` (each bar has its own title with its number), next to a table with the same
numbers, the text alternative (WCAG 2.1 AA). Colours are SVG presentation attributes, not style attributes, so the
Content-Security-Policy allows them without CSS. Text (titles, labels) is escaped.

Input shape, `per_kind`: `{kind code: [count for January, ..., count for December]}` — twelve non-negative integers
per kind, counted bookings (as `boeking.usage.monthly` returns them). Kinds are drawn in the mapping's order.
Geometry is in SVG user units of the chart's `viewBox` (720 × 240); the chart scales to the width of its container.
On a phone the pages keep a month chart or a bar list at one unit a pixel, scrolling sideways in a region named by
its title (templates/gemeente/_chart.html, gemeente.css); the heat map fits, with larger text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.dates import MONTHS_3
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MONTHS = [MONTHS_3[m] for m in range(1, 13)]  # Django's own abbreviations, translated (nl: jan … mrt … okt)
KIND_CLASSES = {"party": "chart-party", "gathering": "chart-gathering", "koffietafel": "chart-koffietafel"}
KIND_COLOURS = {"party": "#154273", "gathering": "#e17000", "koffietafel": "#39870c"}
OTHER_COLOUR = "#555"  # a kind without a colour of its own

# The month chart's frame, in viewBox units: plot area inside the margins, y axis labels in the left margin.
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 240, 44, 28, 12, 4
GROUP_GAP = 6  # between two months' groups of bars


@dataclass(frozen=True)
class Bar:
    """One month's count of one kind: `x`, `y` top-left corner; `height` proportional to `value` (0 for 0)."""

    kind: str
    month: int  # 0 = January
    value: int
    x: float
    y: float
    width: float
    height: float
    title: str  # "<kind label> <month>: <value>"


@dataclass(frozen=True)
class GridLine:
    """A horizontal line at `y` for the count `value`, labelled in the left margin."""

    y: float
    value: int


@dataclass(frozen=True)
class MonthLabel:
    """A month's name under the middle of its group of bars."""

    x: float
    text: str


@dataclass(frozen=True)
class MonthLayout:
    """Where everything of a month chart goes. `peak` is the largest count (at least 1); `top` the count drawn at full
    plot height: the axis' last grid line, a round multiple of its step at or above the peak."""

    peak: int
    top: int
    bars: list[Bar]
    grid: list[GridLine]
    months: list[MonthLabel]
    width: int = WIDTH
    height: int = HEIGHT


def _check(per_kind: Mapping[str, Sequence[int]]) -> None:
    for kind, values in per_kind.items():
        if len(values) != 12:
            raise ValueError(f"{kind}: expected 12 monthly counts, got {len(values)}")
        if any(value < 0 for value in values):
            raise ValueError(f"{kind}: counts cannot be negative")


def nice_step(peak: int) -> int:
    """The axis step for counts up to `peak`: the smallest 1, 2 or 5 × 10ⁿ that reaches the peak in at most four
    steps (12 → 5, 5,172 → 2,000), so that every grid line is a round number."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * 4 >= peak:
                return factor * magnitude
        magnitude *= 10


def month_layout(per_kind: Mapping[str, Sequence[int]], *, labels: Mapping[str, str]) -> MonthLayout:
    """The geometry of a grouped bar chart: twelve groups (January first), one bar per kind in each.

    Grid lines every `nice_step(peak)` from 0 up to the first one at or above the largest count (`peak`, at least 1,
    so an empty year draws flat bars on a 0–1 axis), each labelled; bars scale to that top line. `labels` gives each
    kind's name for the bar titles (default: the kind code). Raises ValueError when a kind has not exactly twelve
    counts or a negative one."""
    _check(per_kind)
    plot_h = HEIGHT - BOTTOM - TOP
    peak = max([1, *(n for values in per_kind.values() for n in values)])
    group_w = (WIDTH - LEFT - 8) / 12
    bar_w = (group_w - GROUP_GAP) / max(len(per_kind), 1)
    step = nice_step(peak)
    top = step * -(-peak // step)
    grid = [GridLine(y=TOP + plot_h - plot_h * value / top, value=value) for value in range(0, top + 1, step)]
    bars, months = [], []
    for month in range(12):
        x0 = LEFT + month * group_w + GROUP_GAP / 2
        months.append(MonthLabel(x=x0 + group_w / 2 - GROUP_GAP / 2, text=MONTHS[month]))
        for index, (kind, values) in enumerate(per_kind.items()):
            h = plot_h * values[month] / top
            bars.append(Bar(kind=kind, month=month, value=values[month], x=x0 + index * bar_w, y=TOP + plot_h - h,
                            width=max(bar_w - 1, 1), height=h,
                            title=f"{labels.get(kind, kind)} {MONTHS[month]}: {_count(values[month])}"))
    return MonthLayout(peak=peak, top=top, bars=bars, grid=grid, months=months)


def _count(value: int) -> str:
    """A count as the reader writes it: 6.000 in Dutch, 6,000 in English."""
    return number_format(value, force_grouping=True)


def month_svg(layout: MonthLayout, *, title: str, chart_id: str) -> SafeString:
    """`layout` as inline SVG: `<svg id=chart_id role="img">` labelled by its `<title>`, coordinates to 0.1 unit."""
    grid = [(LEFT, f"{g.y:.1f}", layout.width - RIGHT, f"{g.y:.1f}", LEFT - 6, f"{g.y + 4:.1f}", _count(g.value))
            for g in layout.grid]
    bars = [(KIND_CLASSES.get(b.kind, ""), KIND_COLOURS.get(b.kind, OTHER_COLOUR), f"{b.x:.1f}", f"{b.y:.1f}",
             f"{b.width:.1f}", f"{b.height:.1f}", b.title) for b in layout.bars]
    months = [(f"{m.x:.1f}", layout.height - 8, m.text) for m in layout.months]
    return format_html(
        '<svg class="usage-chart" id="{}" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-title" '
        'focusable="false"><title id="{}-title">{}</title>{}{}{}</svg>',
        chart_id, layout.width, layout.height, chart_id, chart_id, title,
        format_html_join("", '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc" stroke-width="1"/>'
                             '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>', grid),
        format_html_join("", '<rect class="{}" fill="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                         bars),
        format_html_join("", '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>', months),
    )


def month_chart(per_kind: Mapping[str, Sequence[int]], *, labels: Mapping[str, str], title: str,
                chart_id: str) -> SafeString:
    """A grouped bar chart of counts per month and kind as inline SVG (see `month_layout` and `month_svg`).
    `chart_id` must be unique on the page; the same numbers belong in a `month_table` next to it."""
    return month_svg(month_layout(per_kind, labels=labels), title=title, chart_id=chart_id)


def month_table(per_kind: Mapping[str, Sequence[int]], *, labels: Mapping[str, str]) -> list[dict]:
    """The chart's text alternative, one row per kind in the chart's order:
    `{kind, label, values (12 counts), total, colour (the bars' colour, for the swatch)}`."""
    _check(per_kind)
    return [{"kind": kind, "label": labels.get(kind, kind), "values": list(values), "total": sum(values),
             "colour": KIND_COLOURS.get(kind, OTHER_COLOUR)}
            for kind, values in per_kind.items()]


# --- heat map (occupancy: weekday × dagdeel) ------------------------------------------------------------------

HEAT_CELL_W, HEAT_CELL_H, HEAT_LEFT, HEAT_TOP = 110, 34, 44, 40
# From light to dark blue; text switches to white on the dark half so both stay above 4.5:1.
HEAT_COLOURS = ("#f2f6fa", "#d3e2f0", "#a7c4e0", "#6f9bc8", "#3d6fa3", "#154273")


def heat_colour(rate: float | None) -> tuple[str, str]:
    """Fill and text colour for a rate (0..1; None: never open → white with a dash)."""
    if rate is None:
        return "#ffffff", "#333333"
    index = min(int(rate * (len(HEAT_COLOURS) - 1) + 0.5), len(HEAT_COLOURS) - 1)
    return HEAT_COLOURS[index], "#ffffff" if index >= 3 else "#1a1a1a"


def heat_map(cells: Sequence[Sequence[float | None]], *, rows: Sequence[str], cols: Sequence[str], title: str,
             chart_id: str) -> SafeString:
    """A heat map as inline SVG: `cells[row][col]` a rate 0..1 (None: closed), rows (e.g. weekdays) top to bottom,
    columns (dagdelen) left to right, each cell titled and labelled with its whole percentage. The same numbers
    belong in a table next to it. Raises ValueError when the shape does not match the labels."""
    if len(cells) != len(rows) or any(len(r) != len(cols) for r in cells):
        raise ValueError("cells must have one row per row label and one value per column label")
    width = HEAT_LEFT + HEAT_CELL_W * len(cols) + 2
    height = HEAT_TOP + HEAT_CELL_H * len(rows) + 2
    # A column head's hours on a line of their own ("Ochtend" over "(6–12 uur)"): on one line they ran into each
    # other at a phone's larger text (gemeente.css). The second line's offset is in em, so it follows that text.
    heads = []
    for c, label in enumerate(cols):
        x = HEAT_LEFT + HEAT_CELL_W * c + HEAT_CELL_W / 2
        name, bracket, rest = label.partition(" (")
        lines = [(x, "0", name)] + ([(x, "1.2em", bracket.strip() + rest)] if bracket else [])
        heads.append((x, 15, format_html_join("", '<tspan x="{}" dy="{}">{}</tspan>', lines)))
    names = [(HEAT_LEFT - 6, HEAT_TOP + HEAT_CELL_H * r + HEAT_CELL_H / 2 + 4, label) for r, label in enumerate(rows)]
    rects = []
    for r, row in enumerate(cells):
        for c, rate in enumerate(row):
            fill, ink = heat_colour(rate)
            text = "–" if rate is None else f"{int(rate * 100 + 0.5)} %"
            x, y = HEAT_LEFT + HEAT_CELL_W * c, HEAT_TOP + HEAT_CELL_H * r
            rects.append((x, y, HEAT_CELL_W - 2, HEAT_CELL_H - 2, fill, f"{rows[r]}, {cols[c]}: {text}",
                          x + HEAT_CELL_W / 2, y + HEAT_CELL_H / 2 + 4, ink, text))
    return format_html(
        '<svg class="usage-chart heat-map" id="{}" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title" focusable="false"><title id="{}-title">{}</title>{}{}{}</svg>',
        chart_id, width, height, chart_id, chart_id, title,
        format_html_join("", '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>', heads),
        format_html_join("", '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>', names),
        format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#8a8a8a" '
                             'stroke-width="0.5"><title>{}</title></rect>'
                             '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>', rects),
    )


def bar_list(items: Sequence[tuple[str, float | None, str]], *, title: str, chart_id: str) -> SafeString:
    """Horizontal bars, one per item `(label, fraction 0..1 or None, text shown after the bar)`, top to bottom:
    e.g. houses ranked by occupancy. Labels are left out of the drawing when there are many (the table next to it
    names them); the bar's own title names it."""
    row_h, left, bar_w = 18, 4, 560
    height = row_h * len(items) + 4
    bars = []
    for i, (label, fraction, text) in enumerate(items):
        w = 0 if fraction is None else max(min(fraction, 1), 0) * bar_w
        bars.append((left, 2 + i * row_h, f"{w:.1f}", row_h - 4, f"{label}: {text}", left + w + 6,
                     2 + i * row_h + row_h - 6, text))
    return format_html(
        '<svg class="usage-chart bar-list" id="{}" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title" focusable="false"><title id="{}-title">{}</title>{}</svg>',
        chart_id, bar_w + 80, height, chart_id, chart_id, title,
        format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="#154273"><title>{}</title></rect>'
                             '<text x="{}" y="{}" font-size="11">{}</text>', bars),
    )
