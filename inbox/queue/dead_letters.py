"""Dead letters: shared by both backends, kept in the database an admin already reads."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from inbox.db import Conn
from inbox.queue.base import DeadEvent, EventQueue, QueuedEvent
from inbox.queue.models import DeadEventRow

_dead = DeadEventRow.__table__  # type: ignore[attr-defined]


async def insert_dead(conn: Conn, event: QueuedEvent, error: str) -> None:
    await conn.execute(
        insert(_dead).values(
            channel=event.channel,
            account_id=event.account_id,
            dedup_key=event.dedup_key,
            payload=event.payload,
            received_at=event.received_at,
            attempts=event.attempts,
            error=error[:4000],
            parked_at=time.time(),
            source_id=event.id,
        )
    )


def _to_dead(row: DeadEventRow) -> DeadEvent:
    return DeadEvent(
        id=row.id or 0,
        channel=row.channel,
        account_id=row.account_id,
        dedup_key=row.dedup_key,
        payload=row.payload,
        received_at=row.received_at,
        attempts=row.attempts,
        error=row.error,
        parked_at=row.parked_at,
    )


async def list_dead(
    conn: Conn, *, limit: int = 50, before_id: int | None = None
) -> list[DeadEvent]:
    query = select(_dead).order_by(_dead.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(_dead.c.id < before_id)
    rows = (await conn.execute(query)).all()
    return [_to_dead(DeadEventRow.model_validate(row._mapping)) for row in rows]


async def get_dead(conn: Conn, dead_id: int) -> DeadEvent | None:
    row = (await conn.execute(select(_dead).where(_dead.c.id == dead_id))).first()
    return _to_dead(DeadEventRow.model_validate(row._mapping)) if row else None


async def replay_dead(conn: Conn, queue: EventQueue, ids: Sequence[int]) -> int:
    """Requeue then delete: a crash in between replays twice, which the worker absorbs."""
    replayed = 0
    for dead_id in ids:
        dead = await get_dead(conn, dead_id)
        if dead is None:
            continue
        await queue.requeue(dead)
        await conn.execute(delete(_dead).where(_dead.c.id == dead_id))
        replayed += 1
    return replayed
