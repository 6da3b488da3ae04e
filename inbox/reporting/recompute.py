"""Business-hours figures of history, recomputed after a calendar changed.

A calendar change marks the cycles it affects (``bh_pending``) in the admin's transaction;
the maintenance loop, worker-side, calls :func:`recompute_batch` until none are left. An open
cycle is the last of its conversation and is replayed whole by the recorder, so its SLA
deadlines follow the new hours as well; a closed cycle has its business seconds recounted
from the stored timestamps (its deadlines and breaches are history and stay). A closed cycle
the recorder rewrote meanwhile (``updated_at`` moved) is left alone: the recorder counted
with the calendar of that moment, and cleared the mark itself.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from inbox.conversations.repository import get_conversation_row
from inbox.db import Conn
from inbox.reporting.calendars import business_seconds, calendar_for
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.recorder import record
from rules.calendar import BusinessCalendar

_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]

BATCH = 200

PENDING = (
    select(
        _cycles.c.id,
        _cycles.c.conversation_id,
        _cycles.c.account_id,
        _cycles.c.team_id,
        _cycles.c.opened_at,
        _cycles.c.first_response_at,
        _cycles.c.resolved_at,
        _cycles.c.updated_at,
    )
    .where(_cycles.c.bh_pending.is_(True))
    .order_by(_cycles.c.id)
    .limit(bindparam("limit"))
)
TURNS = select(_turns.c.id, _turns.c.started_at, _turns.c.replied_at).where(
    _turns.c.cycle_id == bindparam("cycle_id")
)
SET_TURN = (
    update(_turns).where(_turns.c.id == bindparam("b_id")).values(bh_seconds=bindparam("b_bh"))
)


async def recompute_batch(conn: Conn, limit: int = BATCH) -> int:
    """Recompute up to ``limit`` marked cycles; returns how many were taken."""
    query = PENDING
    if conn.dialect.name == "postgresql":  # several workers share the backlog, never a row
        query = query.with_for_update(skip_locked=True)
    rows = (await conn.execute(query, {"limit": limit})).all()
    calendars: dict[tuple[int, int | None], BusinessCalendar | None] = {}
    for row in rows:
        if row.resolved_at is None:
            await _replay(conn, row)
            continue
        key = (row.account_id, row.team_id)
        if key not in calendars:
            calendars[key] = await calendar_for(conn, *key)
        await _recount(conn, row, calendars[key])
    return len(rows)


async def _replay(conn: Conn, row: object) -> None:
    cycle: Cycle = row  # type: ignore[assignment]
    conversation = await get_conversation_row(conn, cycle.conversation_id)
    if conversation is not None:
        await record(conn, conversation)
    await conn.execute(update(_cycles).where(_cycles.c.id == cycle.id).values(bh_pending=False))


async def _recount(conn: Conn, row: object, calendar: BusinessCalendar | None) -> None:
    cycle: Cycle = row  # type: ignore[assignment]
    done = await conn.execute(
        update(_cycles)
        .where(
            _cycles.c.id == cycle.id,
            _cycles.c.updated_at == cycle.updated_at,
            _cycles.c.bh_pending.is_(True),
        )
        .values(
            first_response_bh_seconds=business_seconds(
                calendar, cycle.opened_at, cycle.first_response_at
            ),
            resolution_bh_seconds=business_seconds(calendar, cycle.opened_at, cycle.resolved_at),
            bh_pending=False,
        )
    )
    if not done.rowcount:
        return
    turns = await conn.execute(TURNS, {"cycle_id": cycle.id})
    params = [
        {"b_id": t.id, "b_bh": business_seconds(calendar, t.started_at, t.replied_at)}
        for t in turns
    ]
    if params:
        await conn.execute(SET_TURN, params)
