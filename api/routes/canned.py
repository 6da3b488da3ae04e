"""``/api/v1/canned-replies``: every agent searches them from the reply box; admins write them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import CurrentAdmin, CurrentUser, SessionDep
from api.schemas.people import CannedList, CannedOut
from inbox.canned import service
from inbox.canned.service import CannedBody

router = APIRouter(prefix="/api/v1", tags=["canned replies"])

CannedId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class CannedIn(BaseModel):
    short_code: str = Field(min_length=1, max_length=64)  # checked again once normalised
    title: str = Field(default="", max_length=service.TITLE_MAX)
    text: str = Field(min_length=1, max_length=service.TEXT_MAX)

    def body(self) -> CannedBody:
        return CannedBody(self.short_code, self.title, self.text)


@router.get("/canned-replies")
async def list_canned(
    session: SessionDep,
    _user: CurrentUser,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> CannedList:
    return CannedList(items=await service.search(await session.connection(), q))


@router.post("/canned-replies", status_code=201)
async def create_canned(body: CannedIn, session: SessionDep, admin: CurrentAdmin) -> CannedOut:
    found = await service.create(await session.connection(), body.body(), admin.id)
    return CannedOut.model_validate(found)


@router.put("/canned-replies/{canned_id}")
async def replace_canned(
    canned_id: CannedId, body: CannedIn, session: SessionDep, _admin: CurrentAdmin
) -> CannedOut:
    found = await service.replace(await session.connection(), canned_id, body.body())
    if found is None:
        raise HTTPException(status_code=404, detail="no such canned reply")
    return CannedOut.model_validate(found)


@router.delete("/canned-replies/{canned_id}", status_code=204)
async def delete_canned(canned_id: CannedId, session: SessionDep, _admin: CurrentAdmin) -> Response:
    if not await service.remove(await session.connection(), canned_id):
        raise HTTPException(status_code=404, detail="no such canned reply")
    return Response(status_code=204)
