"""What the reports page prints: durations in words ("4 min 10 s", "2 h 5 min", "3 d 4 h" in
the reader's language), shares as percentages, and the summary as rows (total, then groups)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.web.i18n import Translator

DASH = "—"
# (shown name, metric key with wall-clock time, metric key with business hours)
TIMES = (
    ("first_response", "first_response", "first_response_business"),
    ("first_automated_response", "first_automated_response", "first_automated_response"),
    ("response", "response", "response_business"),
    ("resolution", "resolution", "resolution_business"),
)
STATS = ("count", "mean", "median", "p90")
SLA = ("first_response", "next_response", "resolution")


def duration(seconds: float | None, t: Translator) -> str:
    """Two units at most, the smaller one rounded: enough to compare, short enough to scan."""
    if seconds is None:
        return DASH
    if 0 < seconds < 0.5:
        return t("reports.unit.under_second")
    n = round(seconds)
    if n < 60:
        return t("reports.unit.s", n=n)
    if n < 3600:
        return _two(t, divmod(n, 60), "min", "s")
    minutes = round(n / 60)
    if minutes < 24 * 60:
        return _two(t, divmod(minutes, 60), "h", "min")
    return _two(t, divmod(round(n / 3600), 24), "d", "h")


def _two(t: Translator, parts: tuple[int, int], big: str, small: str) -> str:
    high, low = parts
    text = t(f"reports.unit.{big}", n=high)
    return f"{text} {t(f'reports.unit.{small}', n=low)}" if low else text


def percent(share: float | None) -> str:
    if share is None:
        return DASH
    value = round(share * 100, 1)
    return f"{value:g}%"


def score(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    name: str
    total: bool
    metrics: dict[str, Any]


def group_name(
    group_by: str | None, key: str | None, name: str | None, t: Translator, people: dict[str, str]
) -> str:
    if key is None:
        return t("reports.group.none")
    if group_by == "channel":
        return t(f"admin.channel.{key}")
    if group_by == "agent":
        return name or people.get(key) or key  # an agent without a name goes by the email
    return name or key


def rows_of(summary: dict[str, Any], t: Translator, people: dict[str, str]) -> list[Row]:
    """The total, then a row per group; ``people`` names agents by id (name or email)."""
    group_by = summary["group_by"]
    rows = [Row("total", t("reports.total"), True, summary["total"])]
    for g in summary["groups"]:
        name = group_name(group_by, g["key"], g["name"], t, people)
        rows.append(Row(g["key"] or "", name, False, g["metrics"]))
    return rows


def times(business: bool) -> list[tuple[str, str]]:
    """(shown name, metric key) for the times table, the business variants when asked."""
    return [(shown, bh if business else wall) for shown, wall, bh in TIMES]
