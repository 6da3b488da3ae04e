"""Writes the worker makes for each event, as Core statements on one connection.

Every upsert is insert-or-ignore on a unique constraint followed by a read, so concurrent
workers seeing the same person, thread or message converge on one row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from inbox.conversations.models import (
    AccountContact,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
)
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.types import utcnow

contacts = Contact.__table__  # type: ignore[attr-defined]
account_contacts = AccountContact.__table__  # type: ignore[attr-defined]
conversations = Conversation.__table__  # type: ignore[attr-defined]
messages = Message.__table__  # type: ignore[attr-defined]


async def upsert_contact(
    conn: Conn,
    *,
    channel: str,
    external_id: str,
    display_name: str,
    username: str | None,
    language: str | None,
) -> tuple[int, bool]:
    """The contact's id, and whether this call created it."""
    now = utcnow()
    inserted = await conn.execute(
        insert_ignore(dialect_of(conn), contacts, ["channel", "external_id"]),
        {
            "channel": channel,
            "external_id": external_id,
            "display_name": display_name,
            "username": username,
            "language": language,
            "created_at": now,
            "updated_at": now,
        },
    )
    row = (
        await conn.execute(
            select(contacts.c.id, contacts.c.display_name, contacts.c.username).where(
                contacts.c.channel == channel, contacts.c.external_id == external_id
            )
        )
    ).one()
    if (display_name and row.display_name != display_name) or (
        username and row.username != username
    ):
        await conn.execute(
            update(contacts)
            .where(contacts.c.id == row.id)
            .values(
                display_name=display_name or row.display_name,
                username=username or row.username,
                updated_at=now,
            )
        )
    return int(row.id), inserted.rowcount == 1


async def set_account_contact(conn: Conn, account_id: int, contact_id: int, **values: Any) -> None:
    now = utcnow()
    await conn.execute(
        insert_ignore(dialect_of(conn), account_contacts, ["account_id", "contact_id"]),
        [{"account_id": account_id, "contact_id": contact_id, "updated_at": now}],
    )
    if values:
        await conn.execute(
            update(account_contacts)
            .where(
                account_contacts.c.account_id == account_id,
                account_contacts.c.contact_id == contact_id,
            )
            .values(updated_at=now, **values)
        )


async def upsert_conversation(conn: Conn, values: dict[str, Any]) -> Any:
    """Create the conversation of a thread if new; return (id, status, last_message_at)."""
    now = utcnow()
    await conn.execute(
        insert_ignore(dialect_of(conn), conversations, ["account_id", "thread_key"]),
        [{"status": ConversationStatus.OPEN.value, "created_at": now, "updated_at": now, **values}],
    )
    return (
        await conn.execute(
            select(
                conversations.c.id,
                conversations.c.status,
                conversations.c.last_message_at,
                conversations.c.last_customer_message_at,
                conversations.c.contact_id,
            ).where(
                conversations.c.account_id == values["account_id"],
                conversations.c.thread_key == values["thread_key"],
            )
        )
    ).one()


async def find_conversation(conn: Conn, account_id: int, thread_key: str) -> int | None:
    found: int | None = await conn.scalar(
        select(conversations.c.id).where(
            conversations.c.account_id == account_id, conversations.c.thread_key == thread_key
        )
    )
    return found


async def insert_message(conn: Conn, values: dict[str, Any]) -> int | None:
    """Insert unless the platform id is known; the new row's id when this call stored it."""
    stmt = insert_ignore(dialect_of(conn), messages, ["account_id", "external_id"]).returning(
        messages.c.id
    )
    now = utcnow()
    row = (await conn.execute(stmt, [{"created_at": now, **values}])).first()
    return None if row is None else int(row.id)


async def find_message(conn: Conn, account_id: int, external_id: str) -> Any:
    return (
        await conn.execute(
            select(
                messages.c.id,
                messages.c.conversation_id,
                messages.c.text,
                messages.c.edit_history,
                messages.c.deleted_at,
            ).where(messages.c.account_id == account_id, messages.c.external_id == external_id)
        )
    ).first()


async def update_message(conn: Conn, message_id: int, **values: Any) -> None:
    await conn.execute(update(messages).where(messages.c.id == message_id).values(**values))


async def touch_conversation(
    conn: Conn,
    conversation: Any,
    at: datetime,
    *,
    from_customer: bool,
) -> None:
    """Move activity forward (never back, events may arrive late); reopen on a customer turn."""
    values: dict[str, Any] = {"updated_at": utcnow()}
    if at > conversation.last_message_at:
        values["last_message_at"] = at
    if from_customer:
        last = conversation.last_customer_message_at
        if last is None or at > last:
            values["last_customer_message_at"] = at
        if conversation.status != ConversationStatus.OPEN.value:
            values["status"] = ConversationStatus.OPEN.value
    await conn.execute(
        update(conversations).where(conversations.c.id == conversation.id).values(**values)
    )


async def get_conversation_row(conn: Conn, conversation_id: int) -> Any:
    return (
        await conn.execute(
            select(
                conversations.c.id,
                conversations.c.status,
                conversations.c.last_message_at,
                conversations.c.last_customer_message_at,
                conversations.c.contact_id,
            ).where(conversations.c.id == conversation_id)
        )
    ).first()
