"""Server-rendered pieces of the inbox that its script swaps in on live updates: the list, the
thread (and older messages), the contact, a message's rule traces. Every piece of user text is
escaped here by Jinja, in one place; the script only parses our own markup.

Signed out, these answer 401 (the script sends the reader to the sign-in), not a redirect a
``fetch`` would silently follow into the sign-in page's HTML.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep, SessionDep
from api.web import pages_inbox_views as views
from api.web.page_deps import NeedsSignIn, page_user
from api.web.pages_inbox import CursorQ, FolderQ, SearchQ, StatusQ
from api.web.pages_inbox_folders import parse
from api.web.templating import render
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


async def _conversation(session: SessionDep, conversation_id: int) -> dict[str, Any]:
    found = await queries.get_conversation(await session.connection(), conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return found


@router.get("/inbox/list", response_class=HTMLResponse)
async def list_fragment(
    request: Request,
    session: SessionDep,
    signed_in: FragmentUser,
    folder: FolderQ = None,
    status: StatusQ = None,
    q: SearchQ = None,
    cursor: CursorQ = None,
    current: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = views.LIST_PAGE,
) -> HTMLResponse:
    """A page of rows; ``limit`` lets a live refresh redraw as many rows as are on screen."""
    assert signed_in.user.id is not None
    chosen = parse(folder, status, q, signed_in.user.id)
    conn = await session.connection()
    try:
        listing = await views.conversation_list(conn, chosen, cursor=cursor, limit=limit)
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    context = {
        **views.HELPERS,
        **await views.people(conn),
        **listing,
        "folder": chosen,
        "q": (q or "").strip(),
        "current_id": current,
    }
    return render(request, "inbox/_list.html", context)


@router.get("/inbox/folders", response_class=HTMLResponse)
async def folders_fragment(
    request: Request,
    session: SessionDep,
    signed_in: FragmentUser,
    folder: FolderQ = None,
    status: StatusQ = None,
    q: SearchQ = None,
) -> HTMLResponse:
    """The folder list with fresh counts."""
    assert signed_in.user.id is not None
    conn = await session.connection()
    context = {
        **await views.people(conn),
        **await views.sidebar(conn, signed_in.user.id),
        "folder": parse(folder, status, q, signed_in.user.id),
        "q": (q or "").strip(),
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
    conversation = await _conversation(session, conversation_id)
    conn = await session.connection()
    context = {
        **views.HELPERS,
        **await views.people(conn),
        **await views.thread(conn, conversation, limit=limit, before=None),
        "conversation": conversation,
        "label_names": await inbox_queries.label_names(conn),
    }
    return render(request, "inbox/_thread.html", context)


@router.get("/conversations/{conversation_id}/messages", response_class=HTMLResponse)
async def older_messages_fragment(
    request: Request,
    conversation_id: int,
    session: SessionDep,
    _user: FragmentUser,
    before: Annotated[str, Query(min_length=1, max_length=200)],
) -> HTMLResponse:
    conversation = await _conversation(session, conversation_id)
    conn = await session.connection()
    try:
        page = await views.thread(conn, conversation, before=before)
    except queries.BadCursor as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    context = {
        **views.HELPERS,
        **await views.people(conn),
        **page,
        "conversation": conversation,
    }
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
    traces = await inbox_queries.rule_traces(conn, message_id)
    return render(request, "inbox/_traces.html", {**views.HELPERS, "traces": traces})
