"""The inbox pages: ``/inbox`` (folders, list) and ``/inbox/conversations/{id}`` (the same page
with a conversation, its composer and its contact open)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web import pages_inbox_views as views
from api.web.page_deps import PageUser
from api.web.pages_inbox_folders import Folder, parse
from api.web.templating import render
from inbox.contacts import queries as contacts
from inbox.conversations import queries
from inbox.conversations.rows import ConversationRow
from inbox.db import Conn

router = APIRouter(include_in_schema=False)

FolderQ = Annotated[str | None, Query(max_length=80)]
StatusQ = Annotated[str | None, Query(max_length=16)]
SearchQ = Annotated[str | None, Query(max_length=200)]
CursorQ = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class FolderChoice:
    """What the URL says about the list (``folder=``, ``status=``, ``q=``), read the same way by
    the page and by every fragment that redraws a part of it."""

    folder: str | None
    status: str | None
    q: str | None

    def folder_for(self, user_id: int) -> Folder:
        return parse(self.folder, self.status, self.q, user_id)

    @property
    def search(self) -> str:
        return (self.q or "").strip()


async def folder_choice(
    folder: FolderQ = None, status: StatusQ = None, q: SearchQ = None
) -> FolderChoice:
    return FolderChoice(folder, status, q)


ChosenFolder = Annotated[FolderChoice, Depends(folder_choice)]


@contextmanager
def cursor_checked() -> Iterator[None]:
    """A cursor this service did not make is the caller's mistake (400), not ours."""
    try:
        yield
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


async def conversation_or_404(conn: Conn, conversation_id: int) -> ConversationRow:
    found = await queries.get_conversation(conn, conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return found


async def page_context(
    conn: Conn, user_id: int, chosen: FolderChoice, cursor: str | None, current: int | None
) -> dict[str, Any]:
    folder = chosen.folder_for(user_id)
    with cursor_checked():
        listing = await views.list_context(conn, folder, chosen.search, cursor, current)
    return {**listing, **await views.sidebar(conn, user_id)}


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(
    request: Request,
    session: SessionDep,
    signed_in: PageUser,
    chosen: ChosenFolder,
    cursor: CursorQ = None,
) -> HTMLResponse:
    user_id = signed_in.user.id
    assert user_id is not None
    context = await page_context(await session.connection(), user_id, chosen, cursor, None)
    return render(request, "inbox/page.html", {**context, "conversation": None})


@router.get("/inbox/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    request: Request,
    conversation_id: int,
    session: SessionDep,
    signed_in: PageUser,
    chosen: ChosenFolder,
) -> HTMLResponse:
    user_id = signed_in.user.id
    assert user_id is not None
    conn = await session.connection()
    conversation = await conversation_or_404(conn, conversation_id)
    context = await page_context(conn, user_id, chosen, None, conversation_id)
    context.update(await views.thread(conn, conversation, before=None))
    contact = await contacts.get_contact(conn, conversation.contact.id)
    context.update({"conversation": conversation, "contact": contact})
    return render(request, "inbox/page.html", context)
