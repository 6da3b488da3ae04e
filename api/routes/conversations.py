"""``/api/v1/conversations`` and their messages (read side)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.deps import CurrentUser, SessionDep
from inbox.conversations import queries

router = APIRouter(prefix="/api/v1", tags=["conversations"])


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


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
) -> Page:
    f = queries.ConversationFilter(
        status, channel, account_id, kind, assignee_id, team_id, label, q or None, unassigned
    )
    conn = await session.connection()
    try:
        items, next_cursor = await queries.list_conversations(conn, f, limit=limit, cursor=cursor)
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return Page(items=items, next_cursor=next_cursor)


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    conversation_id: int, session: SessionDep, _user: CurrentUser
) -> dict[str, Any]:
    found = await queries.get_conversation(await session.connection(), conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return found


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: int,
    session: SessionDep,
    _user: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page:
    conn = await session.connection()
    if await queries.get_conversation(conn, conversation_id) is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    try:
        items, next_cursor = await queries.list_messages(
            conn, conversation_id, limit=limit, cursor=cursor
        )
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return Page(items=items, next_cursor=next_cursor)
