"""The inbox pages: ``/inbox`` (folders, list) and ``/inbox/conversations/{id}`` (the same page
with a conversation, its composer and its contact open)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web import pages_inbox_views as views
from api.web.page_deps import PageUser
from api.web.pages_inbox_folders import Folder, parse
from api.web.templating import render
from inbox.contacts import queries as contacts
from inbox.conversations import queries
from inbox.db import Conn

router = APIRouter(include_in_schema=False)

FolderQ = Annotated[str | None, Query(max_length=80)]
StatusQ = Annotated[str | None, Query(max_length=16)]
SearchQ = Annotated[str | None, Query(max_length=200)]
CursorQ = Annotated[str | None, Query(max_length=200)]


async def page_context(
    conn: Conn, user_id: int, folder: Folder, q: str, cursor: str | None, current: int | None
) -> dict[str, Any]:
    try:
        listing = await views.conversation_list(conn, folder, cursor=cursor)
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return {
        **views.HELPERS,
        **await views.people(conn),
        **await views.sidebar(conn, user_id),
        **listing,
        "folder": folder,
        "q": q,
        "current_id": current,
    }


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(
    request: Request,
    session: SessionDep,
    signed_in: PageUser,
    folder: FolderQ = None,
    status: StatusQ = None,
    q: SearchQ = None,
    cursor: CursorQ = None,
) -> HTMLResponse:
    user_id = signed_in.user.id
    assert user_id is not None
    chosen = parse(folder, status, q, user_id)
    conn = await session.connection()
    context = await page_context(conn, user_id, chosen, (q or "").strip(), cursor, None)
    return render(request, "inbox/page.html", {**context, "conversation": None})


@router.get("/inbox/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    request: Request,
    conversation_id: int,
    session: SessionDep,
    signed_in: PageUser,
    folder: FolderQ = None,
    status: StatusQ = None,
    q: SearchQ = None,
) -> HTMLResponse:
    user_id = signed_in.user.id
    assert user_id is not None
    conn = await session.connection()
    conversation = await queries.get_conversation(conn, conversation_id)
    if conversation is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    chosen = parse(folder, status, q, user_id)
    context = await page_context(conn, user_id, chosen, (q or "").strip(), None, conversation_id)
    context.update(await views.thread(conn, conversation, before=None))
    contact = await contacts.get_contact(conn, conversation["contact"]["id"])
    context.update({"conversation": conversation, "contact": contact})
    return render(request, "inbox/page.html", context)
