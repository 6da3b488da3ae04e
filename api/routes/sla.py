"""``/api/v1/sla-policies`` and the business calendars of teams and accounts (admin only).

A calendar is the ``rules.calendar`` document (``timezone``, ``weekly``, ``holidays``); PUT
``null`` or DELETE clears it. Changing one re-measures the business-hours figures of the
cycles it applies to: they are marked in this request and recomputed by the worker.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import CurrentAdmin, SessionDep
from inbox.db import Conn
from inbox.reporting import calendar_admin, policies
from inbox.reporting.calendar_admin import CalendarError
from inbox.reporting.policies import PolicyError

router = APIRouter(prefix="/api/v1", tags=["SLA and business hours"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Minutes = Annotated[int, Field(gt=0, le=366 * 24 * 60)]
Priority = Literal["low", "medium", "high", "urgent"]
CalendarBody = Annotated[
    dict[str, Any] | None,
    Body(description="timezone, weekly ({mon: [[start, end]], ...}), holidays; null clears"),
]
_NOT_NULL = ("name", "business_hours", "enabled")


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    account_id: int | None = None
    team_id: int | None = None
    priority: Priority | None = None
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    business_hours: bool = False
    enabled: bool = True


class PolicyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    account_id: int | None = None
    team_id: int | None = None
    priority: Priority | None = None
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    business_hours: bool | None = None
    enabled: bool | None = None


def _refused(exc: Exception) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


@router.get("/sla-policies")
async def list_policies(session: SessionDep, _admin: CurrentAdmin) -> list[dict[str, Any]]:
    return await policies.list_policies(await session.connection())


@router.post("/sla-policies", status_code=201)
async def create_policy(
    body: PolicyIn, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    try:
        return await policies.create_policy(await session.connection(), body.model_dump())
    except PolicyError as exc:
        raise _refused(exc) from exc


@router.get("/sla-policies/{policy_id}")
async def get_policy(policy_id: Id, session: SessionDep, _admin: CurrentAdmin) -> dict[str, Any]:
    found = await policies.get_policy(await session.connection(), policy_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return found


@router.patch("/sla-policies/{policy_id}")
async def update_policy(
    policy_id: Id, body: PolicyPatch, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    changes = {f: getattr(body, f) for f in body.model_fields_set}
    for field in _NOT_NULL:
        if field in changes and changes[field] is None:
            raise HTTPException(status_code=422, detail=f"{field} cannot be null")
    try:
        found = await policies.update_policy(await session.connection(), policy_id, changes)
    except PolicyError as exc:
        raise _refused(exc) from exc
    if found is None:
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return found


@router.delete("/sla-policies/{policy_id}", status_code=204)
async def delete_policy(policy_id: Id, session: SessionDep, _admin: CurrentAdmin) -> Response:
    if not await policies.delete_policy(await session.connection(), policy_id):
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return Response(status_code=204)


def _checked(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    try:
        return calendar_admin.normalise(raw)
    except CalendarError as exc:
        raise HTTPException(status_code=422, detail=f"invalid calendar: {exc}") from exc


async def _team(conn: Conn, team_id: int) -> dict[str, Any] | None:
    exists, calendar = await calendar_admin.team_calendar(conn, team_id)
    if not exists:
        raise HTTPException(status_code=404, detail="no such team")
    return calendar


async def _account(conn: Conn, account_id: int) -> dict[str, Any] | None:
    exists, calendar = await calendar_admin.account_calendar(conn, account_id)
    if not exists:
        raise HTTPException(status_code=404, detail="no such account")
    return calendar


@router.get("/teams/{team_id}/calendar")
async def get_team_calendar(
    team_id: Id, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    return {"team_id": team_id, "calendar": await _team(await session.connection(), team_id)}


@router.put("/teams/{team_id}/calendar")
async def put_team_calendar(
    team_id: Id, session: SessionDep, _admin: CurrentAdmin, body: CalendarBody = None
) -> dict[str, Any]:
    conn = await session.connection()
    await _team(conn, team_id)
    calendar = _checked(body)
    marked = await calendar_admin.set_team_calendar(conn, team_id, calendar)
    return {"team_id": team_id, "calendar": calendar, "cycles_to_recompute": marked}


@router.delete("/teams/{team_id}/calendar")
async def delete_team_calendar(
    team_id: Id, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    conn = await session.connection()
    await _team(conn, team_id)
    marked = await calendar_admin.set_team_calendar(conn, team_id, None)
    return {"team_id": team_id, "calendar": None, "cycles_to_recompute": marked}


@router.get("/accounts/{account_id}/calendar")
async def get_account_calendar(
    account_id: Id, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    calendar = await _account(await session.connection(), account_id)
    return {"account_id": account_id, "calendar": calendar}


@router.put("/accounts/{account_id}/calendar")
async def put_account_calendar(
    account_id: Id, session: SessionDep, _admin: CurrentAdmin, body: CalendarBody = None
) -> dict[str, Any]:
    conn = await session.connection()
    await _account(conn, account_id)
    calendar = _checked(body)
    marked = await calendar_admin.set_account_calendar(conn, account_id, calendar)
    return {"account_id": account_id, "calendar": calendar, "cycles_to_recompute": marked}


@router.delete("/accounts/{account_id}/calendar")
async def delete_account_calendar(
    account_id: Id, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    conn = await session.connection()
    await _account(conn, account_id)
    marked = await calendar_admin.set_account_calendar(conn, account_id, None)
    return {"account_id": account_id, "calendar": None, "cycles_to_recompute": marked}
