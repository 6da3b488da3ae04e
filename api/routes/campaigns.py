"""``/api/v1/segments`` and ``/api/v1/campaigns`` (admin): write, preview, send, follow.

Transitions that the campaign's status does not allow (editing a started campaign, pausing a
draft, …) answer 409 with the reason; fields that cannot make a campaign or segment, 422.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import CurrentAdmin, SessionDep
from api.schemas.newsletters import (
    AudiencePreviewOut,
    CampaignDetailOut,
    CampaignList,
    RecipientPageOut,
    SegmentList,
    SegmentOut,
    SellingShareOut,
)
from inbox.db import Conn
from inbox.newsletters import campaign_queries as queries
from inbox.newsletters import campaigns as service
from inbox.newsletters import segments
from inbox.newsletters.models import RecipientStatus

router = APIRouter(prefix="/api/v1", tags=["newsletters"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class SegmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    account_id: int = Field(ge=1)
    labels: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    language: str | None = Field(default=None, max_length=16)
    active_within_days: int | None = Field(default=None, ge=1, le=3650)

    def body(self) -> segments.SegmentBody:
        return segments.SegmentBody(
            self.name, self.account_id, list(self.labels), self.language, self.active_within_days
        )


class ButtonIn(BaseModel):
    text: str = Field(min_length=1, max_length=64)
    payload: str = Field(min_length=1, max_length=64)


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    account_id: int = Field(ge=1)
    segment_id: int | None = Field(default=None, ge=1)
    text: str = Field(min_length=1, max_length=4096)
    tag: Literal["useful", "selling"]
    image_url: str | None = Field(default=None, max_length=1024, pattern=r"^https://")
    buttons: list[ButtonIn] = Field(default_factory=list, max_length=10)


class CampaignPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    segment_id: int | None = Field(default=None, ge=1)
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    tag: Literal["useful", "selling"] | None = None
    image_url: str | None = Field(default=None, max_length=1024, pattern=r"^https://")
    buttons: list[ButtonIn] | None = Field(default=None, max_length=10)


class ScheduleIn(BaseModel):
    at: datetime


# --- segments ---------------------------------------------------------------------------------


@router.get("/segments")
async def list_segments(
    session: SessionDep, _admin: CurrentAdmin, account_id: int | None = None
) -> SegmentList:
    return SegmentList(items=await segments.list_all(await session.connection(), account_id))


@router.post("/segments", status_code=201)
async def create_segment(body: SegmentIn, session: SessionDep, _admin: CurrentAdmin) -> SegmentOut:
    return SegmentOut.model_validate(await segments.create(await session.connection(), body.body()))


@router.get("/segments/{segment_id}")
async def get_segment(segment_id: Id, session: SessionDep, _admin: CurrentAdmin) -> SegmentOut:
    found = await segments.get_row(await session.connection(), segment_id)
    return SegmentOut.model_validate(found)


@router.put("/segments/{segment_id}")
@router.patch("/segments/{segment_id}")
async def replace_segment(
    segment_id: Id, body: SegmentIn, session: SessionDep, _admin: CurrentAdmin
) -> SegmentOut:
    found = await segments.replace(await session.connection(), segment_id, body.body())
    return SegmentOut.model_validate(found)


@router.delete("/segments/{segment_id}", status_code=204)
async def delete_segment(segment_id: Id, session: SessionDep, _admin: CurrentAdmin) -> Response:
    await segments.remove(await session.connection(), segment_id)
    return Response(status_code=204)


@router.get("/segments/{segment_id}/audience")
async def segment_audience(
    segment_id: Id,
    session: SessionDep,
    _admin: CurrentAdmin,
    sample: Annotated[int, Query(ge=0, le=100)] = segments.SAMPLE_SIZE,
) -> AudiencePreviewOut:
    """Who would get a campaign sent now (``note`` explains Meta's 24-hour window on
    Facebook/Instagram)."""
    conn = await session.connection()
    row = await segments.get_row(conn, segment_id)
    found = await segments.preview(conn, segments.audience_of(row), sample=sample)
    return AudiencePreviewOut.model_validate(found)


# --- campaigns --------------------------------------------------------------------------------


async def _describe(session: SessionDep, campaign_id: int) -> CampaignDetailOut:
    found = await queries.describe(await session.connection(), campaign_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"there is no campaign {campaign_id}")
    return CampaignDetailOut.model_validate(found)


@router.get("/campaigns")
async def list_campaigns(
    session: SessionDep,
    _admin: CurrentAdmin,
    account_id: int | None = None,
    status: str | None = None,
) -> CampaignList:
    items = await queries.list_campaigns(
        await session.connection(), account_id=account_id, status=status
    )
    return CampaignList(items=items)


@router.get("/campaigns/selling-share")
async def selling_share(
    session: SessionDep,
    _admin: CurrentAdmin,
    account_id: Annotated[int, Query(ge=1)],
    days: Annotated[int, Query(ge=1, le=365)] = queries.REPORT_DAYS,
) -> SellingShareOut:
    """The 80/20 rule: the share of selling campaigns among those started in ``days``."""
    found = await queries.selling_share(await session.connection(), account_id, days=days)
    return SellingShareOut.model_validate(found)


@router.post("/campaigns", status_code=201)
async def create_campaign(
    body: CampaignIn, session: SessionDep, admin: CurrentAdmin
) -> CampaignDetailOut:
    data = body.model_dump()
    campaign_id = await service.create(
        await session.connection(), service.CampaignBody(**data), admin.id
    )
    return await _describe(session, campaign_id)


@router.get("/campaigns/{campaign_id}")
async def get_campaign(
    campaign_id: Id, session: SessionDep, _admin: CurrentAdmin
) -> CampaignDetailOut:
    return await _describe(session, campaign_id)


@router.patch("/campaigns/{campaign_id}")
async def update_campaign(
    campaign_id: Id, body: CampaignPatch, session: SessionDep, _admin: CurrentAdmin
) -> CampaignDetailOut:
    changes = body.model_dump(exclude_unset=True)
    await service.update_fields(await session.connection(), campaign_id, changes)
    return await _describe(session, campaign_id)


@router.delete("/campaigns/{campaign_id}", status_code=204)
async def delete_campaign(campaign_id: Id, session: SessionDep, _admin: CurrentAdmin) -> Response:
    await service.delete(await session.connection(), campaign_id)
    return Response(status_code=204)


@router.post("/campaigns/{campaign_id}/schedule")
async def schedule_campaign(
    campaign_id: Id, body: ScheduleIn, session: SessionDep, _admin: CurrentAdmin
) -> CampaignDetailOut:
    await service.schedule(await session.connection(), campaign_id, body.at)
    return await _describe(session, campaign_id)


Action = Callable[[Conn, int], Awaitable[object]]


def _action_route(verb: str, action: Action, description: str | None = None) -> None:
    """``POST /campaigns/{campaign_id}/{verb}``: the action, then the campaign as it is now."""

    @router.post(
        f"/campaigns/{{campaign_id}}/{verb}", name=f"{verb}_campaign", description=description
    )
    async def act(campaign_id: Id, session: SessionDep, _admin: CurrentAdmin) -> CampaignDetailOut:
        await action(await session.connection(), campaign_id)
        return await _describe(session, campaign_id)


_action_route(
    "send", service.start, "Start now: the audience is frozen in this request (``audience_size``)."
)
_action_route("pause", service.pause)
_action_route("resume", service.resume)
_action_route("cancel", service.cancel)


@router.get("/campaigns/{campaign_id}/recipients")
async def campaign_recipients(
    campaign_id: Id,
    session: SessionDep,
    _admin: CurrentAdmin,
    status: RecipientStatus | None = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = queries.PAGE,
) -> RecipientPageOut:
    """One page in recipient order; ``next_cursor`` (null at the end) fetches the next."""
    await _describe(session, campaign_id)
    page = await queries.recipients(
        await session.connection(),
        campaign_id,
        status=None if status is None else status.value,
        cursor=cursor,
        limit=limit,
    )
    return RecipientPageOut.model_validate(page)
