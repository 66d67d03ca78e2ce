"""Charts as inline SVG, drawn server-side by pygal: no script, readable by screen readers.

Each chart is a pure function of a frozen ChartSpec (so a rendered chart is memoised: pygal takes ~10 ms
a chart, a page should take a few). pygal draws the marks; we then make the SVG accessible: `role="img"`,
a `<title>` and a `<desc>` named by `aria-labelledby`, and a `<title>` on every mark (a tooltip without
JavaScript). The page shows a table of the same numbers beside each chart.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.style import Style

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# colours distinguishable for the common colour-vision deficiencies (Okabe & Ito), then greys
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#777777", "#AAAAAA")
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1d232b",
    foreground_strong="#1d232b", foreground_subtle="#5b6572", colors=PALETTE,
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    title_font_size=18, label_font_size=13, major_label_font_size=13, legend_font_size=14,
    value_font_size=12, tooltip_font_size=13,
)


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows. `series` is ((name, (value or None, ...)), ...), one value per x label."""

    kind: str  # "bar", "stacked_bar", "line"
    chart_id: str  # the id of the <svg>, unique on its page
    title: str
    description: str
    x_labels: tuple[str, ...]
    series: tuple[tuple[str, tuple], ...]
    x_title: str = ""
    y_title: str = ""
    inverse_y: bool = False  # positions: 1 at the top


_CHARTS = {"bar": pygal.Bar, "stacked_bar": pygal.StackedBar, "line": pygal.Line}


@lru_cache(maxsize=256)
def render(spec: ChartSpec) -> Markup:
    """The chart as an inline <svg> element (no XML declaration, no script)."""
    chart = _CHARTS[spec.kind](
        # the page heads each chart; the title is kept inside the SVG as its accessible <title>
        style=STYLE, js=[], disable_xml_declaration=True, title=None, x_title=spec.x_title or None,
        y_title=spec.y_title or None, inverse_y_axis=spec.inverse_y, width=900, height=420,
        x_label_rotation=-45 if len(spec.x_labels) > 12 else 0, truncate_label=-1, legend_at_bottom=True,
        legend_at_bottom_columns=min(6, max(1, len(spec.series))), show_minor_x_labels=True,
        print_values=False, dots_size=4, stroke_style={"width": 2}, margin_bottom=10,
        no_data_text="", min_scale=1, max_scale=8, y_labels_major_every=None, show_y_guides=True,
    )
    chart.x_labels = list(spec.x_labels)
    chart.y_labels = whole_number_ticks(spec)
    for name, values in spec.series:
        chart.add(name, list(values))
    return Markup(_accessible(chart.render(is_unicode=True), spec))


def whole_number_ticks(spec: ChartSpec, most: int = 8) -> list[int]:
    """Axis ticks at whole numbers (laps, wins and positions have no fractions), at most `most` of them."""
    if spec.kind == "stacked_bar":
        top = max((sum(v or 0 for v in column) for column in zip(*(values for _, values in spec.series))), default=0)
    else:
        top = max((v for _, values in spec.series for v in values if v is not None), default=0)
    low = 1 if spec.inverse_y else 0
    step = max(1, -(-(top - low) // most))
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if nice >= step:
            step = nice
            break
    return list(range(low, top + step, step)) if top > low else [low, low + 1]


def _accessible(svg_text: str, spec: ChartSpec) -> str:
    root = ET.fromstring(svg_text)
    root.set("id", spec.chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{spec.chart_id}-title {spec.chart_id}-desc")
    root.set("class", "chart " + root.get("class", ""))
    for old in root.findall(f"{{{SVG}}}title"):
        root.remove(old)
    for script in root.findall(f".//{{{SVG}}}script/..") or []:  # pygal's config script: no JavaScript here
        for child in script.findall(f"{{{SVG}}}script"):
            script.remove(child)
    for child in root.findall(f"{{{SVG}}}script"):
        root.remove(child)
    title = ET.Element(f"{{{SVG}}}title", {"id": f"{spec.chart_id}-title"})
    title.text = spec.title
    desc = ET.Element(f"{{{SVG}}}desc", {"id": f"{spec.chart_id}-desc"})
    desc.text = spec.description
    root.insert(0, desc)
    root.insert(0, title)
    # pygal's stylesheet is scoped to its random id: point it at ours so the page is stable
    for style in root.iter(f"{{{SVG}}}style"):
        if style.text:
            old_id = svg_text.split('id="', 1)[1].split('"', 1)[0]
            style.text = style.text.replace(old_id, spec.chart_id)
    for series in list(root.iter(f"{{{SVG}}}g")):
        if "series" not in (series.get("class") or "").split():
            continue
        index = _series_index(series.get("class") or "")
        if index is None or index >= len(spec.series):
            continue
        name, values = spec.series[index]
        found = [(parent, mark) for parent in series.iter(f"{{{SVG}}}g") for mark in parent
                 if mark.tag == f"{{{SVG}}}g" and (mark.get("class") or "").split()[:1] in (["bar"], ["dots"])]
        for position, (parent, mark) in enumerate(found):
            if len(found) == len(values) and values[position] is None:
                parent.remove(mark)  # stacked charts draw a missing value as an empty bar: no datum, no mark
                continue
            value = next((d.text for d in mark.findall(f"{{{SVG}}}desc") if d.get("class") == "value"), "")
            x_label = next((d.text for d in mark.findall(f"{{{SVG}}}desc") if d.get("class") == "x_label"), "")
            tip = ET.Element(f"{{{SVG}}}title")
            tip.text = f"{x_label} · {name}: {value}" if name else f"{x_label}: {value}"
            mark.insert(0, tip)
            mark.set("data-series", name)
            mark.set("data-x", x_label or "")
            mark.set("data-value", value or "")
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _series_index(classes: str) -> int | None:
    """pygal's series number from a group's classes (`series serie-2 color-2`)."""
    return next((int(part[6:]) for part in classes.split() if part.startswith("serie-") and part[6:].isdigit()), None)


# --- the charts of the pages -------------------------------------------------------------------------

def event_laps(rows: list[dict], title: str, description: str, car_word: str, laps_word: str) -> ChartSpec:
    """Laps of each car in table order, one series (colour) per class; cars without laps have no bar."""
    classes = list(dict.fromkeys(row["class"]["label"] if row["class"] else "—" for row in rows))
    x_labels = tuple(f"#{row['no']}" for row in rows)
    series = []
    for cls in classes:
        series.append((cls, tuple(row["laps"] if (row["class"]["label"] if row["class"] else "—") == cls
                                  else None for row in rows)))
    # stacked, with one class per car, so each car's bar takes the whole width of its slot
    return ChartSpec("stacked_bar", "chart-laps", title, description, x_labels, tuple(series), car_word, laps_word)


def driver_results(points: list[dict], title: str, description: str, series_name: str, date_word: str,
                   position_word: str) -> ChartSpec:
    """Overall finishing position per race, in date order (1 at the top); unclassified results have no dot."""
    x_labels = tuple(point["x"] for point in points)
    values = tuple(point["position"] for point in points)
    return ChartSpec("line", "chart-results", title, description, x_labels, ((series_name, values),),
                     date_word, position_word, inverse_y=True)


def class_wins(makers: list[dict], classes: list[dict], wins: list[list[int]], title: str, description: str,
               maker_word: str, wins_word: str) -> ChartSpec:
    """Class wins of each maker, stacked by class; a zero is no mark."""
    series = tuple((cls["label"], tuple(row[index] or None for row in wins)) for index, cls in enumerate(classes))
    return ChartSpec("stacked_bar", "chart-class-wins", title, description,
                     tuple(maker["label"] for maker in makers), series, maker_word, wins_word)
