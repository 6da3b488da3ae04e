"""The embedded queue: a table in the service's own database, leased with a timeout.

A claim stamps ``lease_until``; a worker that dies simply stops renewing, and the next claim
after the lease runs out takes the event again. ``attempts`` grows at every claim, so an event
that crashes its worker every time is parked instead of looping forever.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import Conn, insert_ignore, unit_of_work
from inbox.queue.base import DeadEvent, NewEvent, QueuedEvent, QueueUnavailable
from inbox.queue.dead_letters import insert_dead
from inbox.queue.models import QueuedEventRow

_q = QueuedEventRow.__table__  # type: ignore[attr-defined]


_SQLITE_INSERT = (
    "INSERT INTO queue_events"
    " (channel, account_id, dedup_key, payload, received_at, available_at, status, attempts)"
    " VALUES {rows} ON CONFLICT (account_id, dedup_key) DO NOTHING"
    " RETURNING account_id, dedup_key"
)


async def _insert_sqlite(events: Sequence[NewEvent], conn: Conn) -> set[tuple[int, str]]:
    """The webhook hot path on SQLite as one plain statement: the Core insert-many machinery
    cost more interpreter time than the write itself, time the webhooks wait for."""
    sql = _SQLITE_INSERT.format(rows=",".join(["(?, ?, ?, ?, ?, ?, 'pending', 0)"] * len(events)))
    params: list[object] = []
    for e in events:
        params += (e.channel, e.account_id, e.dedup_key, e.payload, e.received_at, e.received_at)
    result = await conn.exec_driver_sql(sql, tuple(params))
    rows: list[Any] = list(result)
    return {(int(row[0]), str(row[1])) for row in rows}


async def _insert_core(events: Sequence[NewEvent], conn: Conn) -> set[tuple[int, str]]:
    rows = [
        {
            "channel": e.channel,
            "account_id": e.account_id,
            "dedup_key": e.dedup_key,
            "payload": e.payload,
            "received_at": e.received_at,
            "available_at": e.received_at,
            "status": "pending",
            "attempts": 0,
        }
        for e in events
    ]
    stmt = insert_ignore(conn.dialect.name, _q, ["account_id", "dedup_key"]).returning(
        _q.c.account_id, _q.c.dedup_key
    )
    result = await conn.execute(stmt, rows)
    return {(row.account_id, row.dedup_key) for row in result}


class EmbeddedQueue:
    def __init__(self, engine: AsyncEngine, *, lease_seconds: float, max_attempts: int) -> None:
        self._engine = engine
        self._lease = lease_seconds
        self._max_attempts = max_attempts
        self._dialect = engine.dialect.name

    async def enqueue_many(self, events: Sequence[NewEvent]) -> list[bool]:
        if not events:
            return []
        insert = _insert_sqlite if self._dialect == "sqlite" else _insert_core
        try:
            async with unit_of_work(self._engine) as conn:
                inserted = await insert(events, conn)
        except SQLAlchemyError as exc:
            raise QueueUnavailable(str(exc)) from exc
        flags: list[bool] = []
        for e in events:  # the first of several identical deliveries in one batch is the new one
            key = (e.account_id, e.dedup_key)
            flags.append(key in inserted)
            inserted.discard(key)
        return flags

    async def claim(self, consumer: str, limit: int) -> list[QueuedEvent]:
        now = time.time()
        ready = (
            select(_q.c.id)
            .where(
                _q.c.status == "pending",
                _q.c.available_at <= now,
                or_(_q.c.lease_until.is_(None), _q.c.lease_until < now),
            )
            .order_by(_q.c.id)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            ready = ready.with_for_update(skip_locked=True)
        stmt = (
            update(_q)
            .where(_q.c.id.in_(ready.scalar_subquery()))
            .values(lease_owner=consumer, lease_until=now + self._lease, attempts=_q.c.attempts + 1)
            .returning(
                _q.c.id,
                _q.c.channel,
                _q.c.account_id,
                _q.c.dedup_key,
                _q.c.payload,
                _q.c.received_at,
                _q.c.attempts,
            )
        )
        async with unit_of_work(self._engine) as conn:
            rows: list[Any] = list(await conn.execute(stmt))
        claimed = sorted(
            (QueuedEvent(str(r[0]), r[1], r[2], r[3], bytes(r[4]), r[5], r[6]) for r in rows),
            key=lambda e: int(e.id),
        )
        fresh = [e for e in claimed if e.attempts <= self._max_attempts]
        for event in claimed:
            if event.attempts > self._max_attempts:
                await self.park(event, "gave up: the worker stopped while handling it every time")
        return fresh

    async def ack(self, events: Sequence[QueuedEvent]) -> None:
        if not events:
            return
        async with unit_of_work(self._engine) as conn:
            await conn.execute(
                update(_q)
                .where(_q.c.id.in_([int(e.id) for e in events]))
                .values(status="done", processed_at=time.time(), lease_owner=None, lease_until=None)
            )

    async def retry(self, event: QueuedEvent, delay: float, error: str) -> None:
        async with unit_of_work(self._engine) as conn:
            await conn.execute(
                update(_q)
                .where(_q.c.id == int(event.id))
                .values(
                    status="pending",
                    available_at=time.time() + delay,
                    lease_owner=None,
                    lease_until=None,
                    last_error=error[:4000],
                )
            )

    async def park(self, event: QueuedEvent, error: str) -> None:
        async with unit_of_work(self._engine) as conn:
            await conn.execute(
                update(_q)
                .where(_q.c.id == int(event.id))
                .values(status="dead", lease_owner=None, lease_until=None, last_error=error[:4000])
            )
            await insert_dead(conn, event, error)

    async def requeue(self, dead: DeadEvent) -> None:
        now = time.time()
        async with unit_of_work(self._engine) as conn:
            result = await conn.execute(
                update(_q)
                .where(_q.c.account_id == dead.account_id, _q.c.dedup_key == dead.dedup_key)
                .values(status="pending", attempts=0, available_at=now, lease_until=None)
            )
            if result.rowcount == 0:  # purged meanwhile: enqueue it afresh
                await conn.execute(
                    insert_ignore(self._dialect, _q, ["account_id", "dedup_key"]),
                    [
                        {
                            "channel": dead.channel,
                            "account_id": dead.account_id,
                            "dedup_key": dead.dedup_key,
                            "payload": dead.payload,
                            "received_at": dead.received_at,
                            "available_at": now,
                            "status": "pending",
                            "attempts": 0,
                        }
                    ],
                )

    async def depth(self) -> int:
        async with unit_of_work(self._engine, writer=False) as conn:
            count = await conn.scalar(select(func.count()).where(_q.c.status == "pending"))
        return int(count or 0)

    async def purge_done(self, older_than_seconds: float) -> int:
        """Forget processed events once platforms can no longer redeliver them."""
        cutoff = time.time() - older_than_seconds
        async with unit_of_work(self._engine) as conn:
            result = await conn.execute(
                delete(_q).where(and_(_q.c.status == "done", _q.c.processed_at < cutoff))
            )
        return int(result.rowcount or 0)

    async def ping(self) -> None:
        async with unit_of_work(self._engine, writer=False) as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        return None
