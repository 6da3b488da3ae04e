"""Reports: the summary and the time series over cycle and turn rows, with live counts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, text
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import Conn, dialect_of
from inbox.reporting import aggregate, families
from inbox.reporting.families import Family
from inbox.reporting.names import names_for
from inbox.reporting.shape import empty_metrics, merge_group, metrics_of
from inbox.types import utcnow

GROUPS = ("channel", "account", "agent", "team", "label")
PARTITIONS = ("channel", "account", "agent", "team")  # one key per row (a label is not)
INTERVALS = ("day", "week")
MAX_BUCKETS = 800


class BadReport(ValueError):
    """The request names a group, interval, timezone or period that cannot be reported."""


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
        try:
            ZoneInfo(self.tz)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError on odd keys
            raise BadReport(f"unknown timezone {self.tz!r}") from exc

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


def _group_key(group: str, fam: Family) -> aggregate.Key:
    column = {
        "channel": fam.table.c.channel,
        "account": fam.table.c.account_id,
        "agent": fam.agent,
        "team": fam.team,
        "label": families.labels.c.label,
    }[group]
    return aggregate.Key("group", column)


def _bucket_key(interval: str, f: ReportFilter, fam: Family) -> aggregate.Key:
    zone = f.zone
    local = func.timezone(f.tz, fam.time)
    sql = func.date_trunc(interval, local)

    def py(value: datetime) -> date:
        return bucket_start(value.astimezone(zone).date(), interval)

    return aggregate.Key("bucket", sql, raw=fam.time, py=py)


def bucket_start(day: date, interval: str) -> date:
    return day - timedelta(days=day.weekday()) if interval == "week" else day


async def _run_families(
    db: AsyncEngine,
    f: ReportFilter,
    group: str | None,
    interval: str | None,
    with_total: bool = False,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The three families' figures, merged per key. Each family is one statement on its own
    connection, all at once: on PostgreSQL they run in parallel backends (each reads its own
    snapshot; a change committed between them can show in one family and not yet in another).
    """
    now = utcnow()
    postgres = db.dialect.name == "postgresql"

    async def one(make: Any) -> tuple[str, dict[tuple[Any, ...], dict[str, Any]]]:
        fam = make(now)
        keys = []
        if interval is not None:
            keys.append(_bucket_key(interval, f, fam))
        if group is not None:
            keys.append(_group_key(group, fam))
        q = aggregate.Query(
            source=fam.source(with_labels=f.label is not None or group == "label"),
            where=where_for(f, fam),
            keys=keys,
            stats=fam.stats,
            tallies=fam.tallies,
            with_total=with_total,
        )
        async with db.connect() as conn:
            await _room_to_sort(conn)
            return fam.name, await aggregate.run(conn, q)

    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, found in await asyncio.gather(*(one(make) for make in families.FAMILIES)):
        for key, values in found.items():
            if key and interval is not None and postgres:
                key = (key[0].date(), *key[1:])
            merge_group(merged.setdefault(key, {}), name, values)
    return merged


def check_group(group: str | None) -> None:
    if group is not None and group not in GROUPS:
        raise BadReport(f"group_by is one of {', '.join(GROUPS)}")


async def _room_to_sort(conn: Conn) -> None:
    """Enough working memory for the percentiles' sorts to stay in memory: at PostgreSQL's
    default 4 MB, 100,000-row sorts spill to disk (bench/reports: 1,036 → 749 ms). For this
    transaction only."""
    if dialect_of(conn) == "postgresql":
        await conn.execute(text("SET LOCAL work_mem = '64MB'"))


async def summary(db: AsyncEngine, f: ReportFilter, group: str | None = None) -> dict[str, Any]:
    check_group(group)
    one_pass = group in PARTITIONS  # each row has one key: the total comes in the same pass
    grouped = await _run_families(db, f, group, None, with_total=one_pass)
    if group is None or one_pass:
        total = grouped.pop((), {})
    else:  # a conversation has several labels: the total is a pass of its own
        total = (await _run_families(db, f, None, None)).get((), {})
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
    found = await _run_families(db, f, group, interval)
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
    async with db.connect() as conn:
        return await names_for(conn, group, keys)
