"""Count, mean, median and p90 per group, in the database where it can, else in Python.

PostgreSQL computes everything in one grouped statement (``percentile_cont``). SQLite has
no percentiles: the same selection is read row by row and reduced here with the same
definitions (continuous percentiles, nulls ignored), so both backends give the same figures.
Tallies are 0/1 expressions summed per group (met / breached, CSAT scores).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.sql import FromClause

from inbox.db import Conn, dialect_of

KeyFn = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Key:
    """A group key: ``sql`` on PostgreSQL; on SQLite ``raw`` is read and ``py`` maps it."""

    name: str
    sql: ColumnElement[Any]
    raw: ColumnElement[Any] | None = None
    py: KeyFn | None = None


@dataclass(frozen=True, slots=True)
class Query:
    source: FromClause
    where: Sequence[ColumnElement[bool]]
    keys: Sequence[Key]
    stats: dict[str, ColumnElement[Any]]  # name -> a nullable duration (seconds) or score
    tallies: dict[str, ColumnElement[Any]]  # name -> a 0/1 expression
    # Also the whole selection, keyed ``()``, in the same pass (for keys that partition the
    # rows: each row has one key, so the total counts every row once).
    with_total: bool = False


def _empty_stats() -> dict[str, Any]:
    return {"count": 0, "mean": None, "median": None, "p90": None}


async def run(conn: Conn, q: Query) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``{group key tuple: {"rows": n, stat: {count, mean, median, p90}, tally: n}}``."""
    if dialect_of(conn) == "postgresql":
        return await _in_sql(conn, q)
    return await _in_python(conn, q)


async def _in_sql(conn: Conn, q: Query) -> dict[tuple[Any, ...], dict[str, Any]]:
    cols: list[Any] = [k.sql.label(f"k_{i}") for i, k in enumerate(q.keys)]
    cols.append(func.count().label("rows"))
    for name, v in q.stats.items():
        cols += [
            func.count(v).label(f"{name}__count"),
            func.avg(v).label(f"{name}__mean"),
            func.percentile_cont(0.5).within_group(v).label(f"{name}__median"),
            func.percentile_cont(0.9).within_group(v).label(f"{name}__p90"),
        ]
    cols += [func.coalesce(func.sum(t), 0).label(f"t__{name}") for name, t in q.tallies.items()]
    keys = [k.sql for k in q.keys]
    total = q.with_total and bool(keys)
    if total:  # 1 on the row of the empty grouping set: the total, not a NULL key
        cols.append(func.grouping(*keys).label("is_total"))
    stmt: Select[Any] = select(*cols).select_from(q.source).where(*q.where)
    if total:
        stmt = stmt.group_by(func.grouping_sets(tuple_(), tuple_(*keys)))
    elif keys:
        stmt = stmt.group_by(*keys)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in (await conn.execute(stmt)).mappings():
        if total and row["is_total"]:
            key: tuple[Any, ...] = ()
        else:
            key = tuple(row[f"k_{i}"] for i in range(len(q.keys)))
        if not key and row["rows"] == 0:
            continue
        group: dict[str, Any] = {"rows": int(row["rows"])}
        for name in q.stats:
            count = int(row[f"{name}__count"])
            group[name] = {
                "count": count,
                "mean": _float(row[f"{name}__mean"]) if count else None,
                "median": _float(row[f"{name}__median"]) if count else None,
                "p90": _float(row[f"{name}__p90"]) if count else None,
            }
        for name in q.tallies:
            group[name] = int(row[f"t__{name}"])
        out[key] = group
    return out


async def _in_python(conn: Conn, q: Query) -> dict[tuple[Any, ...], dict[str, Any]]:
    raw_keys = [
        (k.raw if k.raw is not None else k.sql).label(f"k_{i}") for i, k in enumerate(q.keys)
    ]
    cols = [*raw_keys]
    cols += [v.label(f"s__{name}") for name, v in q.stats.items()]
    cols += [t.label(f"t__{name}") for name, t in q.tallies.items()]
    stmt = select(*cols).select_from(q.source).where(*q.where)
    values: dict[tuple[Any, ...], dict[str, list[float]]] = {}
    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in (await conn.execute(stmt)).mappings():
        key = tuple(
            (k.py(row[f"k_{i}"]) if k.py is not None else row[f"k_{i}"])
            for i, k in enumerate(q.keys)
        )
        for into in (key, ()) if q.with_total and q.keys else (key,):
            vals = values.setdefault(into, {name: [] for name in q.stats})
            tally = counts.setdefault(into, {"rows": 0, **dict.fromkeys(q.tallies, 0)})
            tally["rows"] += 1
            for name in q.stats:
                v = row[f"s__{name}"]
                if v is not None:
                    vals[name].append(float(v))
            for name in q.tallies:
                tally[name] += int(row[f"t__{name}"] or 0)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, vals in values.items():
        group: dict[str, Any] = dict(counts[key])
        for name, xs in vals.items():
            group[name] = describe(xs)
        out[key] = group
    return out


def describe(xs: list[float]) -> dict[str, Any]:
    if not xs:
        return _empty_stats()
    xs = sorted(xs)
    return {
        "count": len(xs),
        "mean": math.fsum(xs) / len(xs),
        "median": percentile(xs, 0.5),
        "p90": percentile(xs, 0.9),
    }


def percentile(sorted_xs: list[float], q: float) -> float:
    """Continuous percentile (linear between ranks): PostgreSQL's ``percentile_cont``."""
    pos = (len(sorted_xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
