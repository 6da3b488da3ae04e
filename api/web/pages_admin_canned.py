"""``/admin/canned-replies``: the shared short answers agents insert with ``/code``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import SessionDep
from api.web.page_deps import PageAdmin
from api.web.templating import render
from inbox.canned.models import CannedReply

router = APIRouter(include_in_schema=False)
_canned = CannedReply.__table__  # type: ignore[attr-defined]


@router.get("/admin/canned-replies")
async def canned_page(request: Request, session: SessionDep, _admin: PageAdmin) -> HTMLResponse:
    rows = (await session.scalars(select(CannedReply).order_by(_canned.c.short_code))).all()
    return render(request, "admin/canned.html", {"replies": rows})
