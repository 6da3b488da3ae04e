"""Webhook deliveries skip FastAPI's per-request layers (api/webhooks/fast_path.py), and answer
exactly as they would through them: refusals as ``{"detail": ...}``, failures as a 500 the
platform retries, everything that is not a webhook delivery through FastAPI."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.runtime import Runtime
from bots.account_forms import ACCOUNT_IN
from inbox.accounts.service import create_account
from tests.support.factories import ACCOUNT_BODIES, TG_SECRET, body_of, drain, post_telegram
from tests.support.payloads import load_payload
from tests.support.units import orm_session


class _SeenByFastAPI:
    """A middleware that notes every path FastAPI's stack handled."""

    paths: list[str]

    def __init__(self, app: ASGIApp, paths: list[str]) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
async def telegram_id(runtime: Runtime) -> int:
    data = ACCOUNT_IN.validate_python(ACCOUNT_BODIES["telegram"])
    async with orm_session(runtime) as session:
        account = await create_account(session, data)
    return account.id


@pytest.fixture
async def traced(runtime: Runtime) -> Any:
    """A client on an app whose FastAPI stack records the paths it sees."""
    app = create_app(runtime.settings, runtime=runtime)
    seen: list[str] = []
    app.add_middleware(_SeenByFastAPI, paths=seen)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.test") as c:
        yield c, seen


async def test_a_delivery_is_stored_without_passing_through_fastapi(
    traced: Any, runtime: Runtime, telegram_id: int
) -> None:
    client, seen = traced
    r = await post_telegram(client, telegram_id, load_payload("telegram", "message__dm_text"))
    assert r.status_code == 200
    assert await drain(runtime) == 1
    assert seen == []
    assert (await client.get("/healthz")).status_code == 200
    assert seen == ["/healthz"]


async def test_a_refusal_has_fastapis_shape(traced: Any, telegram_id: int) -> None:
    client, seen = traced
    payload = load_payload("telegram", "message__dm_text")
    r = await post_telegram(client, telegram_id, payload, secret="wrong")
    assert (r.status_code, r.json()) == (401, {"detail": "bad or missing secret token"})
    r = await post_telegram(client, 999_999, payload)
    assert (r.status_code, r.json()) == (404, {"detail": "unknown account"})
    assert seen == []


@pytest.mark.parametrize(
    "path", ["/webhooks/whatsapp/1", "/webhooks/telegram/", "/webhooks/telegram/1/x"]
)
async def test_a_path_no_webhook_has_is_left_to_fastapi(traced: Any, path: str) -> None:
    client, seen = traced
    r = await client.post(path, content=b"{}")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not Found"}
    assert seen == [path]


async def test_the_meta_handshake_still_goes_through_fastapi(traced: Any) -> None:
    client, seen = traced
    r = await client.get("/webhooks/facebook", params={"hub.mode": "subscribe"})
    assert r.status_code == 403  # refused (no verify token) by the FastAPI route
    assert seen == ["/webhooks/facebook"]


async def test_a_failure_is_a_logged_500_the_platform_retries(
    traced: Any,
    runtime: Runtime,
    telegram_id: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _seen = traced

    async def broken(_event: object) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runtime.intake, "submit", broken)
    with caplog.at_level(logging.ERROR, logger="omnibox.webhooks"):
        r = await client.post(
            f"/webhooks/telegram/{telegram_id}",
            content=body_of(load_payload("telegram", "message__dm_text")),
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        )
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert any("disk on fire" in (rec.exc_text or "") for rec in caplog.records)
    assert await runtime.queue.depth() == 0
