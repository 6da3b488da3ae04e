"""``/api/v1/users`` and ``/api/v1/teams``: who works in the inbox, and how they are grouped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import ChangesDep, CurrentAdmin, CurrentUser, SessionDep
from api.schemas.people import TeamOut, UserDetailOut
from inbox.sessions import service as sessions
from inbox.teams import service as teams
from inbox.users import service as users
from inbox.users.models import Role, User

router = APIRouter(prefix="/api/v1", tags=["users and teams"])

TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=8, max_length=200)
    role: Role = Role.AGENT
    name: str = Field(default="", max_length=200)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: TeamName
    member_ids: list[int] = Field(default_factory=list, max_length=1000)


class TeamPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: TeamName | None = None
    member_ids: list[int] | None = Field(default=None, max_length=1000)


@router.get("/users")
async def list_users(session: SessionDep, _user: CurrentUser) -> list[UserDetailOut]:
    """Agents need the list to assign; only admins change it."""
    return [UserDetailOut.model_validate(u) for u in await users.list_users(session)]


@router.post("/users", status_code=201)
async def create_user(body: UserIn, session: SessionDep, _admin: CurrentAdmin) -> UserDetailOut:
    user = await users.create_user(
        session, email=body.email, password=body.password, role=body.role, name=body.name
    )
    return UserDetailOut.model_validate(user)


@router.patch("/users/{user_id}")
async def update_user(
    user_id: int, body: UserPatch, session: SessionDep, admin: CurrentAdmin
) -> UserDetailOut:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="no such user")
    if user.id == admin.id and (body.is_active is False or body.role == Role.AGENT):
        raise HTTPException(status_code=409, detail="an admin cannot demote or disable themselves")
    await users.update_user(
        session,
        user,
        name=body.name,
        role=body.role,
        is_active=body.is_active,
        password=body.password,
    )
    if body.is_active is False or body.password is not None:
        await sessions.end_all(session, user_id)  # signed out of the web inbox everywhere
    return UserDetailOut.model_validate(user)


@router.get("/teams")
async def list_teams(session: SessionDep, _user: CurrentUser) -> list[TeamOut]:
    return [TeamOut.model_validate(t) for t in await teams.list_teams(await session.connection())]


@router.post("/teams", status_code=201)
async def create_team(body: TeamIn, session: SessionDep, _admin: CurrentAdmin) -> TeamOut:
    conn = await session.connection()
    team_id = await teams.create_team(conn, body.name, body.member_ids)
    found = await teams.get_team(conn, team_id)
    assert found is not None
    return TeamOut.model_validate(found)


@router.patch("/teams/{team_id}")
async def update_team(
    team_id: int, body: TeamPatch, session: SessionDep, _admin: CurrentAdmin
) -> TeamOut:
    conn = await session.connection()
    if await teams.get_team(conn, team_id) is None:
        raise HTTPException(status_code=404, detail="no such team")
    if body.name is not None:
        await teams.rename_team(conn, team_id, body.name)
    if body.member_ids is not None:
        await teams.set_members(conn, team_id, body.member_ids)
    found = await teams.get_team(conn, team_id)
    assert found is not None
    return TeamOut.model_validate(found)


@router.delete("/teams/{team_id}", status_code=204)
async def delete_team(
    team_id: int, session: SessionDep, _admin: CurrentAdmin, changes: ChangesDep
) -> Response:
    conn = await session.connection()
    if await teams.get_team(conn, team_id) is None:
        raise HTTPException(status_code=404, detail="no such team")
    await teams.delete_team(conn, team_id, changes)
    return Response(status_code=204)
