"""What a conversation's cycles are replayed from: its messages and its status log.

Only what the definitions name is read: customer messages and postbacks (not survey
answers), the brand's public replies that did not fail (agents', bots', and echoes of
replies typed in the platforms' apps), and resolutions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select

from inbox.conversations.models import Message, SenderType
from inbox.db import Conn
from inbox.reporting.cycles import Item, ItemKind
from inbox.reporting.models import StatusChange

_m = Message.__table__  # type: ignore[attr-defined]
_log = StatusChange.__table__  # type: ignore[attr-defined]

CSAT_PREFIX = "csat:"  # a survey answer's payload: csat:<cycle id>:<score>

MESSAGES = select(
    _m.c.id,
    _m.c.direction,
    _m.c.sender_type,
    _m.c.sender_id,
    _m.c.team_id,
    _m.c.external_id,
    _m.c.platform_ts,
).where(
    _m.c.conversation_id == bindparam("cid"),
    _m.c.platform_ts >= bindparam("since"),
    _m.c.kind.in_(("message", "postback")),
    _m.c.private.is_(False),
    or_(
        and_(
            _m.c.direction == "in",
            _m.c.sender_type == SenderType.CONTACT.value,
            or_(_m.c.payload.is_(None), ~_m.c.payload.startswith(CSAT_PREFIX)),
        ),
        and_(
            _m.c.direction == "out",
            or_(_m.c.delivery_status.is_(None), _m.c.delivery_status != "failed"),
        ),
    ),
)
RESOLUTIONS = select(_log.c.id, _log.c.at, _log.c.actor_id).where(
    _log.c.conversation_id == bindparam("cid"),
    _log.c.at >= bindparam("since"),
    _log.c.status == "resolved",
)


async def load(conn: Conn, conversation_id: int, since: datetime) -> list[Item]:
    params = {"cid": conversation_id, "since": since}
    items = [_message_item(row) for row in await conn.execute(MESSAGES, params)]
    items += [
        Item(at=row.at, kind=ItemKind.RESOLVED, order=row.id, agent_id=row.actor_id)
        for row in await conn.execute(RESOLUTIONS, params)
    ]
    return items


def _message_item(row: object) -> Item:
    r: Message = row  # type: ignore[assignment]
    if r.direction == "in":
        return Item(at=r.platform_ts, kind=ItemKind.CUSTOMER, order=int(r.id or 0))
    if r.sender_type == SenderType.BOT.value:
        return Item(at=r.platform_ts, kind=ItemKind.AUTOMATED, order=int(r.id or 0))
    # An agent's reply from omnibox has its sender; an echo of one typed in the platform's
    # own app (VK message_reply, Meta echoes) has none and is credited to no agent.
    return Item(
        at=r.platform_ts,
        kind=ItemKind.HUMAN,
        order=int(r.id or 0),
        agent_id=r.sender_id,
        team_id=r.team_id,
        native=r.sender_id is None,
    )
