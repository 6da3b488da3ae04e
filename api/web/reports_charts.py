"""The reports page's charts: SVG drawn by pygal from the report's own figures.

They are embedded with ``<img>``, so they must stand alone: no script (pygal adds its config
as one even with ``js=[]``; it is stripped, with the tooltip layer only that script drives),
an explicit size (an image's natural width), and a readable "no data" chart for an empty
period instead of a blank or an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pygal
from pygal.style import Style

from api.web.i18n import Translator

CHARTS = ("first_response", "volume", "csat", "sla")
WIDTH, HEIGHT = 800, 320
MAX_X_LABELS = 10
# A duration axis in the largest unit that keeps numbers readable: (unit, seconds, below).
_UNITS = (("s", 1, 120), ("min", 60, 2 * 3600), ("h", 3600, 2 * 86400), ("d", 86400, None))
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#344054",
    foreground_strong="#1d2433",
    foreground_subtle="#98a2b3",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", '
    '"Noto Sans CJK KR", sans-serif',
    title_font_size=15,
    legend_font_size=12,
    label_font_size=11,
    major_label_font_size=11,
    no_data_font_size=18,
    colors=("#2f6fed", "#b26b00", "#1f8a4c", "#c0362c", "#7a5af8"),
    opacity=".85",
    stroke_width="2",
    transition="0ms",
)


def _strip_scripts(root: Any) -> Any:
    """pygal's ``xml_filters`` hook: drop ``<script>`` and the script-driven tooltip layer."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = str(child.tag).rsplit("}", 1)[-1]
            if tag == "script" or "tooltip-overlay" in (child.get("class") or ""):
                parent.remove(child)
    return root


def _chart(kind: Callable[..., Any], title: str, t: Translator, **config: Any) -> Any:
    settings: dict[str, Any] = {
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "explicit_size": True,
        "js": [],
        "style": _STYLE,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "no_data_text": t("reports.chart.no_data"),
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 16,
        "margin_bottom": 24,
        "legend_box_size": 11,
    }
    chart = kind(**{**settings, **config})
    chart.add_xml_filter(_strip_scripts)
    return chart


def render(chart: Any) -> bytes:
    svg: bytes = chart.render()
    return svg


def message(text: str, t: Translator, title: str = "") -> bytes:
    """A chart with no series and no axes that says ``text`` (an error, or nothing yet)."""
    bare = {"show_y_labels": False, "show_x_labels": False, "show_y_guides": False}
    return render(_chart(pygal.Line, title, t, no_data_text=text, **bare))


def _no_data(t: Translator, title: str) -> bytes:
    return message(t("reports.chart.no_data"), t, title)


def _x_labels(starts: Sequence[str]) -> tuple[list[str], int]:
    """Short dates (years only when the period spans two) and how often to print one."""
    years = {s[:4] for s in starts}
    labels = [s if len(years) > 1 else s[5:] for s in starts]
    every = max(1, -(-len(labels) // MAX_X_LABELS))
    return labels, every


def _timeline(
    kind: Callable[..., Any], title: str, t: Translator, starts: list[str], **config: Any
) -> Any:
    labels, every = _x_labels(starts)
    return _chart(
        kind,
        title,
        t,
        x_labels=labels,
        x_labels_major_every=every,
        show_minor_x_labels=every == 1,
        **config,
    )


def _buckets(series: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = series["series"][0]["buckets"] if series["series"] else []
    return found


def first_response(series: dict[str, Any], t: Translator, *, business: bool) -> bytes:
    """Median and p90 first response (human) per bucket, on an axis in s, min, h or d."""
    key = "first_response_business" if business else "first_response"
    buckets = _buckets(series)
    medians = [b["metrics"][key]["median"] for b in buckets]
    p90s = [b["metrics"][key]["p90"] for b in buckets]
    title = t(f"reports.chart.{key}")
    known = [v for v in (*medians, *p90s) if v is not None]
    if not known:
        return _no_data(t, title)
    unit, size = next((u, s) for u, s, below in _UNITS if below is None or max(known) < below)

    def scaled(values: list[float | None]) -> list[float | None]:
        return [None if v is None else round(v / size, 2) for v in values]

    chart = _timeline(
        pygal.Line,
        title,
        t,
        [b["start"] for b in buckets],
        y_title=t(f"reports.chart.unit.{unit}"),
        include_x_axis=True,
        allow_interruptions=True,
    )
    chart.add(t("reports.chart.median"), scaled(medians))
    chart.add(t("reports.chart.p90"), scaled(p90s))
    return render(chart)


def volume(series: dict[str, Any], t: Translator) -> bytes:
    """Cycles opened and cycles resolved per bucket."""
    buckets = _buckets(series)
    opened = [b["metrics"]["cycles"] for b in buckets]
    resolved = [b["metrics"]["resolved"] for b in buckets]
    title = t("reports.chart.volume")
    if not any(opened) and not any(resolved):
        return _no_data(t, title)
    chart = _timeline(pygal.Bar, title, t, [b["start"] for b in buckets])
    chart.add(t("reports.chart.opened"), opened)
    chart.add(t("reports.chart.resolved"), resolved)
    return render(chart)


def csat(summary: dict[str, Any], t: Translator) -> bytes:
    """How many answers gave each score, 1 to 5."""
    distribution = summary["total"]["csat"]["distribution"]
    counts = [int(distribution[str(n)]) for n in range(1, 6)]
    title = t("reports.chart.csat")
    if not any(counts):
        return _no_data(t, title)
    labels = [str(n) for n in range(1, 6)]
    chart = _chart(pygal.Bar, title, t, show_legend=False, x_labels=labels)
    chart.add(t("reports.chart.answers"), counts)
    return render(chart)


def sla(series: dict[str, Any], t: Translator) -> bytes:
    """Per bucket, the share of decided SLA targets that were met, for each target."""
    buckets = _buckets(series)
    lines = {}
    for name in ("first_response", "next_response", "resolution"):
        shares = [b["metrics"]["sla"][name]["compliance"] for b in buckets]
        lines[name] = [None if s is None else round(s * 100, 1) for s in shares]
    title = t("reports.chart.sla")
    if all(v is None for values in lines.values() for v in values):
        return _no_data(t, title)
    starts = [b["start"] for b in buckets]
    chart = _timeline(pygal.Line, title, t, starts, range=(0, 100), allow_interruptions=True)
    for name, values in lines.items():
        chart.add(t(f"reports.sla.{name}"), values)
    return render(chart)
