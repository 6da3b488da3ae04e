"""A family's rows over a period as one frame: stored day blocks where a day is unchanged,
the rows themselves where it changed (or has no block yet), so a report is never stale.

A block is one family's rows of one UTC day, encoded (``frame.encode``). The maintenance loop
rebuilds the days marked changed once their first mark is ``SETTLE_SECONDS`` old (the
current day, written all the time, is rebuilt about that often, not at every message).

Each process keeps the blocks it decoded (``BlockCache``, up to ``CACHE_BYTES``) and checks
them against the stored block's ``built_at`` on every read, so a repeated report reads only
the list of days, and a rebuilt day is fetched again.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import Conn, dialect_of
from inbox.reporting import frame as frames
from inbox.reporting.block_models import ReportBlock, ReportDirty
from inbox.reporting.families import BY_NAME, Family, labels
from inbox.reporting.frame import Frame
from inbox.types import utcnow

_blocks = ReportBlock.__table__  # type: ignore[attr-defined]
_dirty = ReportDirty.__table__  # type: ignore[attr-defined]

SETTLE_SECONDS = 30.0
BATCH_DAYS = 40  # rebuilt per round
_LOCK_KEY = 0x6F6D6E69  # one rebuilder at a time across workers (PostgreSQL advisory lock)
CACHE_BYTES = 256 * 1024 * 1024


class BlockCache:
    """Decoded blocks of one database, least recently used first out past ``max_bytes``."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[str, date], tuple[datetime, Frame, int]] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()
        self.size = 0

    def get(self, family: str, day: date, built_at: datetime) -> Frame | None:
        found = self._items.get((family, day))
        if found is None or found[0] != built_at:
            return None
        self._items.move_to_end((family, day))
        return found[1]

    def put(self, family: str, day: date, built_at: datetime, data: bytes) -> Frame:
        decoded = frames.decode(data)
        old = self._items.pop((family, day), None)
        if old is not None:
            self.size -= old[2]
        self._items[(family, day)] = (built_at, decoded, len(data))
        self.size += len(data)
        while self.size > self.max_bytes and self._items:
            _, (_, _, size) = self._items.popitem(last=False)
            self.size -= size
        return decoded


_caches: weakref.WeakKeyDictionary[Any, BlockCache] = weakref.WeakKeyDictionary()


def cache_for(engine: AsyncEngine) -> BlockCache:
    cache = _caches.get(engine.sync_engine)
    if cache is None:
        cache = _caches[engine.sync_engine] = BlockCache()
    return cache


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _days(start: datetime, end: datetime) -> list[date]:
    first = start.astimezone(UTC).date()
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


async def load(
    conn: Conn, fam: Family, start: datetime, end: datetime, cache: BlockCache | None = None
) -> Frame:
    """Every row of ``fam`` whose time may fall in [start, end): whole UTC days, which the
    report masks to the exact period."""
    cache = cache or BlockCache(0)
    days = _days(start, end)
    dirty = exists().where(_dirty.c.family == _blocks.c.family, _dirty.c.day == _blocks.c.day)
    in_days = _blocks.c.family == fam.name, _blocks.c.day >= days[0], _blocks.c.day <= days[-1]
    listed = await conn.execute(select(_blocks.c.day, _blocks.c.built_at).where(*in_days, ~dirty))
    clean: dict[date, Frame | None] = {
        row.day: cache.get(fam.name, row.day, row.built_at) for row in listed
    }
    missing = [d for d, found in clean.items() if found is None]
    for chunk in range(0, len(missing), 200):
        fetched = await conn.execute(
            select(_blocks.c.day, _blocks.c.built_at, _blocks.c.data).where(
                _blocks.c.family == fam.name, _blocks.c.day.in_(missing[chunk : chunk + 200])
            )
        )
        for row in fetched:
            clean[row.day] = cache.put(fam.name, row.day, row.built_at, row.data)
    parts = [found for d in days if (found := clean.get(d)) is not None]
    for lo, hi in _runs([d for d in days if clean.get(d) is None]):
        a, b = max(start, day_start(lo)), min(end, day_start(hi + timedelta(days=1)))
        parts.append(await raw(conn, fam, a, b))
    return frames.concat(fam.kinds, parts)


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) pairs: one query per stretch."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


async def raw(conn: Conn, fam: Family, start: datetime, end: datetime) -> Frame:
    """The family's rows with time in [start, end), read from their tables."""
    in_period = and_(fam.time >= start, fam.time < end)
    cols = [expr.label(name) for name, (expr, _) in fam.loads.items()]
    rows = (await conn.execute(select(*cols).where(in_period))).all()
    if not rows:
        return frames.empty(fam.kinds)
    conversations = select(fam.table.c.conversation_id).where(in_period)
    found = await conn.execute(
        select(labels.c.conversation_id, labels.c.label).where(
            labels.c.conversation_id.in_(conversations)
        )
    )
    by_conversation: dict[int, list[str]] = defaultdict(list)
    for pair in found:
        by_conversation[pair.conversation_id].append(pair.label)
    at = list(fam.loads).index("conversation")
    pairs = [(i, w) for i, row in enumerate(rows) for w in by_conversation.get(row[at], ())]
    return frames.from_rows(fam.kinds, rows, pairs)


async def rebuild(conn: Conn, *, limit: int = BATCH_DAYS, settle: float = SETTLE_SECONDS) -> int:
    """Rebuild up to ``limit`` changed days whose first mark is ``settle`` seconds old; returns
    how many. Marks are read before the rows, and only the marks read are removed: a change
    committed meanwhile keeps its own mark, so its day is read raw until the next round."""
    if dialect_of(conn) == "postgresql":
        got = await conn.scalar(select(func.pg_try_advisory_xact_lock(_LOCK_KEY)))
        if not got:
            return 0
    cutoff = utcnow() - timedelta(seconds=settle)
    first = func.min(_dirty.c.marked_at)
    due = (
        await conn.execute(
            select(_dirty.c.family, _dirty.c.day)
            .group_by(_dirty.c.family, _dirty.c.day)
            .having(first <= cutoff)
            .order_by(first)
            .limit(limit)
        )
    ).all()
    for row in due:
        await _rebuild_day(conn, BY_NAME.get(row.family), row.family, row.day)
    return len(due)


async def _rebuild_day(conn: Conn, fam: Family | None, family: str, day: date) -> None:
    marks = _dirty.c.family == family, _dirty.c.day == day
    ids = list((await conn.execute(select(_dirty.c.id).where(*marks))).scalars())
    await conn.execute(delete(_blocks).where(_blocks.c.family == family, _blocks.c.day == day))
    if fam is not None:
        built = await raw(conn, fam, day_start(day), day_start(day + timedelta(days=1)))
        values: dict[str, Any] = {
            "family": family,
            "day": day,
            "rows": len(built),
            "built_at": utcnow(),
            "data": frames.encode(built),
        }
        await conn.execute(insert(_blocks).values(**values))
    for chunk in range(0, len(ids), 500):
        await conn.execute(delete(_dirty).where(_dirty.c.id.in_(ids[chunk : chunk + 500])))
