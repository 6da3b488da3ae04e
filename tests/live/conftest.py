"""Live tests: the app on a real uvicorn server (streams are read as a browser reads them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.runtime import Runtime
from tests.live.sse import serve
from tests.support.backends import Backend
from tests.support.factories import add_account, admin_headers, drain, post_telegram
from tests.support.fixtures import _drop_redis_prefix, make_settings
from tests.support.payloads import load_payload


@dataclass
class Live:
    rt: Runtime
    base: str
    client: httpx.AsyncClient  # over the network, to ``base``
    headers: dict[str, str]  # the admin's bearer token
    account_id: int

    async def dm(self, update_id: int, message_id: int, text: str = "Hello") -> dict[str, Any]:
        payload = load_payload("telegram", "message__dm_text")
        payload["update_id"] = update_id
        payload["message"].update(message_id=message_id, text=text)
        r = await post_telegram(self.client, self.account_id, payload)
        assert r.status_code == 200, r.text
        return payload

    async def conversation(self) -> int:
        """A stored Telegram conversation (webhook + worker); its id."""
        await self.dm(900_000_001, 70_001)
        await drain(self.rt)
        r = await self.client.get("/api/v1/conversations", headers=self.headers)
        items = r.json()["items"]
        assert len(items) == 1, items
        cid: int = items[0]["id"]
        return cid


LiveFactory = Callable[..., AbstractAsyncContextManager[Live]]


@asynccontextmanager
async def running(rt: Runtime, *, account_id: int | None = None) -> AsyncIterator[Live]:
    """``rt`` (started) served on its own port; an admin and a Telegram account unless given."""
    app = create_app(rt.settings, runtime=rt)
    async with serve(app) as (base, _server), httpx.AsyncClient(base_url=base, timeout=10) as c:
        if account_id is None:
            headers = await admin_headers(c, rt)
            account_id = int((await add_account(c, headers, "telegram"))["id"])
        else:
            r = await c.post(
                "/api/v1/auth/token",
                json={"email": "admin@example.com", "password": "password-123"},
            )
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield Live(rt, base, c, headers, account_id)


@pytest.fixture
def live_with(backend: Backend) -> LiveFactory:
    """``async with live_with(live_ping_seconds=0.2) as live: ...`` (its own Runtime)."""

    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[Live]:
        rt = Runtime(make_settings(backend, **overrides), queue_prefix=backend.queue_prefix)
        await rt.start(intake=True, worker=False)
        try:
            async with running(rt) as live:
                yield live
        finally:
            await rt.stop()
            if backend.redis_url:
                await _drop_redis_prefix(backend)

    return factory


@pytest.fixture
async def live(live_with: LiveFactory) -> AsyncIterator[Live]:
    async with live_with() as found:
        yield found
