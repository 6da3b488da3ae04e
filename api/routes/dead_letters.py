"""``/api/v1/dead-letters``: events the worker gave up on; admins read why and replay them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.deps import CurrentAdmin, RuntimeDep, SessionDep
from inbox.queue import dead_letters
from inbox.queue.base import DeadEvent

router = APIRouter(prefix="/api/v1", tags=["dead letters"])


class DeadLetterOut(BaseModel):
    id: int
    channel: str
    account_id: int
    dedup_key: str
    attempts: int
    error: str
    received_at: datetime
    parked_at: datetime
    payload: str = Field(description="the raw event as received (UTF-8, or base64 if binary)")


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    next_cursor: int | None


class ReplayIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)


class ReplayOut(BaseModel):
    replayed: int


def _out(d: DeadEvent) -> DeadLetterOut:
    try:
        payload = d.payload.decode("utf-8")
    except UnicodeDecodeError:
        payload = base64.b64encode(d.payload).decode()
    return DeadLetterOut(
        id=d.id,
        channel=d.channel,
        account_id=d.account_id,
        dedup_key=d.dedup_key,
        attempts=d.attempts,
        error=d.error,
        payload=payload,
        received_at=datetime.fromtimestamp(d.received_at, UTC),
        parked_at=datetime.fromtimestamp(d.parked_at, UTC),
    )


@router.get("/dead-letters")
async def list_dead_letters(
    session: SessionDep,
    _admin: CurrentAdmin,
    before_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeadLetterPage:
    items = await dead_letters.list_dead(
        await session.connection(), limit=limit, before_id=before_id
    )
    return DeadLetterPage(
        items=[_out(d) for d in items],
        next_cursor=items[-1].id if len(items) == limit else None,
    )


@router.post("/dead-letters/replay")
async def replay_dead_letters(
    data: ReplayIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> ReplayOut:
    count = await dead_letters.replay_dead(await session.connection(), rt.queue, data.ids)
    return ReplayOut(replayed=count)


@router.post("/dead-letters/{dead_id}/replay")
async def replay_dead_letter(
    dead_id: int, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> ReplayOut:
    count = await dead_letters.replay_dead(await session.connection(), rt.queue, [dead_id])
    if count == 0:
        raise HTTPException(status_code=404, detail="no such dead letter")
    return ReplayOut(replayed=count)
