"""``POST /webhooks/vk/{account_id}``: confirmation handshake, ``secret`` check, then ``ok``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from api.webhooks.common import (
    ACCOUNT_ID_PARAM,
    intake_key,
    parse_object,
    path_account,
    read_body,
    refuse,
    runtime,
    submit,
)
from bots.vk.verify import verify_secret

router = APIRouter()
CHANNEL = "vk"


@router.post(
    "/webhooks/vk/{account_id}",
    tags=["webhooks"],
    response_class=PlainTextResponse,
    openapi_extra=ACCOUNT_ID_PARAM,
)
async def vk_webhook(request: Request) -> Response:
    rt = runtime(request)
    account = await path_account(rt, request, CHANNEL)
    body = await read_body(request, CHANNEL, rt.settings.max_body_bytes)
    payload = parse_object(CHANNEL, body)
    if str(payload.get("group_id")) != account.external_id:
        # Never answer for a community this account is not: no confirmation code leaks.
        refuse(CHANNEL, 404, "unknown_account", "group_id does not match this account")
    if payload.get("type") == "confirmation":
        return PlainTextResponse(account.confirmation_code)
    if not verify_secret(payload, account.secret):
        refuse(CHANNEL, 403, "unauthorized", "bad or missing secret")
    key = intake_key(rt, CHANNEL, payload, "not a VK Callback event: no event_id")
    await submit(rt, CHANNEL, account.id, key, body)
    return PlainTextResponse("ok")
