"""Writing outbound work: the message agents see and the outbox row that delivers it.

Both are written in the caller's transaction (the API request, the worker's batch), so the
reply exists exactly when its cause does. Keys are derived from the cause (``rule:<message>:<n>``
for a rule's reply, the client's ``Idempotency-Key`` for an agent's), so enqueuing the same
cause twice finds the first row instead of making a second. A queued reply is appended to the
caller's ``changes`` (:class:`~inbox.changes.ReplyQueued`): the metric cycles follow it by
reaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import desc, select

from inbox.changes import Changes, ConversationSnapshot, ReplyQueued
from inbox.conversations.models import Contact, Conversation, Message, SenderType
from inbox.conversations.repository import get_conversation_row
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.errors import Conflict
from inbox.events import Direction, ThreadKind
from inbox.outbound import Button, OutboundAction, check_buttons
from inbox.outbox.models import OutboxRequest, OutboxRow, OutboxStatus
from inbox.types import utcnow

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_messages = Message.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]


class NothingToAnswer(Conflict, ValueError):
    """A comment conversation with no customer comment left to reply to."""


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    sender_type: SenderType  # agent or bot
    idempotency_key: str
    private: bool = False  # for comments: answer in private (Meta private reply / a DM)
    sender_id: int | None = None  # the agent
    target_external_id: str | None = None  # the comment answered; default: the latest one
    # Pressed, each comes back as an inbound event with its payload. A public reply to a
    # comment goes without them (no platform puts buttons there); a DM or private reply has them.
    buttons: tuple[Button, ...] = ()

    def __post_init__(self) -> None:
        check_buttons(self.buttons)


async def conversation_row(conn: Conn, conversation_id: int) -> ConversationSnapshot | None:
    """The conversation to write into: the same shape (and statement) the worker reads."""
    return await get_conversation_row(conn, conversation_id)


async def _latest_customer_comment(conn: Conn, conversation_id: int) -> str | None:
    found: str | None = await conn.scalar(
        select(_messages.c.external_id)
        .where(
            _messages.c.conversation_id == conversation_id,
            _messages.c.direction == Direction.IN.value,
            _messages.c.sender_type == SenderType.CONTACT.value,
            _messages.c.external_id.is_not(None),
            _messages.c.deleted_at.is_(None),
        )
        .order_by(desc(_messages.c.platform_ts), desc(_messages.c.id))
        .limit(1)
    )
    return found


async def _contact_external_id(conn: Conn, contact_id: int) -> str:
    value = await conn.scalar(select(_contacts.c.external_id).where(_contacts.c.id == contact_id))
    return str(value)


async def enqueue_reply(
    conn: Conn, conversation: ConversationSnapshot, reply: Reply, changes: Changes
) -> int:
    """Queue a reply in ``conversation``; returns its message id (the existing one when the
    key was used before)."""
    existing = await _existing(conn, reply.idempotency_key)
    if existing is not None:
        return existing
    target = reply.target_external_id
    if conversation.kind == ThreadKind.COMMENT.value and target is None:
        target = await _latest_customer_comment(conn, conversation.id)
        if target is None:
            raise NothingToAnswer("there is no customer comment in this conversation to answer")
    now = utcnow()
    message_id = await _insert_message(conn, conversation, reply, now)
    request = OutboxRequest(
        thread_kind=ThreadKind(conversation.kind),
        peer_id=conversation.peer_id,
        post_id=conversation.post_id,
        text=reply.text,
        target_external_id=target,
        recipient_id=await _contact_external_id(conn, conversation.contact_id),
        private=reply.private,
        contact_id=conversation.contact_id,
        buttons=reply.buttons,
    )
    await conn.execute(
        insert_ignore(dialect_of(conn), _outbox, ["idempotency_key"]),
        [
            {
                "idempotency_key": reply.idempotency_key,
                "account_id": conversation.account_id,
                "conversation_id": conversation.id,
                "message_id": message_id,
                "action": OutboundAction.SEND.value,
                "request": request.to_json(),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
        ],
    )
    changes.append(ReplyQueued(conversation, message_id))
    return message_id


async def enqueue_moderation(
    conn: Conn,
    conversation: ConversationSnapshot,
    action: OutboundAction,
    target_external_id: str,
    key: str,
) -> int:
    """Queue hiding, unhiding or deleting a comment; returns the outbox row id."""
    now = utcnow()
    await conn.execute(
        insert_ignore(dialect_of(conn), _outbox, ["idempotency_key"]),
        [
            {
                "idempotency_key": key,
                "account_id": conversation.account_id,
                "conversation_id": conversation.id,
                "action": action.value,
                "request": OutboxRequest(
                    thread_kind=ThreadKind(conversation.kind),
                    peer_id=conversation.peer_id,
                    post_id=conversation.post_id,
                    target_external_id=target_external_id,
                ).to_json(),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
        ],
    )
    row_id = await conn.scalar(select(_outbox.c.id).where(_outbox.c.idempotency_key == key))
    return int(row_id)


async def _existing(conn: Conn, key: str) -> int | None:
    row = (
        await conn.execute(select(_outbox.c.message_id).where(_outbox.c.idempotency_key == key))
    ).first()
    return None if row is None else int(row.message_id)


async def _insert_ours(
    conn: Conn, conversation: ConversationSnapshot, now: datetime, **fields: Any
) -> int:
    """A message written by the brand (reply or note) in ``conversation``."""
    row = (
        await conn.execute(
            _messages.insert().returning(_messages.c.id),
            [
                {
                    "conversation_id": conversation.id,
                    "account_id": conversation.account_id,
                    "direction": Direction.OUT.value,
                    "kind": "message",
                    "attachments": [],
                    "edit_history": [],
                    "private": False,
                    "team_id": conversation.team_id,  # credited with the reply (metrics)
                    "platform_ts": now,
                    "created_at": now,
                    **fields,
                }
            ],
        )
    ).one()
    return int(row.id)


async def _insert_message(
    conn: Conn, conversation: ConversationSnapshot, reply: Reply, now: datetime
) -> int:
    message_id = await _insert_ours(
        conn,
        conversation,
        now,
        sender_type=reply.sender_type.value,
        sender_id=reply.sender_id,
        text=reply.text,
        delivery_status=OutboxStatus.QUEUED.value,
        reply_to_external_id=reply.target_external_id,
    )
    values: dict[str, Any] = {"updated_at": now}
    if now > conversation.last_message_at:
        values["last_message_at"] = now
    await conn.execute(
        _conversations.update().where(_conversations.c.id == conversation.id).values(**values)
    )
    return message_id


async def add_note(
    conn: Conn, conversation: ConversationSnapshot, text: str, author_id: int
) -> int:
    """A private note: stored, shown to agents, never sent anywhere."""
    return await _insert_ours(
        conn,
        conversation,
        utcnow(),
        sender_type=SenderType.AGENT.value,
        sender_id=author_id,
        kind="note",
        text=text,
        private=True,
    )
