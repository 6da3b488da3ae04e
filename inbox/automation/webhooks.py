"""A rule's "call a webhook": a signed JSON event, delivered through the outbox like a reply
(retried with backoff, recorded, never lost with a crash)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select

from inbox.conversations.models import Conversation, Message
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.outbound import OutboundAction
from inbox.outbox.models import OutboxRequest, OutboxRow, OutboxStatus
from inbox.types import utcnow

if TYPE_CHECKING:
    from inbox.automation.runner import Stored

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_messages = Message.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]


async def webhook_body(conn: Conn, stored: Stored) -> dict[str, Any]:
    message = (
        await conn.execute(select(_messages).where(_messages.c.id == stored.message_id))
    ).one()
    conversation = (
        await conn.execute(
            select(_conversations).where(_conversations.c.id == stored.conversation_id)
        )
    ).one()
    return {
        "event": stored.event,
        **({"detail": stored.detail} if stored.detail else {}),
        "account_id": stored.account_id,
        "conversation": {
            "id": conversation.id,
            "channel": conversation.channel,
            "kind": conversation.kind,
            "status": conversation.status,
            "assignee_id": conversation.assignee_id,
            "team_id": conversation.team_id,
        },
        "message": {
            "id": message.id,
            "external_id": message.external_id,
            "text": message.text,
            "author_name": message.author_name,
            "created_at": message.platform_ts.isoformat(),
        },
    }


async def enqueue_webhook(
    conn: Conn, stored: Stored, url: str, secret: str | None, key: str
) -> None:
    now = utcnow()
    body = orjson.dumps(await webhook_body(conn, stored)).decode()
    await conn.execute(
        insert_ignore(dialect_of(conn), _outbox, ["idempotency_key"]),
        [
            {
                "idempotency_key": key,
                "account_id": stored.account_id,
                "conversation_id": stored.conversation_id,
                "action": OutboundAction.WEBHOOK.value,
                "request": OutboxRequest(
                    url=url, secret=secret, body=body, peer_id=f"hook:{url}"
                ).to_json(),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
        ],
    )
