"""``/api/v1/conversations`` and their messages (read side)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from api.deps import CurrentUser, SessionDep
from api.schemas.conversations import ConversationOut, ConversationPage, MessagePage
from inbox.conversations import queries

router = APIRouter(prefix="/api/v1", tags=["conversations"])


@router.get("/conversations")
async def list_conversations(
    session: SessionDep,
    _user: CurrentUser,
    status: Literal["open", "pending", "snoozed", "resolved"] | None = None,
    channel: Literal["telegram", "vk", "facebook", "instagram"] | None = None,
    account_id: int | None = None,
    kind: Literal["direct", "comment"] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    label: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    unassigned: Annotated[bool, Query(description="only conversations with no agent")] = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConversationPage:
    """Newest activity first; ``next_cursor`` (null on the last page) fetches the next one."""
    f = queries.ConversationFilter(
        status, channel, account_id, kind, assignee_id, team_id, label, q or None, unassigned
    )
    conn = await session.connection()
    items, next_cursor = await queries.list_conversations(conn, f, limit=limit, cursor=cursor)
    return ConversationPage(items=items, next_cursor=next_cursor)


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    conversation_id: int, session: SessionDep, _user: CurrentUser
) -> ConversationOut:
    found = await queries.get_conversation(await session.connection(), conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return ConversationOut.model_validate(found)


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: int,
    session: SessionDep,
    _user: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MessagePage:
    """Oldest first; ``next_cursor`` (null on the last page) fetches the next one."""
    conn = await session.connection()
    if await queries.get_conversation(conn, conversation_id) is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    items, next_cursor = await queries.list_messages(
        conn, conversation_id, limit=limit, cursor=cursor
    )
    return MessagePage(items=items, next_cursor=next_cursor)
