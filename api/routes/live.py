"""``GET /api/v1/live``: the agents' screens hear what changed, as Server-Sent Events.

The stream (``text/event-stream``), in order:

- ``retry: 3000`` then ``event: ready`` / ``data: {}`` — subscribed: anything committed from
  now on will be heard, so a page (re)loads what it shows after ``ready``, never before;
- ``event: conversation`` / ``data: {"conversation_id": 12, "reason": "message"}``, reason
  ``message`` (arrived or changed), ``update`` (status, assignee, labels..., moderation) or
  ``delivery`` (an outbound message became sent or failed);
- ``event: presence`` / ``data: {"conversation_id": 12, "viewers": [{"user_id": 1,
  "name": "Ann", "typing": false}]}`` — who has the conversation open, on every change;
- ``: ping`` every ``OMNIBOX_LIVE_PING_SECONDS`` (15 s), so proxies keep an idle stream open.

It ends when the client goes, the server stops, or the subscriber falls too far behind; the
browser's ``EventSource`` reconnects by itself and the page re-reads on the next ``ready``.
Authentication is the same as the REST API's (bearer token or the session cookie), resolved
in a transaction of its own that is closed before the first byte: an open stream holds no
database connection.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import orjson
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import BrieflyCurrentUser, RuntimeDep
from inbox.live import LiveBus, LiveEvent, SubscriptionEnded

router = APIRouter(prefix="/api/v1", tags=["live"])
log = logging.getLogger("omnibox.live")

READY = b"retry: 3000\nevent: ready\ndata: {}\n\n"
PING = b": ping\n\n"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def frame(event: LiveEvent) -> bytes:
    """One SSE message; JSON never holds a raw newline, so ``data`` is a single line."""
    return b"event: " + event.kind.encode() + b"\ndata: " + orjson.dumps(event.payload()) + b"\n\n"


async def stream(bus: LiveBus, ping_seconds: float) -> AsyncIterator[bytes]:
    try:
        async with bus.subscribe() as sub:
            yield READY
            while True:
                event = await sub.get(within=ping_seconds)
                yield PING if event is None else frame(event)
    except SubscriptionEnded:
        return
    except Exception as exc:  # e.g. Redis unreachable: end; the client reconnects later
        log.warning("live stream ended: %s", exc)


@router.get(
    "/live",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the event stream"}},
)
async def live(rt: RuntimeDep, _user: BrieflyCurrentUser) -> StreamingResponse:
    """Server-Sent Events: ``ready``, then ``conversation`` and ``presence`` as they happen."""
    return StreamingResponse(
        stream(rt.live, rt.settings.live_ping_seconds),
        media_type="text/event-stream",
        headers=HEADERS,
    )
