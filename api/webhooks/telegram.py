"""``POST /webhooks/telegram/{account_id}``: secret-token header, then durable enqueue.

A button press is acknowledged in the answer itself (:mod:`bots.telegram.webhook_answer`).
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response

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
from bots.telegram.verify import verify_secret_token
from bots.telegram.webhook_answer import webhook_answer

router = APIRouter()
CHANNEL = "telegram"


@router.post(
    "/webhooks/telegram/{account_id}",
    include_in_schema=True,
    tags=["webhooks"],
    openapi_extra=ACCOUNT_ID_PARAM,
)
async def telegram_webhook(request: Request) -> Response:
    rt = runtime(request)
    account = await path_account(rt, request, CHANNEL)
    header = request.headers.get("x-telegram-bot-api-secret-token")
    if not verify_secret_token(header, account.webhook_secret):
        refuse(CHANNEL, 401, "unauthorized", "bad or missing secret token")
    body = await read_body(request, CHANNEL, rt.settings.max_body_bytes)
    payload = parse_object(CHANNEL, body)
    key = intake_key(rt, CHANNEL, payload, "not a Telegram update: no update_id")
    await submit(rt, CHANNEL, account.id, key, body)
    answer = webhook_answer(payload)
    if answer is not None:
        return Response(orjson.dumps(answer), status_code=200, media_type="application/json")
    return Response(status_code=200)
