"""Counts of right now: open, unassigned, waiting for a human reply, and breaching an SLA."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from inbox.conversations.models import Conversation, ConversationLabel, ConversationStatus
from inbox.db import Conn
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.types import utcnow

_conv = Conversation.__table__  # type: ignore[attr-defined]
_labels = ConversationLabel.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]


async def live_counts(
    conn: Conn,
    *,
    channel: str | None = None,
    account_id: int | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
    label: str | None = None,
) -> dict[str, int]:
    now = utcnow()
    open_turn = (
        select(_turns.c.id)
        .join(_cycles, _cycles.c.id == _turns.c.cycle_id)
        .where(
            _turns.c.conversation_id == _conv.c.id,
            _turns.c.replied_at.is_(None),
            _cycles.c.resolved_at.is_(None),
        )
    )
    breaching = select(_cycles.c.id).where(
        _cycles.c.conversation_id == _conv.c.id,
        _cycles.c.resolved_at.is_(None),
        or_(
            _cycles.c.first_response_breached.is_(True),
            _cycles.c.resolution_breached.is_(True),
            exists(open_turn.where(_turns.c.cycle_id == _cycles.c.id, _turns.c.due_at < now)),
        ),
    )
    where: list[Any] = [_conv.c.status == ConversationStatus.OPEN.value]
    if channel is not None:
        where.append(_conv.c.channel == channel)
    if account_id is not None:
        where.append(_conv.c.account_id == account_id)
    if agent_id is not None:
        where.append(_conv.c.assignee_id == agent_id)
    if team_id is not None:
        where.append(_conv.c.team_id == team_id)
    if label is not None:
        where.append(
            exists().where(and_(_labels.c.conversation_id == _conv.c.id, _labels.c.label == label))
        )

    def tally(cond: Any) -> Any:
        return func.coalesce(func.sum(func.cast(cond, _conv.c.id.type)), 0)

    stmt = select(
        func.count().label("open"),
        tally(_conv.c.assignee_id.is_(None)).label("unassigned"),
        tally(exists(open_turn)).label("waiting"),
        tally(exists(breaching)).label("breached"),
    ).where(*where)
    row = (await conn.execute(stmt)).mappings().one()
    return {k: int(row[k]) for k in ("open", "unassigned", "waiting", "breached")}
