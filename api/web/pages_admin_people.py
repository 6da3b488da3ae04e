"""``/admin/people``: users (role, active, password) and teams (name, members)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web.page_deps import PageAdmin
from api.web.templating import render
from inbox.teams import service as teams
from inbox.users import service as users
from inbox.users.models import Role

router = APIRouter(include_in_schema=False)


@router.get("/admin/people")
async def people_page(request: Request, session: SessionDep, admin: PageAdmin) -> HTMLResponse:
    people = await users.list_users(session)
    return render(
        request,
        "admin/people.html",
        {
            "users": people,
            "names": {u.id: u.name or u.email for u in people},
            "teams": await teams.list_teams(await session.connection()),
            "roles": [r.value for r in Role],
            "my_id": admin.user.id,
        },
    )
