"""Who is looking at a page: signed in through the session cookie, or sent to the sign-in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from api.deps import RuntimeDep, SessionDep, cookie_session
from inbox.sessions.service import SignedIn
from inbox.users.models import Role


class NeedsSignIn(Exception):
    """Raised by page dependencies; the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.location = "/login?next=" + quote(next_path, safe="/?=&")


async def page_user(request: Request, rt: RuntimeDep, session: SessionDep) -> SignedIn:
    signed_in = await cookie_session(request, rt, session)
    if signed_in is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NeedsSignIn(target)
    return signed_in


PageUser = Annotated[SignedIn, Depends(page_user)]


async def page_admin(signed_in: PageUser) -> SignedIn:
    # The error page's top bar reads ``signed_in.me`` (plain values), so the rollback that
    # comes with this 403 cannot break it.
    if signed_in.me.role != Role.ADMIN.value:
        raise HTTPException(status_code=403, detail="admin only")
    return signed_in


PageAdmin = Annotated[SignedIn, Depends(page_admin)]
