"""What the inbox templates draw, read from the database: the folders, a page of the list,
a thread with what it quotes, the contact. Shared by the full pages and their fragments, so a
live refresh shows exactly what a reload would."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from api.web.pages_inbox_folders import Folder
from inbox.automation import store as rule_store
from inbox.conversations import inbox_queries as views
from inbox.conversations import queries
from inbox.conversations.rows import ConversationRow
from inbox.db import Conn
from inbox.events import ThreadKind
from inbox.outbox import queries as outbox_queries

LIST_PAGE = 50
THREAD_PAGE = 60
_IMAGE_TYPES = frozenset({"photo", "image"})


def iso(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat()


def short_time(value: datetime | str | None) -> str:
    """A UTC fallback the page's script replaces with the reader's local time."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def web_url(url: str | None) -> str | None:
    """A link we may show: http(s) only (never ``javascript:`` or ``data:``)."""
    if url and url.lower().startswith(("https://", "http://")) and len(url) <= 2048:
        return url
    return None


def human_size(size: Any) -> str:
    if not isinstance(size, int) or size < 0:
        return ""
    amount = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return ""


def is_image(attachment: dict[str, Any]) -> bool:
    mime = str(attachment.get("mime_type") or "")
    return attachment.get("type") in _IMAGE_TYPES or mime.startswith("image/")


def fetchable(attachment: dict[str, Any]) -> bool:
    """Whether the service can fetch it for us (a platform file id or the platform's URL)."""
    return bool(attachment.get("file_id") or attachment.get("url"))


ATTACHMENT_TYPES = frozenset(
    {
        "photo",
        "image",
        "document",
        "doc",
        "file",
        "sticker",
        "voice",
        "audio",
        "audio_message",
        "video",
        "video_note",
        "animation",
        "location",
        "contact",
        "link",
        "wall",
        "market",
        "poll",
    }
)


def attachment_key(kind: Any) -> str:
    """The translation key naming an attachment type (unknown ones are "file")."""
    return f"inbox.attachment.{kind if kind in ATTACHMENT_TYPES else 'file'}"


HELPERS: dict[str, Any] = {
    "attachment_key": attachment_key,
    "iso": iso,
    "short_time": short_time,
    "web_url": web_url,
    "human_size": human_size,
    "is_image": is_image,
    "fetchable": fetchable,
}


async def people(conn: Conn) -> dict[str, Any]:
    agents = await views.agents(conn)
    teams = await views.teams(conn)
    return {
        "agents": agents,
        "agent_names": {a["id"]: a["name"] for a in agents},
        "teams": teams,
        "team_names": {t["id"]: t["name"] for t in teams},
    }


async def sidebar(conn: Conn, user_id: int) -> dict[str, Any]:
    return {
        "counts": await views.folder_counts(conn, user_id),
        "label_names": await views.label_names(conn),
    }


async def list_context(
    conn: Conn,
    folder: Folder,
    q: str,
    cursor: str | None,
    current: int | None,
    limit: int = LIST_PAGE,
) -> dict[str, Any]:
    """A page of the conversation list as ``inbox/_list.html`` draws it, alone or on the page.
    Raises ``queries.BadCursor`` for a cursor this service did not make."""
    items, next_cursor = await queries.list_conversations(
        conn, folder.filter, limit=limit, cursor=cursor
    )
    return {
        **HELPERS,
        **await people(conn),
        "items": items,
        "next_cursor": next_cursor,
        "folder": folder,
        "q": q,
        "current_id": current,
    }


async def thread_context(
    conn: Conn, conversation: ConversationRow, *, limit: int = THREAD_PAGE, before: str | None
) -> dict[str, Any]:
    """A page of the thread as ``inbox/_messages.html`` draws it (see :func:`thread`)."""
    return {
        **HELPERS,
        **await people(conn),
        **await thread(conn, conversation, limit=limit, before=before),
        "conversation": conversation,
    }


async def thread(
    conn: Conn, conversation: ConversationRow, *, limit: int = THREAD_PAGE, before: str | None
) -> dict[str, Any]:
    """A page of messages (newest page first, shown oldest first) with what each one needs:
    the comment it answers, moderation outcomes, whether rules left a trace."""
    items, older = await queries.list_recent_messages(
        conn, conversation.id, limit=limit, before=before
    )
    post_id = conversation.post.id if conversation.post else None
    parents = {
        ref
        for m in items
        for ref in (m.parent_comment_id, m.reply_to_external_id)
        if ref and ref != post_id
    }
    found = await views.quoted(conn, conversation.id, parents)
    moderation = (
        await outbox_queries.moderation_states(conn, conversation.id)
        if conversation.kind == ThreadKind.COMMENT
        else {}
    )
    traced = await rule_store.traced_message_ids(conn, [m.id for m in items if m.direction == "in"])
    shown = []
    for m in items:
        ref = m.parent_comment_id or m.reply_to_external_id
        shown.append(
            {
                **asdict(m),
                "quote": found.get(ref) if ref else None,
                "moderation": moderation.get(m.external_id or ""),
                "traced": m.id in traced,
            }
        )
    return {"messages": shown, "older_cursor": older}
