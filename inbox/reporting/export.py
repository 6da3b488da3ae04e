"""CSV of the report tables and a row per cycle, safe to open in a spreadsheet.

A cell that starts with ``= + - @`` (or a tab / carriage return) would be read as a formula by
spreadsheet programs; names and labels come from customers and agents, so such cells are
prefixed with an apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import unit_of_work
from inbox.reporting import families
from inbox.reporting.report import ReportFilter, where_for
from inbox.reporting.shape import DURATIONS, SLA_METRICS

_c = families.cycles.c
CYCLE_COLUMNS = (
    "id",
    "conversation_id",
    "seq",
    "account_id",
    "channel",
    "opened_at",
    "first_response_at",
    "first_response_seconds",
    "first_response_bh_seconds",
    "first_response_agent_id",
    "first_response_team_id",
    "first_response_native",
    "first_automated_at",
    "first_automated_seconds",
    "resolved_at",
    "resolved_by_id",
    "resolution_seconds",
    "resolution_bh_seconds",
    "agent_id",
    "team_id",
    "priority",
    "customer_turns",
    "answered_turns",
    "csat_score",
    "sla_policy_id",
    "first_response_due_at",
    "first_response_breached",
    "resolution_due_at",
    "resolution_breached",
)


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def _line(values: Iterable[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([safe_cell(v) for v in values])
    return buf.getvalue()


def metric_columns() -> list[str]:
    cols = ["cycles", "resolved", "customer_turns", "answered_turns"]
    for name in (*DURATIONS, "csat"):
        cols += [f"{name}_{s}" for s in ("count", "mean", "median", "p90")]
    cols += ["csat_satisfied_share", *[f"csat_{n}" for n in range(1, 6)]]
    for name in SLA_METRICS:
        cols += [f"sla_{name}_{s}" for s in ("met", "breached", "compliance")]
    return cols


def metric_values(m: dict[str, Any]) -> list[Any]:
    vals: list[Any] = [m["cycles"], m["resolved"], m["customer_turns"], m["answered_turns"]]
    for name in (*DURATIONS, "csat"):
        vals += [m[name][s] for s in ("count", "mean", "median", "p90")]
    csat = m["csat"]
    vals += [csat["satisfied_share"], *[csat["distribution"][str(n)] for n in range(1, 6)]]
    for name in SLA_METRICS:
        vals += [m["sla"][name][s] for s in ("met", "breached", "compliance")]
    return vals


def summary_csv(report: dict[str, Any]) -> str:
    lines = [_line(["group", "name", *metric_columns()])]
    lines.append(_line(["total", "", *metric_values(report["total"])]))
    lines += [_line([g["key"], g["name"], *metric_values(g["metrics"])]) for g in report["groups"]]
    return "".join(lines)


def timeseries_csv(report: dict[str, Any]) -> str:
    lines = [_line(["group", "name", "start", *metric_columns()])]
    for series in report["series"]:
        for b in series["buckets"]:
            row = [series["key"] or "", series["name"] or "", b["start"]]
            lines.append(_line([*row, *metric_values(b["metrics"])]))
    return "".join(lines)


async def cycles_csv(engine: AsyncEngine, f: ReportFilter) -> AsyncIterator[str]:
    """A row per cycle opened in the period, streamed on its own read connection (the table
    can be large, and the response outlives the request's transaction)."""
    fam = families.OPENED
    stmt = (
        select(*[_c[name] for name in CYCLE_COLUMNS])
        .select_from(fam.source(with_labels=f.label is not None))
        .where(*where_for(f, fam))
        .order_by(_c.opened_at, _c.id)
    )
    yield _line(CYCLE_COLUMNS)
    async with unit_of_work(engine, writer=False) as conn:
        result = await conn.stream(stmt)
        async for row in result:
            yield _line(row)
