"""What every webhook route shares: the account, the body cap, JSON parsing, the intake key,
refusals, durable submit."""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

import orjson
from fastapi import HTTPException, Request

from api.runtime import Runtime
from inbox import metrics
from inbox.accounts.directory import AccountKeys
from inbox.events import AnomalousPayload
from inbox.queue.base import NewEvent, QueueUnavailable

log = logging.getLogger("omnibox.webhooks")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def refuse(channel: str, status: int, reason: str, detail: str) -> NoReturn:
    metrics.WEBHOOKS_REFUSED.labels(channel, reason).inc()
    raise HTTPException(status_code=status, detail=detail)


# The path parameter is read by hand (see parse_account_id); this keeps it in /docs.
ACCOUNT_ID_PARAM: dict[str, Any] = {
    "parameters": [
        {"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
}


def parse_account_id(channel: str, request: Request) -> int:
    """The ``{account_id}`` of the path, read by hand: a typed path parameter costs FastAPI's
    parameter machinery ~20% of a webhook's time (measured with bench/ingest)."""
    raw = str(request.path_params.get("account_id", ""))
    # isascii: str.isdigit() is also true for superscript and fullwidth digits.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        refuse(channel, 404, "unknown_account", "unknown account")
    return int(raw)


async def path_account(rt: Runtime, request: Request, channel: str) -> AccountKeys:
    """The active account of this channel that ``{account_id}`` names; 404 for any other."""
    account = await rt.accounts.by_id(parse_account_id(channel, request))
    if account is None or account.channel != channel:
        refuse(channel, 404, "unknown_account", "unknown account")
    return account


async def read_body(request: Request, channel: str, limit: int) -> bytes:
    """The raw body, refusing anything over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and (
        not (declared.isascii() and declared.isdigit()) or int(declared) > limit
    ):
        refuse(channel, 413, "too_large", f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            refuse(channel, 413, "too_large", f"body over {limit} bytes")
    return bytes(body)


def parse_object(channel: str, body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        refuse(channel, 400, "malformed", "body is not valid JSON")
    if not isinstance(payload, dict):
        refuse(channel, 400, "malformed", "body is not a JSON object")
    return payload


def intake_key(rt: Runtime, channel: str, payload: dict[str, Any], malformed: str) -> str:
    """The delivery's dedup key as the channel's adapter reads it; 400 (``malformed`` says
    what the payload is not) when it has none."""
    try:
        return rt.adapters[channel].intake_key(payload)
    except AnomalousPayload:
        refuse(channel, 400, "malformed", malformed)


async def submit(rt: Runtime, channel: str, account_id: int, key: str, body: bytes) -> bool:
    """Wait until the event is durable; 503 (platform retries) if the queue cannot take it."""
    event = NewEvent(channel, account_id, key[:128], body, time.time())
    try:
        is_new = await rt.intake.submit(event)
    except QueueUnavailable as exc:
        log.error("queue unavailable, asking %s to retry: %s", channel, exc)
        metrics.WEBHOOKS_REFUSED.labels(channel, "queue_unavailable").inc()
        raise HTTPException(status_code=503, detail="queue unavailable, retry later") from exc
    if is_new:
        metrics.WEBHOOKS_RECEIVED.labels(channel).inc()
    else:
        metrics.WEBHOOKS_DUPLICATE.labels(channel).inc()
    return is_new
