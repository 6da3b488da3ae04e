"""A tiny fake Telegram Bot API server for tests: records calls, answers what the test scripts.

aiogram calls ``POST {base}/bot{token}/{method}`` with a form body; complex fields such as
``allowed_updates`` arrive as JSON strings. Point ``OMNIBOX_TELEGRAM_API_BASE`` (settings
``telegram_api_base``) at ``FakeTelegram.base_url``::

    async with FakeTelegram() as fake:
        fake.answer("setWebhook", 401, {"ok": False, "error_code": 401, "description": "..."})
        ...
        [call] = fake.calls_to("setWebhook")
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class BotApiCall:
    token: str
    method: str
    form: dict[str, str]
    content_type: str

    def json_field(self, name: str) -> Any:
        """A field aiogram sent JSON-encoded (``allowed_updates``, ``reply_markup``, ...)."""
        return json.loads(self.form[name])


@dataclass
class _Answer:
    status: int
    body: dict[str, Any]


@dataclass
class FakeTelegram:
    host: str = "127.0.0.1"
    calls: list[BotApiCall] = field(default_factory=list)
    _answers: dict[str, _Answer] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    def answer(self, method: str, status: int, body: dict[str, Any]) -> None:
        """From now on answer ``method`` with this status and JSON body."""
        self._answers[method] = _Answer(status, body)

    def calls_to(self, method: str) -> list[BotApiCall]:
        return [c for c in self.calls if c.method == method]

    async def _handle(self, request: web.Request) -> web.Response:
        form = await request.post()
        call = BotApiCall(
            token=request.match_info["token"],
            method=request.match_info["method"],
            form={k: str(v) for k, v in form.items()},
            content_type=request.content_type,
        )
        self.calls.append(call)
        scripted = self._answers.get(call.method)
        if scripted is None:
            return web.json_response({"ok": True, "result": True})
        return web.json_response(scripted.body, status=scripted.status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        port = self._runner.addresses[0][1]  # port 0 above: the OS picked a free one
        self.base_url = f"http://{self.host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
