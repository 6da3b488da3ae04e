"""Server-rendered pieces of the inbox that its script swaps in on live updates: the list, the
thread (and older messages), the contact, a message's rule traces. Every piece of user text is
escaped here by Jinja, in one place; the script only parses our own markup.

Signed out, these answer 401 (the script sends the reader to the sign-in), not a redirect a
``fetch`` would silently follow into the sign-in page's HTML.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep, SessionDep
from api.web import pages_inbox_views as views
from api.web.page_deps import NeedsSignIn, page_user
from api.web.pages_inbox import ChosenFolder, CursorQ, conversation_or_404, cursor_checked
from api.web.templating import render
from inbox.automation import store as rule_store
from inbox.contacts import queries as contacts
from inbox.conversations import inbox_queries, queries
from inbox.sessions.service import SignedIn

router = APIRouter(prefix="/ui", include_in_schema=False)


async def fragment_user(request: Request, rt: RuntimeDep, session: SessionDep) -> SignedIn:
    try:
        return await page_user(request, rt, session)
    except NeedsSignIn as exc:
        raise HTTPException(status_code=401, detail="not authenticated") from exc


FragmentUser = Annotated[SignedIn, Depends(fragment_user)]


@router.get("/inbox/list", response_class=HTMLResponse)
async def list_fragment(
    request: Request,
    session: SessionDep,
    signed_in: FragmentUser,
    chosen: ChosenFolder,
    cursor: CursorQ = None,
    current: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = views.LIST_PAGE,
) -> HTMLResponse:
    """A page of rows; ``limit`` lets a live refresh redraw as many rows as are on screen."""
    assert signed_in.user.id is not None
    folder = chosen.folder_for(signed_in.user.id)
    conn = await session.connection()
    with cursor_checked():
        context = await views.list_context(conn, folder, chosen.search, cursor, current, limit)
    return render(request, "inbox/_list.html", context)


@router.get("/inbox/folders", response_class=HTMLResponse)
async def folders_fragment(
    request: Request, session: SessionDep, signed_in: FragmentUser, chosen: ChosenFolder
) -> HTMLResponse:
    """The folder list with fresh counts."""
    assert signed_in.user.id is not None
    conn = await session.connection()
    context = {
        **await views.people(conn),
        **await views.sidebar(conn, signed_in.user.id),
        "folder": chosen.folder_for(signed_in.user.id),
        "q": chosen.search,
    }
    return render(request, "inbox/_folders.html", context)


@router.get("/conversations/{conversation_id}/thread", response_class=HTMLResponse)
async def thread_fragment(
    request: Request,
    conversation_id: int,
    session: SessionDep,
    _user: FragmentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = views.THREAD_PAGE,
) -> HTMLResponse:
    """The head (status, assignee, labels), the post, and the latest messages."""
    conn = await session.connection()
    conversation = await conversation_or_404(conn, conversation_id)
    context = await views.thread_context(conn, conversation, limit=limit, before=None)
    context["label_names"] = await inbox_queries.label_names(conn)
    return render(request, "inbox/_thread.html", context)


@router.get("/conversations/{conversation_id}/messages", response_class=HTMLResponse)
async def older_messages_fragment(
    request: Request,
    conversation_id: int,
    session: SessionDep,
    _user: FragmentUser,
    before: Annotated[str, Query(min_length=1, max_length=200)],
) -> HTMLResponse:
    conn = await session.connection()
    conversation = await conversation_or_404(conn, conversation_id)
    with cursor_checked():
        context = await views.thread_context(conn, conversation, before=before)
    return render(request, "inbox/_messages.html", context)


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
async def contact_fragment(
    request: Request,
    contact_id: int,
    session: SessionDep,
    _user: FragmentUser,
    current: int | None = None,
) -> HTMLResponse:
    conn = await session.connection()
    contact = await contacts.get_contact(conn, contact_id)
    if contact is None:
        raise HTTPException(status_code=404, detail="no such contact")
    context = {**views.HELPERS, "contact": contact, "current_id": current}
    return render(request, "inbox/_contact.html", context)


@router.get("/messages/{message_id}/rule-traces", response_class=HTMLResponse)
async def traces_fragment(
    request: Request, message_id: int, session: SessionDep, _user: FragmentUser
) -> HTMLResponse:
    """Which rules looked at a customer's message and what they did: the "why?" link."""
    conn = await session.connection()
    if await queries.get_message(conn, message_id) is None:
        raise HTTPException(status_code=404, detail="no such message")
    traces = await rule_store.rule_traces(conn, message_id)
    return render(request, "inbox/_traces.html", {**views.HELPERS, "traces": traces})
