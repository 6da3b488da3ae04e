"""Writes the worker makes for each event, as Core statements on one connection.

Every upsert is insert-or-ignore on a unique constraint, so concurrent workers seeing the
same person, thread or message converge on one row. Contacts and conversations are read
first: the row almost always exists, and reading it is one statement where the insert
attempt and the read were two; only a miss goes on to insert-or-ignore (``RETURNING`` the row
when this call created it, read again when another worker won the race). The statements are
built once (:mod:`inbox.conversations.statements`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inbox.changes import ConversationSnapshot
from inbox.conversations import statements as sql
from inbox.conversations.models import ConversationStatus
from inbox.db import Conn, dialect_of
from inbox.types import utcnow

contacts = sql.contacts
account_contacts = sql.account_contacts
conversations = sql.conversations
messages = sql.messages


@dataclass(frozen=True, slots=True)
class KnownMessage:
    """A stored message found by its platform id: what an edit or a delete changes, and the
    conversation a brand's answer to a comment belongs in."""

    id: int
    conversation_id: int
    text: str
    edit_history: list[dict[str, Any]] | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> KnownMessage:
        """From a row of :data:`~inbox.conversations.statements.MESSAGE_BY_EXTERNAL`."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            text=row.text,
            edit_history=row.edit_history,
            deleted_at=row.deleted_at,
        )


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
    identity = {"channel": channel, "external_id": external_id}
    row = (await conn.execute(sql.CONTACT_BY_IDENTITY, identity)).first()
    created = False
    if row is None:
        values = {
            **identity,
            "display_name": display_name,
            "username": username,
            "language": language,
            "created_at": now,
            "updated_at": now,
        }
        row = (await conn.execute(sql.insert_contact(dialect_of(conn)), values)).first()
        created = row is not None
        if row is None:  # another worker inserted it first
            row = (await conn.execute(sql.CONTACT_BY_IDENTITY, identity)).one()
    if (display_name and row.display_name != display_name) or (
        username and row.username != username
    ):
        await conn.execute(
            sql.CONTACT_UPDATE,
            {
                "b_id": row.id,
                "display_name": display_name or row.display_name,
                "username": username or row.username,
                "updated_at": now,
            },
        )
    return int(row.id), created


async def set_account_contact(conn: Conn, account_id: int, contact_id: int, **values: Any) -> None:
    """Make sure the pair exists; set ``values`` (and ``updated_at``) on it when given."""
    params = {"account_id": account_id, "contact_id": contact_id, "updated_at": utcnow()}
    if not values:
        await conn.execute(sql.insert_account_contact(dialect_of(conn)), params)
        return
    keys = ("updated_at", *sorted(values))
    await conn.execute(sql.upsert_account_contact(dialect_of(conn), keys), {**params, **values})


async def upsert_conversation(conn: Conn, values: dict[str, Any]) -> ConversationSnapshot:
    """The conversation of a thread, created if new, as read before this event."""
    thread = {"account_id": values["account_id"], "thread_key": values["thread_key"]}
    row = (await conn.execute(sql.CONVERSATION_BY_THREAD, thread)).first()
    if row is not None:
        return ConversationSnapshot.of(row)
    now = utcnow()
    new = {"status": ConversationStatus.OPEN.value, "created_at": now, "updated_at": now, **values}
    row = (await conn.execute(sql.insert_conversation(dialect_of(conn)), new)).first()
    if row is None:  # another worker inserted it first
        row = (await conn.execute(sql.CONVERSATION_BY_THREAD, thread)).one()
    return ConversationSnapshot.of(row)


async def find_conversation(conn: Conn, account_id: int, thread_key: str) -> int | None:
    found: int | None = await conn.scalar(
        sql.CONVERSATION_ID_BY_THREAD, {"account_id": account_id, "thread_key": thread_key}
    )
    return found


async def insert_message(conn: Conn, values: dict[str, Any]) -> int | None:
    """Insert unless the platform id is known; the new row's id when this call stored it."""
    row = (
        await conn.execute(sql.insert_message(dialect_of(conn)), {"created_at": utcnow(), **values})
    ).first()
    return None if row is None else int(row.id)


async def find_message(conn: Conn, account_id: int, external_id: str) -> KnownMessage | None:
    row = (
        await conn.execute(
            sql.MESSAGE_BY_EXTERNAL, {"account_id": account_id, "external_id": external_id}
        )
    ).first()
    return None if row is None else KnownMessage.of(row)


async def update_message(conn: Conn, message_id: int, **values: Any) -> None:
    await conn.execute(sql.MESSAGE_UPDATE, {"b_id": message_id, **values})


async def touch_conversation(
    conn: Conn,
    conversation: ConversationSnapshot,
    at: datetime,
    *,
    from_customer: bool,
) -> None:
    """Move activity forward (never back, events may arrive late); reopen on a customer turn."""
    values: dict[str, Any] = {"b_id": conversation.id, "updated_at": utcnow()}
    if at > conversation.last_message_at:
        values["last_message_at"] = at
    if from_customer:
        last = conversation.last_customer_message_at
        if last is None or at > last:
            values["last_customer_message_at"] = at
        if conversation.status != ConversationStatus.OPEN.value:
            values["status"] = ConversationStatus.OPEN.value
    await conn.execute(sql.CONVERSATION_UPDATE, values)


async def get_conversation_row(conn: Conn, conversation_id: int) -> ConversationSnapshot | None:
    row = (await conn.execute(sql.CONVERSATION_BY_ID, {"b_id": conversation_id})).first()
    return None if row is None else ConversationSnapshot.of(row)
