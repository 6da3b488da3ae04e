"""``/api/v1/conversations/{id}/presence``: who has a conversation open, and who is typing.

- ``PUT`` ``{"typing": false}`` (body optional) — a heartbeat: send it every ~5 s while the
  conversation is open, and at once when typing starts or stops → ``{"viewers": [...]}``;
- ``DELETE`` → 204 — leaving the conversation;
- ``GET`` → ``{"viewers": [...]}``.

A viewer is ``{"user_id", "name", "typing"}``, sorted by ``user_id``, the caller included. It
is gone ``OMNIBOX_PRESENCE_TTL_SECONDS`` (15) after its last heartbeat; a typing flag
``OMNIBOX_PRESENCE_TYPING_SECONDS`` (6) after its last typing heartbeat. A change is announced
on ``GET /api/v1/live`` as a ``presence`` event. 404 for an unknown conversation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

from api.deps import CurrentUser, RuntimeDep, SessionDep
from inbox.conversations.models import Conversation
from inbox.live import Seen, after_commit, presence_changed
from inbox.users.models import User

router = APIRouter(prefix="/api/v1", tags=["presence"])


class Heartbeat(BaseModel):
    typing: bool = False


class ViewerOut(BaseModel):
    user_id: int
    name: str
    typing: bool


class Viewers(BaseModel):
    viewers: list[ViewerOut]

    @classmethod
    def of(cls, found: list[dict[str, Any]]) -> Viewers:
        return cls(viewers=[ViewerOut(**v) for v in found])


async def _exists(session: SessionDep, conversation_id: int) -> None:
    if await session.get(Conversation, conversation_id) is None:
        raise HTTPException(status_code=404, detail="no such conversation")


def _name(user: User) -> str:
    return user.name or user.email.split("@", 1)[0]


def _announce(session: SessionDep, conversation_id: int, seen: Seen) -> None:
    if seen.changed:
        after_commit(session, presence_changed(conversation_id, seen.as_dicts()))


@router.put("/conversations/{conversation_id}/presence")
async def heartbeat(
    conversation_id: int,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
    body: Heartbeat | None = None,
) -> Viewers:
    await _exists(session, conversation_id)
    assert user.id is not None
    typing = body.typing if body is not None else False
    seen = await rt.presence.beat(conversation_id, user.id, _name(user), typing)
    _announce(session, conversation_id, seen)
    return Viewers.of(seen.as_dicts())


@router.delete("/conversations/{conversation_id}/presence", status_code=204)
async def leave(
    conversation_id: int, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> Response:
    await _exists(session, conversation_id)
    assert user.id is not None
    _announce(session, conversation_id, await rt.presence.leave(conversation_id, user.id))
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/presence")
async def viewers(
    conversation_id: int, session: SessionDep, _user: CurrentUser, rt: RuntimeDep
) -> Viewers:
    await _exists(session, conversation_id)
    found = await rt.presence.viewers(conversation_id)
    return Viewers.of([v.as_dict() for v in found])
