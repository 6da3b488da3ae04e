"""``GET/POST /webhooks/facebook``: Meta's handshake, signature over raw bytes, per-entry queue.

One POST may batch entries for several Pages and Instagram accounts. Each entry is routed to
its account by id and queued on its own, so one account's entries never wait on another's.
"""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import SecretStr

from api.webhooks.common import parse_object, read_body, refuse, runtime, submit
from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.entries import split_entries
from bots.facebook.verify import verify_handshake, verify_signature
from inbox import metrics
from inbox.events import AnomalousPayload

router = APIRouter()
CHANNEL = "facebook"
# The envelope's ``object`` says whose entries these are: a Page's or an Instagram account's.
OBJECT_CHANNELS = {
    adapter.object_name: adapter.channel.value
    for adapter in (FacebookAdapter(), InstagramAdapter())
}


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@router.get("/webhooks/facebook", tags=["webhooks"], response_class=PlainTextResponse)
async def facebook_handshake(request: Request) -> Response:
    rt = runtime(request)
    challenge = verify_handshake(
        dict(request.query_params), _secret(rt.settings.facebook_verify_token)
    )
    if challenge is None:
        refuse(CHANNEL, 403, "unauthorized", "verify token mismatch")
    return PlainTextResponse(challenge)


@router.post("/webhooks/facebook", tags=["webhooks"])
async def facebook_webhook(request: Request) -> Response:
    rt = runtime(request)
    body = await read_body(request, CHANNEL, rt.settings.max_body_bytes)
    app_secret = _secret(rt.settings.facebook_app_secret)
    if not verify_signature(body, request.headers.get("x-hub-signature-256"), app_secret):
        refuse(CHANNEL, 403, "unauthorized", "bad or missing X-Hub-Signature-256")
    payload = parse_object(CHANNEL, body)
    obj = payload.get("object")
    channel = OBJECT_CHANNELS.get(obj) if isinstance(obj, str) else None
    if channel is None:
        metrics.EVENTS_UNSUPPORTED.labels(CHANNEL, f"object:{str(obj)[:32]}").inc()
        return Response(status_code=200)
    try:
        entries = split_entries(payload)
    except AnomalousPayload:
        refuse(CHANNEL, 400, "malformed", "no entry list")
    adapter = rt.adapters[channel]
    routed = []
    for entry_id, entry in entries:
        account = await rt.accounts.by_external(channel, entry_id)
        if account is None:
            metrics.WEBHOOKS_REFUSED.labels(channel, "unknown_account").inc()
            continue
        single = {"object": obj, "entry": [entry]}
        routed.append((account.id, adapter.intake_key(single), orjson.dumps(single)))
    if not routed:
        refuse(channel, 404, "unknown_account", "no connected account for these entries")
    await asyncio.gather(*(submit(rt, channel, aid, key, raw) for aid, key, raw in routed))
    return Response(status_code=200)
