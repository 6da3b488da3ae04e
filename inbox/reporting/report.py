"""Reports: the summary and the time series over cycle and turn rows, with live counts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import unit_of_work
from inbox.errors import Invalid
from inbox.reporting import aggregate, blocks, families, selection
from inbox.reporting.families import Family
from inbox.reporting.frame import Frame
from inbox.reporting.names import names_for
from inbox.reporting.shape import empty_metrics, merge_group, metrics_of
from inbox.types import utcnow

GROUPS = ("channel", "account", "agent", "team", "label")
INTERVALS = ("day", "week")
MAX_BUCKETS = 800


class BadReport(Invalid):
    """The request names a group, interval, timezone or period that cannot be reported."""


def zone_named(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError on odd keys
        raise BadReport(f"unknown timezone {tz!r}") from exc


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: datetime
    end: datetime
    tz: str = "UTC"
    channel: str | None = None
    account_id: int | None = None
    agent_id: int | None = None
    team_id: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise BadReport("from and to need a timezone offset")
        if self.end <= self.start:
            raise BadReport("to must be after from")
        zone_named(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


def where_for(f: ReportFilter, fam: Family) -> list[ColumnElement[bool]]:
    t = fam.table.c
    where = [fam.time >= f.start, fam.time < f.end]
    if f.channel is not None:
        where.append(t.channel == f.channel)
    if f.account_id is not None:
        where.append(t.account_id == f.account_id)
    if f.agent_id is not None:
        where.append(fam.agent == f.agent_id)
    if f.team_id is not None:
        where.append(fam.team == f.team_id)
    if f.label is not None:
        where.append(families.labels.c.label == f.label)
    return where


def bucket_start(day: date, interval: str) -> date:
    return day - timedelta(days=day.weekday()) if interval == "week" else day


async def _run_families(
    db: AsyncEngine,
    f: ReportFilter,
    group: str | None,
    buckets: list[date] | None,
    with_total: bool = False,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The three families' figures, merged per key (``()`` is the total). Each family loads on
    its own connection, all at once (on PostgreSQL: parallel backends, each with its own
    snapshot; a change committed between them can show in one family and not yet in another),
    and is counted in a thread (numpy lets go of the GIL while it sorts)."""
    now = utcnow().timestamp()

    async def one(fam: Family) -> tuple[str, dict[tuple[Any, ...], dict[str, Any]]]:
        async with unit_of_work(db, writer=False) as conn:
            frame = await blocks.load(conn, fam, f.start, f.end, blocks.cache_for(db))
        return fam.name, await asyncio.to_thread(
            _count, fam, frame, f, group, buckets, with_total, now
        )

    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, found in await asyncio.gather(*(one(fam) for fam in families.FAMILIES)):
        for key, values in found.items():
            merge_group(merged.setdefault(key, {}), name, values)
    return merged


def _count(
    fam: Family,
    frame: Frame,
    f: ReportFilter,
    group: str | None,
    buckets: list[date] | None,
    with_total: bool,
    now: float,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    stats, tallies = fam.derive(frame, now)
    keep = selection.mask(frame, f)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    if group is not None or buckets is not None:
        sel = selection.grouped(frame, keep, group, buckets, f)
        found.update(aggregate.summarise(stats, tallies, sel))
    if with_total or (group is None and buckets is None):
        found.update(aggregate.summarise(stats, tallies, selection.total(keep)))
    return found


def check_group(group: str | None) -> None:
    if group is not None and group not in GROUPS:
        raise BadReport(f"group_by is one of {', '.join(GROUPS)}")


async def summary(db: AsyncEngine, f: ReportFilter, group: str | None = None) -> dict[str, Any]:
    check_group(group)
    grouped = await _run_families(db, f, group, None, with_total=True)
    total = grouped.pop((), {})
    out: dict[str, Any] = {
        "period": _period(f),
        "group_by": group,
        "total": metrics_of(total),
        "groups": [],
    }
    if group is not None:
        names = await _names(db, group, [k[0] for k in grouped])
        out["groups"] = [
            {
                "key": _key_text(k[0]),
                "name": names.get(k[0], _key_text(k[0])),
                "metrics": metrics_of(v),
            }
            for k, v in sorted(grouped.items(), key=lambda kv: _sortable(kv[0][0]))
        ]
    return out


async def timeseries(
    db: AsyncEngine, f: ReportFilter, interval: str = "day", group: str | None = None
) -> dict[str, Any]:
    if interval not in INTERVALS:
        raise BadReport(f"interval is one of {', '.join(INTERVALS)}")
    check_group(group)
    starts = _bucket_starts(f, interval)
    found = await _run_families(db, f, group, starts)
    series: dict[Any, dict[date, dict[str, Any]]] = {}
    for key, values in found.items():
        series.setdefault(key[1] if group else None, {})[key[0]] = values
    names = await _names(db, group, [k for k in series if k is not None])
    out_series = []
    for gkey in sorted(series, key=_sortable) if series else ([None] if not group else []):
        by_start = series.get(gkey, {})
        out_series.append(
            {
                "key": None if gkey is None else _key_text(gkey),
                "name": None if gkey is None else names.get(gkey, _key_text(gkey)),
                "buckets": [
                    {
                        "start": s.isoformat(),
                        "metrics": metrics_of(by_start[s]) if s in by_start else empty_metrics(),
                    }
                    for s in starts
                ],
            }
        )
    return {"period": _period(f), "interval": interval, "group_by": group, "series": out_series}


def _bucket_starts(f: ReportFilter, interval: str) -> list[date]:
    first = bucket_start(f.start.astimezone(f.zone).date(), interval)
    last = (f.end - timedelta(microseconds=1)).astimezone(f.zone).date()
    step = timedelta(days=7 if interval == "week" else 1)
    count = (last - first) // step + 1
    if count > MAX_BUCKETS:
        raise BadReport(f"at most {MAX_BUCKETS} {interval}s per series; shorten the period")
    return [first + i * step for i in range(count)]


def _period(f: ReportFilter) -> dict[str, str]:
    return {"from": f.start.isoformat(), "to": f.end.isoformat(), "tz": f.tz}


def _key_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _sortable(value: Any) -> tuple[int, str]:
    return (
        (1, "") if value is None else (0, f"{value:>20}" if isinstance(value, int) else str(value))
    )


async def _names(db: AsyncEngine, group: str | None, keys: list[Any]) -> dict[Any, str]:
    if not group:
        return {}
    async with unit_of_work(db, writer=False) as conn:
        return await names_for(conn, group, keys)
