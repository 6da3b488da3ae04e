"""Read side of the web inbox's panes: folder counts, teams and agents, what a thread quotes.

Kept apart from ``queries`` (the REST list and history) because these exist to draw one screen
cheaply: a few grouped counts and lookups by id sets. (The contact panel reads
``inbox.contacts.queries``, a thread's moderation states ``inbox.outbox.queries`` and its rule
traces ``inbox.automation.store``: rooms above this one.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from inbox.conversations.models import ConversationStatus
from inbox.conversations.queries import labels
from inbox.conversations.repository import conversations, messages
from inbox.db import Conn
from inbox.teams.models import Team
from inbox.users.models import User

_teams = Team.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]

_OPEN = ConversationStatus.OPEN.value


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
