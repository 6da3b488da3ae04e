"""The outbox as agents see it: what became of the moderation calls queued for a thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inbox.db import Conn
from inbox.outbox.models import OutboxRequest, OutboxRow

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]

MODERATION_ACTIONS = ("hide", "unhide", "delete")


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
        target = OutboxRequest.from_json(r.request).target_external_id
        if target:
            out[str(target)] = {"action": r.action, "status": r.status, "error": r.last_error}
    return out
