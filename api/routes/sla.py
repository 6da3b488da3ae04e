"""``/api/v1/sla-policies`` and the business calendars of teams and accounts (admin only).

A calendar is the ``rules.calendar`` document (``timezone``, ``weekly``, ``holidays``); PUT
``null`` or DELETE clears it. Changing one re-measures the business-hours figures of the
cycles it applies to: they are marked in this request and recomputed by the worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import CurrentAdmin, SessionDep
from api.schemas.common import ApiModel
from api.schemas.sla import (
    AccountCalendarOut,
    AccountCalendarSet,
    Calendar,
    PolicyOut,
    TeamCalendarOut,
    TeamCalendarSet,
)
from inbox.db import Conn
from inbox.reporting import calendar_admin, policies

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


@router.get("/sla-policies")
async def list_policies(session: SessionDep, _admin: CurrentAdmin) -> list[PolicyOut]:
    found = await policies.list_policies(await session.connection())
    return [PolicyOut.model_validate(p) for p in found]


@router.post("/sla-policies", status_code=201)
async def create_policy(body: PolicyIn, session: SessionDep, _admin: CurrentAdmin) -> PolicyOut:
    found = await policies.create_policy(await session.connection(), body.model_dump())
    return PolicyOut.model_validate(found)


@router.get("/sla-policies/{policy_id}")
async def get_policy(policy_id: Id, session: SessionDep, _admin: CurrentAdmin) -> PolicyOut:
    found = await policies.get_policy(await session.connection(), policy_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return PolicyOut.model_validate(found)


@router.patch("/sla-policies/{policy_id}")
async def update_policy(
    policy_id: Id, body: PolicyPatch, session: SessionDep, _admin: CurrentAdmin
) -> PolicyOut:
    changes = {f: getattr(body, f) for f in body.model_fields_set}
    for field in _NOT_NULL:
        if field in changes and changes[field] is None:
            raise HTTPException(status_code=422, detail=f"{field} cannot be null")
    found = await policies.update_policy(await session.connection(), policy_id, changes)
    if found is None:
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return PolicyOut.model_validate(found)


@router.delete("/sla-policies/{policy_id}", status_code=204)
async def delete_policy(policy_id: Id, session: SessionDep, _admin: CurrentAdmin) -> Response:
    if not await policies.delete_policy(await session.connection(), policy_id):
        raise HTTPException(status_code=404, detail="no such SLA policy")
    return Response(status_code=204)


@dataclass(frozen=True, slots=True)
class _CalendarOwner:
    """Whose business calendar the routes read and set: teams and accounts alike."""

    noun: str  # "team" or "account": in the path, in its id's name and in the 404
    read: Callable[[Conn, int], Awaitable[tuple[bool, Calendar | None]]]
    write: Callable[[Conn, int, Calendar | None], Awaitable[int]]
    shown: type[TeamCalendarOut] | type[AccountCalendarOut]
    changed: type[TeamCalendarSet] | type[AccountCalendarSet]


def _calendar_routes(owner: _CalendarOwner) -> None:
    """GET, PUT and DELETE ``/teams/{team_id}/calendar`` (or the account's); DELETE is PUT
    ``null``. The id keeps its own name in the path, in the answer and in a 422's ``loc``."""
    id_name = f"{owner.noun}_id"
    path = f"/{owner.noun}s/{{{id_name}}}/calendar"
    owner_id_param = Path(alias=id_name, ge=1, le=2**63 - 1)

    async def calendar_of(conn: Conn, owner_id: int) -> Calendar | None:
        exists, calendar = await owner.read(conn, owner_id)
        if not exists:
            raise HTTPException(status_code=404, detail=f"no such {owner.noun}")
        return calendar

    @router.get(path, response_model=owner.shown, name=f"get_{owner.noun}_calendar")
    async def get_calendar(
        session: SessionDep, _admin: CurrentAdmin, owner_id: int = owner_id_param
    ) -> ApiModel:
        calendar = await calendar_of(await session.connection(), owner_id)
        return owner.shown.model_validate({id_name: owner_id, "calendar": calendar})

    @router.put(path, response_model=owner.changed, name=f"put_{owner.noun}_calendar")
    async def put_calendar(
        session: SessionDep,
        _admin: CurrentAdmin,
        owner_id: int = owner_id_param,
        body: CalendarBody = None,
    ) -> ApiModel:
        conn = await session.connection()
        await calendar_of(conn, owner_id)
        calendar = calendar_admin.normalise(body)
        marked = await owner.write(conn, owner_id, calendar)
        changed = {id_name: owner_id, "calendar": calendar, "cycles_to_recompute": marked}
        return owner.changed.model_validate(changed)

    @router.delete(path, response_model=owner.changed, name=f"delete_{owner.noun}_calendar")
    async def delete_calendar(
        session: SessionDep, _admin: CurrentAdmin, owner_id: int = owner_id_param
    ) -> ApiModel:
        return await put_calendar(session, _admin, owner_id, None)


_calendar_routes(
    _CalendarOwner(
        "team",
        calendar_admin.team_calendar,
        calendar_admin.set_team_calendar,
        TeamCalendarOut,
        TeamCalendarSet,
    )
)
_calendar_routes(
    _CalendarOwner(
        "account",
        calendar_admin.account_calendar,
        calendar_admin.set_account_calendar,
        AccountCalendarOut,
        AccountCalendarSet,
    )
)
