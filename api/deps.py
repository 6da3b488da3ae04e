"""Request dependencies: the database session (owning the transaction) and the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.web import cookies, csrf
from inbox.changes import Changes
from inbox.db import session_on, unit_of_work
from inbox.live import publish_committed
from inbox.sessions import service as sessions
from inbox.sessions.service import SignedIn
from inbox.users.models import Role, User
from inbox.users.security import read_token

_bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(rt: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Scoped to the route function (``scope="function"``), so the commit happens before the
    response is sent: FastAPI's default runs a yield dependency's exit after sending, and a
    client could then act on a 2xx (a sign-in's cookie, a new id) before its rows exist, or
    get a 2xx for a commit that then fails.

    Live events the route queued with ``inbox.live.after_commit`` go out after the commit
    only; an error rolls back and drops them. The unit is not a writer one: a request may wait
    on a password hash or an upload while it is open (``inbox.db.unit_of_work``).
    """
    async with unit_of_work(rt.engine, writer=False) as conn, session_on(conn) as session:
        yield session
    await publish_committed(session, rt.live)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_changes(rt: RuntimeDep, session: SessionDep) -> AsyncIterator[Changes]:
    """What the route's services change (``inbox.changes``); when the route returns, the
    reactions run on it in the request's transaction, before the commit. An error skips them
    (the transaction rolls back)."""
    changes: Changes = []
    yield changes
    await rt.reactions.run(await session.connection(), changes)


ChangesDep = Annotated[Changes, Depends(get_changes, scope="function")]


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def current_user(
    request: Request, rt: RuntimeDep, session: SessionDep, credentials: BearerDep
) -> User:
    return await authenticate(request, rt, session, credentials)


async def authenticate(
    request: Request,
    rt: Runtime,
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
) -> User:
    """A bearer token (API clients), else the web inbox's session cookie.

    A cookie is sent by the browser on its own, so a state-changing request that rides on one
    must also carry the session's CSRF token (header ``X-CSRF-Token`` or form field
    ``csrf_token``) and, when the browser names one, an ``Origin`` of this very service.
    """
    unauthorized = HTTPException(
        status_code=401, detail="not authenticated", headers={"WWW-Authenticate": "Bearer"}
    )
    if credentials is not None and credentials.scheme.lower() == "bearer":
        user_id = read_token(credentials.credentials, await rt.signing_key())
        if user_id is None:
            raise unauthorized
        user = await session.get(User, user_id)
        if user is None or not user.is_active:
            raise unauthorized
        return user
    signed_in = await cookie_session(request, rt, session)
    if signed_in is None:
        raise unauthorized
    return signed_in.user


async def cookie_session(request: Request, rt: Runtime, session: AsyncSession) -> SignedIn | None:
    """The web session behind the request's cookie (None: no cookie, or one that has ended).

    It is kept on ``request.state`` for the page templates, and a state-changing request must
    pass the CSRF check (403 otherwise)."""
    token = cookies.session_token(request)
    if not token:
        return None
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    signed_in = await sessions.resolve(session, token, idle=idle)
    if signed_in is None:
        return None
    request.state.signed_in = signed_in
    if request.method not in _SAFE_METHODS:
        await csrf.check(request, signed_in.csrf_token)
    return signed_in


CurrentUser = Annotated[User, Depends(current_user)]


async def current_user_briefly(request: Request, rt: RuntimeDep, credentials: BearerDep) -> User:
    """Who is asking, in a short unit of its own, for routes that then wait long on something
    else (a stream, a platform's file): ``SessionDep`` would hold a pooled connection until
    the route returns."""
    async with unit_of_work(rt.engine, writer=False) as conn, session_on(conn) as session:
        return await authenticate(request, rt, session, credentials)


BrieflyCurrentUser = Annotated[User, Depends(current_user_briefly)]


async def current_admin(user: CurrentUser) -> User:
    if user.role != Role.ADMIN.value:
        raise HTTPException(status_code=403, detail="admin only")
    return user


CurrentAdmin = Annotated[User, Depends(current_admin)]
