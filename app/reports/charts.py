"""Charts drawn on the server as SVG by pygal and embedded in the page.

The page's Content-Security-Policy allows no inline script and no inline style, so pygal's own
`<script>` and `<style>` elements, its `style` attributes and its tooltips are removed; the
charts' look comes from portal.css (`.chart` rules) instead. Every chart is accompanied by a
data table in the template, which is what screen readers use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from app.formatting import format_number

_REMOVE = (
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r'<g [^>]*class="plot tooltip-overlay"[^>]*>.*?</g></g>', re.S),
    re.compile(r'\sstyle="[^"]*"'),
    re.compile(r'\sid="activate-serie-\d+"'),
)
LEGEND_COLUMNS = 3
_CHART_ID = re.compile(r'id="chart-[0-9a-f-]+"')


# The sizes pygal lays the chart out with; they match the font sizes in portal.css.
_STYLE = Style(
    font_family="sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=12,
    tooltip_font_size=12,
)


def _config(title: str, *, legend: bool) -> pygal.Config:
    config = pygal.Config(js=[], style=_STYLE)
    config.disable_xml_declaration = True
    config.title = title
    config.width = 800
    config.height = 360
    config.show_legend = legend
    config.legend_at_bottom = True
    config.legend_at_bottom_columns = LEGEND_COLUMNS
    config.truncate_legend = -1
    config.print_values = True
    config.print_zeroes = False
    config.print_values_position = "top"
    config.truncate_label = -1
    config.x_label_rotation = 0
    config.margin = 12
    config.value_formatter = lambda value: format_number(value)
    config.no_data_text = ""
    return config


def clean_svg(svg: str, name: str, title: str) -> Markup:
    """pygal's SVG without script, style or tooltips, with a stable id and an accessible name."""
    for pattern in _REMOVE:
        svg = pattern.sub("", svg)
    svg = _CHART_ID.sub(f'id="chart-{name}"', svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return Markup(svg)


def bar_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    *,
    horizontal: bool = False,
    integers: bool = False,
) -> Markup:
    """A bar chart of one or more series over `labels`; the legend shows when there are several.
    `integers` puts whole-number ticks on the value axis (counts of organisations)."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    config = _config(title, legend=len(series) > 1)
    rows = math.ceil(len(series) / LEGEND_COLUMNS)
    if rows > 1:
        config.margin_bottom = 12 + 18 * (rows - 1)  # pygal leaves room for one legend row only
    if not horizontal and any(len(label) > 16 for label in labels) and len(labels) > 3:
        config.x_label_rotation = 20
    values_seen = [v for _, values in series for v in values if v is not None]
    if integers and values_seen:
        top = max(int(max(values_seen)), 1)
        step = max(1, math.ceil(top / 8))
        config.y_labels = list(range(0, top + step, step))
    chart = chart_class(config)
    # pygal draws horizontal bars from the bottom up; reversed, the first label is on top.
    order = (lambda items: list(items)[::-1]) if horizontal else list
    chart.x_labels = order(labels)
    for label, values in series:
        chart.add(label, order(values))
    return clean_svg(chart.render(is_unicode=True), name, title)
