"""Outbound tests: the service wired to fake Telegram, VK and Graph servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.runtime import Runtime
from fakes import FakeGraph, FakeTelegram, FakeVk
from inbox.outbox.sender import OutboxSender
from tests.support.backends import Backend
from tests.support.factories import add_all_accounts, admin_headers, drain
from tests.support.fixtures import _drop_redis_prefix, make_settings


@dataclass
class Service:
    rt: Runtime
    client: httpx.AsyncClient
    headers: dict[str, str]
    accounts: dict[str, dict[str, Any]]
    tg: FakeTelegram
    vk: FakeVk
    graph: FakeGraph
    sender: OutboxSender

    async def drain(self) -> int:
        return await drain(self.rt)

    async def send(self) -> int:
        return await self.sender.run_once()

    async def conversations(self, **params: Any) -> list[dict[str, Any]]:
        r = await self.client.get("/api/v1/conversations", params=params, headers=self.headers)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    async def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        r = await self.client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=self.headers
        )
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    async def reply(self, conversation_id: int, text: str, **extra: Any) -> httpx.Response:
        headers = dict(self.headers)
        if "idempotency_key" in extra:
            headers["Idempotency-Key"] = extra.pop("idempotency_key")
        return await self.client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text": text, **extra},
            headers=headers,
        )


@pytest.fixture
async def service(backend: Backend) -> AsyncIterator[Service]:
    async with FakeTelegram() as tg, FakeVk() as vk, FakeGraph() as graph:
        settings = make_settings(
            backend,
            telegram_api_base=tg.base_url,
            vk_api_base=vk.base_url,
            graph_api_base=graph.base_url,
        )
        rt = Runtime(settings, queue_prefix=backend.queue_prefix)
        await rt.start(intake=True, worker=False)
        try:
            app = create_app(rt.settings, runtime=rt)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.test") as c:
                headers = await admin_headers(c, rt)
                accounts = await add_all_accounts(c, headers)
                yield Service(rt, c, headers, accounts, tg, vk, graph, rt.make_sender())
        finally:
            await rt.stop()
            if backend.redis_url:
                await _drop_redis_prefix(backend)
