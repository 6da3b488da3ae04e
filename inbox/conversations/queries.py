"""Read side of conversations and messages: filters and keyset pagination for the API.

Keyset (not offset) cursors: a page costs the same at the millionth row as at the first, and
new activity arriving between two page loads neither skips nor repeats rows.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import and_, exists, or_, select

from inbox.conversations.models import ConversationLabel
from inbox.conversations.repository import contacts, conversations, messages
from inbox.conversations.rows import (
    Author,
    ContactRef,
    ConversationListRow,
    ConversationRow,
    MessagePreview,
    MessageRow,
    PostRef,
)
from inbox.db import Conn
from inbox.errors import Malformed

labels = ConversationLabel.__table__  # type: ignore[attr-defined]


class BadCursor(Malformed):
    pass


def encode_cursor(at: datetime, row_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([at.isoformat(), row_id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Only what ``encode_cursor`` makes: an aware time and a row id the database can hold.

    Cursors come from clients, so anything else is a BadCursor, never a database error.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = orjson.loads(raw)
        when = datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(row_id, int) or not 0 < row_id < 2**63:
            raise ValueError("not a cursor this service made")
        return when.astimezone(UTC), row_id
    except (binascii.Error, ValueError, TypeError, OverflowError, orjson.JSONDecodeError) as exc:
        raise BadCursor("invalid cursor") from exc


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    status: str | None = None
    channel: str | None = None
    account_id: int | None = None
    kind: str | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    label: str | None = None
    q: str | None = None
    unassigned: bool = False  # no agent yet (the inbox's "Unassigned" folder)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_conversations(
    conn: Conn, f: ConversationFilter, *, limit: int, cursor: str | None
) -> tuple[list[ConversationListRow], str | None]:
    c = conversations
    query = select(
        c, contacts.c.display_name, contacts.c.username, contacts.c.external_id.label("cx")
    ).join(contacts, contacts.c.id == c.c.contact_id)
    conditions = [
        col == value
        for col, value in (
            (c.c.status, f.status),
            (c.c.channel, f.channel),
            (c.c.account_id, f.account_id),
            (c.c.kind, f.kind),
            (c.c.assignee_id, f.assignee_id),
            (c.c.team_id, f.team_id),
        )
        if value is not None
    ]
    if f.unassigned:
        conditions.append(c.c.assignee_id.is_(None))
    if f.label:
        conditions.append(
            exists().where(labels.c.conversation_id == c.c.id, labels.c.label == f.label)
        )
    if f.q:
        pattern = _like(f.q)
        conditions.append(
            or_(
                contacts.c.display_name.ilike(pattern, escape="\\"),
                contacts.c.username.ilike(pattern, escape="\\"),
                exists().where(
                    messages.c.conversation_id == c.c.id,
                    messages.c.text.ilike(pattern, escape="\\"),
                ),
            )
        )
    if cursor:
        at, row_id = decode_cursor(cursor)
        conditions.append(
            or_(c.c.last_message_at < at, and_(c.c.last_message_at == at, c.c.id < row_id))
        )
    query = query.where(*conditions).order_by(c.c.last_message_at.desc(), c.c.id.desc())
    rows = (await conn.execute(query.limit(limit + 1))).all()
    page = rows[:limit]
    label_map = await _labels_of(conn, [r.id for r in page])
    previews = await _previews_of(conn, [r.id for r in page])
    items = [
        ConversationListRow(
            **_conversation_fields(r, label_map.get(r.id, ())), last_message=previews.get(r.id)
        )
        for r in page
    ]
    next_cursor = (
        encode_cursor(page[-1].last_message_at, page[-1].id) if len(rows) > limit else None
    )
    return items, next_cursor


async def get_conversation(conn: Conn, conversation_id: int) -> ConversationRow | None:
    c = conversations
    row = (
        await conn.execute(
            select(
                c, contacts.c.display_name, contacts.c.username, contacts.c.external_id.label("cx")
            )
            .join(contacts, contacts.c.id == c.c.contact_id)
            .where(c.c.id == conversation_id)
        )
    ).first()
    if row is None:
        return None
    labels_of_row = (await _labels_of(conn, [row.id])).get(row.id, ())
    return ConversationRow(**_conversation_fields(row, labels_of_row))


async def _labels_of(conn: Conn, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = await conn.execute(
        select(labels.c.conversation_id, labels.c.label)
        .where(labels.c.conversation_id.in_(ids))
        .order_by(labels.c.label)
    )
    for row in rows:
        out.setdefault(row.conversation_id, []).append(row.label)
    return {conversation_id: tuple(found) for conversation_id, found in out.items()}


PREVIEW_CHARS = 160


async def _previews_of(conn: Conn, ids: list[int]) -> dict[int, MessagePreview]:
    """The latest message of each conversation (one index probe each), cut for the list."""
    if not ids:
        return {}
    m, c, inner = messages, conversations, messages.alias("newest")
    latest = (
        select(inner.c.id)
        .where(inner.c.conversation_id == c.c.id)
        .order_by(inner.c.platform_ts.desc(), inner.c.id.desc())
        .limit(1)
        .correlate(c)
        .scalar_subquery()
    )
    rows = await conn.execute(
        select(
            c.c.id.label("conversation_id"),
            m.c.text,
            m.c.direction,
            m.c.sender_type,
            m.c.private,
            m.c.attachments,
            m.c.deleted_at,
        )
        .select_from(c.join(m, m.c.id == latest))
        .where(c.c.id.in_(ids))
    )
    return {
        r.conversation_id: MessagePreview(
            text="" if r.deleted_at else (r.text or "")[:PREVIEW_CHARS],
            direction=r.direction,
            sender_type=r.sender_type,
            private=r.private,
            attachments=0 if r.deleted_at else len(r.attachments or []),
            deleted=r.deleted_at is not None,
        )
        for r in rows
    }


def _conversation_fields(r: Any, label_list: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a :class:`ConversationRow` from a conversation joined with its contact
    (``cx``: the contact's platform id)."""
    return {
        "id": r.id,
        "channel": r.channel,
        "account_id": r.account_id,
        "kind": r.kind,
        "status": r.status,
        "assignee_id": r.assignee_id,
        "team_id": r.team_id,
        "labels": label_list,
        "priority": r.priority,
        "snoozed_until": r.snoozed_until,
        "contact": ContactRef(
            id=r.contact_id,
            display_name=r.display_name or r.cx,
            username=r.username,
            external_id=r.cx,
        ),
        "post": PostRef(id=r.post_id, url=r.post_url, text=r.post_text) if r.post_id else None,
        "last_message_at": r.last_message_at,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


async def list_messages(
    conn: Conn, conversation_id: int, *, limit: int, cursor: str | None
) -> tuple[list[MessageRow], str | None]:
    m = messages
    query = select(m).where(m.c.conversation_id == conversation_id)
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(m.c.platform_ts > at, and_(m.c.platform_ts == at, m.c.id > row_id)))
    rows = (await conn.execute(query.order_by(m.c.platform_ts, m.c.id).limit(limit + 1))).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].platform_ts, page[-1].id) if len(rows) > limit else None
    return [_message_out(r) for r in page], next_cursor


async def list_recent_messages(
    conn: Conn, conversation_id: int, *, limit: int, before: str | None
) -> tuple[list[MessageRow], str | None]:
    """The latest ``limit`` messages (before a cursor), oldest first, and a cursor to older ones.

    A chat pane opens at the bottom: the newest page first, older pages on demand.
    """
    m = messages
    query = select(m).where(m.c.conversation_id == conversation_id)
    if before:
        at, row_id = decode_cursor(before)
        query = query.where(or_(m.c.platform_ts < at, and_(m.c.platform_ts == at, m.c.id < row_id)))
    query = query.order_by(m.c.platform_ts.desc(), m.c.id.desc()).limit(limit + 1)
    rows = (await conn.execute(query)).all()
    page = rows[:limit]
    older = encode_cursor(page[-1].platform_ts, page[-1].id) if len(rows) > limit else None
    return [_message_out(r) for r in reversed(page)], older


async def get_message(conn: Conn, message_id: int) -> MessageRow | None:
    row = (await conn.execute(select(messages).where(messages.c.id == message_id))).first()
    return None if row is None else _message_out(row)


def _message_out(r: Any) -> MessageRow:
    deleted = r.deleted_at is not None
    return MessageRow(
        id=r.id,
        conversation_id=r.conversation_id,
        direction=r.direction,
        sender_type=r.sender_type,
        kind=r.kind,
        text="" if deleted else r.text,
        attachments=[] if deleted else (r.attachments or []),
        created_at=r.platform_ts,
        received_at=r.created_at,
        external_id=r.external_id,
        delivery_status=r.delivery_status,
        delivery_error=r.delivery_error,
        sender_id=r.sender_id,
        private=r.private,
        author=Author(external_id=r.author_external_id, name=r.author_name),
        reply_to_external_id=r.reply_to_external_id,
        parent_comment_id=r.parent_comment_id,
        payload=r.payload,
        edited_at=r.edited_at,
        deleted_at=r.deleted_at,
        edit_history=r.edit_history or [],
    )
