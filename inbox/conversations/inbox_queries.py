"""Read side of the web inbox's panes: folder counts, teams and agents, what a thread quotes.

Kept apart from ``queries`` (the REST list and history) because these exist to draw one screen
cheaply: a few grouped counts and lookups by id sets. (The contact panel reads
``inbox.contacts.queries``.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from inbox.automation.models import RuleTrace
from inbox.conversations.models import ConversationStatus
from inbox.conversations.queries import labels
from inbox.conversations.repository import conversations, messages
from inbox.db import Conn
from inbox.outbox.models import OutboxRow
from inbox.teams.models import Team
from inbox.users.models import User

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_traces = RuleTrace.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]

_OPEN = ConversationStatus.OPEN.value
MODERATION_ACTIONS = ("hide", "unhide", "delete")


async def folder_counts(conn: Conn, user_id: int) -> dict[str, int]:
    """Counts per status, plus open ones that are mine / nobody's (two grouped scans)."""
    c = conversations
    out = {s.value: 0 for s in ConversationStatus}
    grouped = select(c.c.status, func.count().label("n")).group_by(c.c.status)
    for r in await conn.execute(grouped):
        out[r.status] = int(r.n)
    mine = func.sum(case((c.c.assignee_id == user_id, 1), else_=0))
    nobody = func.sum(case((c.c.assignee_id.is_(None), 1), else_=0))
    row = (
        await conn.execute(
            select(mine.label("mine"), nobody.label("nobody")).where(c.c.status == _OPEN)
        )
    ).one()
    out["mine"] = int(row.mine or 0)
    out["unassigned"] = int(row.nobody or 0)
    return out


async def label_names(conn: Conn, *, limit: int = 100) -> list[str]:
    """Conversation labels in use, most used first (the folder list and the label picker)."""
    rows = await conn.execute(
        select(labels.c.label)
        .group_by(labels.c.label)
        .order_by(func.count().desc(), labels.c.label)
        .limit(limit)
    )
    return [r.label for r in rows]


async def teams(conn: Conn) -> list[dict[str, Any]]:
    rows = await conn.execute(select(_teams.c.id, _teams.c.name).order_by(_teams.c.name))
    return [{"id": r.id, "name": r.name} for r in rows]


async def agents(conn: Conn) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(_users.c.id, _users.c.name, _users.c.email, _users.c.is_active).order_by(
            _users.c.name, _users.c.email
        )
    )
    return [{"id": r.id, "name": r.name or r.email, "is_active": r.is_active} for r in rows]


async def quoted(conn: Conn, conversation_id: int, external_ids: set[str]) -> dict[str, Any]:
    """The messages of this conversation that others answer, by platform id."""
    if not external_ids:
        return {}
    m = messages
    rows = await conn.execute(
        select(m.c.external_id, m.c.text, m.c.author_name, m.c.deleted_at, m.c.direction).where(
            m.c.conversation_id == conversation_id, m.c.external_id.in_(sorted(external_ids))
        )
    )
    return {r.external_id: r for r in rows}


async def moderation_states(conn: Conn, conversation_id: int) -> dict[str, dict[str, Any]]:
    """The latest hide / unhide / delete queued for each comment, with its outcome."""
    o = _outbox
    rows = await conn.execute(
        select(o.c.action, o.c.request, o.c.status, o.c.last_error)
        .where(o.c.conversation_id == conversation_id, o.c.action.in_(MODERATION_ACTIONS))
        .order_by(o.c.id)
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        target = (r.request or {}).get("target_external_id")
        if target:
            out[str(target)] = {"action": r.action, "status": r.status, "error": r.last_error}
    return out


async def traced_message_ids(conn: Conn, message_ids: list[int]) -> set[int]:
    if not message_ids:
        return set()
    rows = await conn.execute(
        select(_traces.c.message_id).where(_traces.c.message_id.in_(message_ids)).distinct()
    )
    return {r.message_id for r in rows}


async def rule_traces(conn: Conn, message_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(_traces).where(_traces.c.message_id == message_id).order_by(_traces.c.id)
    )
    return [{"event": r.event, "trace": r.trace or [], "created_at": r.created_at} for r in rows]
