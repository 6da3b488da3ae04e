"""Keep a conversation's cycle and turn rows true after anything that can change them.

:func:`record_metrics` is a reaction (:mod:`inbox.changes`): it runs in the same transaction
as the change (a stored message, a queued or failed reply, a status change), so the rows
never disagree with what they were derived from. Only the last cycle and what follows it are
replayed: earlier cycles are closed and cannot change.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, bindparam, delete, select

from inbox.changes import (
    Change,
    Changes,
    ConversationChanged,
    ConversationSnapshot,
    DeliveryDone,
    MessageStored,
    ReplyQueued,
)
from inbox.conversations.repository import get_conversation_row
from inbox.db import Conn, dialect_of, upsert
from inbox.reporting import sla, timeline
from inbox.reporting.calendars import business_seconds, calendar_for
from inbox.reporting.cycles import CycleFacts, replay
from inbox.reporting.models import Cycle, ResponseTurn, StatusChange
from inbox.types import utcnow
from rules.calendar import BusinessCalendar

_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
_status_log = StatusChange.__table__  # type: ignore[attr-defined]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LastCycle:
    """A conversation's last written cycle (:data:`LAST_CYCLE`, which selects these fields in
    this order): where a replay starts, and the holder a resolved cycle keeps."""

    seq: int
    opened_at: datetime
    resolved_at: datetime | None
    agent_id: int | None
    team_id: int | None
    priority: str | None
    customer_turns: int
    answered_turns: int

    @classmethod
    def of(cls, row: Sequence[Any]) -> LastCycle:
        """By position: one is read per replay, on the worker's path."""
        return cls(*row)


LAST_CYCLE = (
    select(*(_cycles.c[f.name] for f in fields(LastCycle)))
    .where(_cycles.c.conversation_id == bindparam("cid"))
    .order_by(_cycles.c.seq.desc())
    .limit(1)
)

# (assignee, team, priority) a cycle is held by
Holder = tuple[int | None, int | None, str | None]

# What a replay writes: every column but the key (the upsert's conflict target) and the
# survey's, which the CSAT code writes (``cycle_values`` and the SLA deadlines give the rest).
CYCLE_REPLAYED = tuple(
    c.name
    for c in _cycles.columns
    if c.name not in {"id", "conversation_id", "seq", "csat_requested_at", "csat_score", "csat_at"}
)
TURN_REPLAYED = tuple(c.name for c in _turns.columns if c.name not in {"id", "cycle_id", "seq"})


@functools.cache
def _upsert_cycle(dialect: str) -> Insert:
    return upsert(dialect, _cycles, ["conversation_id", "seq"], CYCLE_REPLAYED).returning(
        _cycles.c.id
    )


@functools.cache
def _upsert_turn(dialect: str) -> Insert:
    return upsert(dialect, _turns, ["cycle_id", "seq"], TURN_REPLAYED)


async def record_metrics(conn: Conn, batch: Sequence[Change], _changes: Changes) -> None:
    """Reaction: replay after each change that can move a cycle or a turn, in order; a status
    change is logged first (a resolve closes the cycle)."""
    for c in batch:
        if isinstance(c, MessageStored):
            at = c.event.platform_ts if c.inbound else None
            await record(conn, c.conversation, customer_message_at=at)
        elif isinstance(c, ReplyQueued):
            await record(conn, c.conversation)
        elif isinstance(c, ConversationChanged):
            if c.status is not None:
                await conn.execute(
                    _status_log.insert(),
                    [
                        {
                            "conversation_id": c.conversation_id,
                            "status": c.status,
                            "at": c.at,
                            "actor_id": c.actor_id,
                        }
                    ],
                )
            await _record_current(conn, c.conversation_id)
        elif (
            isinstance(c, DeliveryDone)
            and not c.sent
            and c.message_id is not None
            and c.conversation_id is not None
        ):  # a reply that never arrived answers nothing
            await _record_current(conn, c.conversation_id)


async def _record_current(conn: Conn, conversation_id: int) -> None:
    conversation = await get_conversation_row(conn, conversation_id)
    if conversation is not None:
        await record(conn, conversation)


async def record(
    conn: Conn, conversation: ConversationSnapshot, *, customer_message_at: datetime | None = None
) -> None:
    """Replay ``conversation`` (a row with id, account_id, channel, assignee_id, team_id,
    priority, and, as read before this change, last_customer_message_at) from its last
    cycle on, and write what changed. ``customer_message_at``: the change is a customer
    message sent then."""
    found = (await conn.execute(LAST_CYCLE, {"cid": conversation.id})).first()
    last = None if found is None else LastCycle.of(found)
    if customer_message_at is not None and _inside_open_turn(
        last, conversation, customer_message_at
    ):
        return
    since = last.opened_at if last is not None else _EPOCH
    items = await timeline.load(conn, conversation.id, since)
    facts = replay(items, first_seq=last.seq if last is not None else 1)
    if not facts:
        return
    calendar = await calendar_for(conn, conversation.account_id, conversation.team_id)
    policy = await sla.policy_for(conn, conversation)
    for cycle in facts:
        holder = _holder(conversation, cycle, last)
        values = {
            "conversation_id": conversation.id,
            "seq": cycle.seq,
            **cycle_values(conversation, cycle, calendar, holder),
            **sla.cycle_deadlines(cycle, policy, calendar),
        }
        cycle_id = (await conn.execute(_upsert_cycle(dialect_of(conn)), values)).scalar_one()
        await _write_turns(conn, conversation, cycle_id, cycle, calendar, policy)


def _inside_open_turn(
    last: LastCycle | None, conversation: ConversationSnapshot, at: datetime
) -> bool:
    """A customer writing again while their turn waits for a human changes no cycle or turn
    row (a turn starts at its first unanswered message): the common case, skipped. Replies
    are recorded as they are made, so an open last turn means no human has answered yet."""
    previous = conversation.last_customer_message_at
    return (
        last is not None
        and last.resolved_at is None
        and last.customer_turns > last.answered_turns
        and previous is not None
        and at >= previous
    )


def _holder(
    conversation: ConversationSnapshot, cycle: CycleFacts, last: LastCycle | None
) -> Holder:
    """Assignee, team, priority held by the cycle: frozen once it was resolved and written."""
    if (
        last is not None
        and cycle.seq == last.seq
        and cycle.resolved_at is not None
        and last.resolved_at == cycle.resolved_at
    ):
        return last.agent_id, last.team_id, last.priority
    return conversation.assignee_id, conversation.team_id, conversation.priority


def cycle_values(
    conversation: ConversationSnapshot,
    cycle: CycleFacts,
    calendar: BusinessCalendar | None,
    holder: Holder,
) -> dict[str, Any]:
    opened = cycle.opened_at
    return {
        "account_id": conversation.account_id,
        "channel": conversation.channel,
        "opened_at": opened,
        "first_response_at": cycle.first_response_at,
        "first_response_agent_id": cycle.first_response_agent_id,
        "first_response_team_id": cycle.first_response_team_id,
        "first_response_native": cycle.first_response_native,
        "first_response_seconds": _seconds(opened, cycle.first_response_at),
        "first_response_bh_seconds": business_seconds(calendar, opened, cycle.first_response_at),
        "first_automated_at": cycle.first_automated_at,
        "first_automated_seconds": _seconds(opened, cycle.first_automated_at),
        "resolved_at": cycle.resolved_at,
        "resolved_by_id": cycle.resolved_by_id,
        "resolution_seconds": _seconds(opened, cycle.resolved_at),
        "resolution_bh_seconds": business_seconds(calendar, opened, cycle.resolved_at),
        "agent_id": holder[0],
        "team_id": holder[1],
        "priority": holder[2],
        "customer_turns": len(cycle.turns),
        "answered_turns": sum(1 for t in cycle.turns if t.replied_at is not None),
        "bh_pending": False,
        "updated_at": utcnow(),
    }


async def _write_turns(
    conn: Conn,
    conversation: ConversationSnapshot,
    cycle_id: int,
    cycle: CycleFacts,
    calendar: BusinessCalendar | None,
    policy: sla.PolicyTargets | None,
) -> None:
    rows = [
        {
            "cycle_id": cycle_id,
            "seq": t.seq,
            "conversation_id": conversation.id,
            "account_id": conversation.account_id,
            "channel": conversation.channel,
            "started_at": t.started_at,
            "replied_at": t.replied_at,
            "agent_id": t.agent_id,
            "team_id": t.team_id,
            "native": t.native,
            "automated_at": t.automated_at,
            "seconds": _seconds(t.started_at, t.replied_at),
            "bh_seconds": business_seconds(calendar, t.started_at, t.replied_at),
            "due_at": sla.turn_deadline(t, policy, calendar),
            "cycle_resolved_at": cycle.resolved_at,
        }
        for t in cycle.turns
    ]
    if rows:
        await conn.execute(_upsert_turn(dialect_of(conn)), rows)
    await conn.execute(
        delete(_turns).where(_turns.c.cycle_id == cycle_id, _turns.c.seq > len(rows))
    )


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())
