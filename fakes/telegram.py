"""A fake Telegram Bot API: ``POST {base}/bot{token}/{method}`` with a form body (aiogram sends
urlencoded or multipart; nested objects such as ``reply_parameters`` as JSON strings).

Success answers are real Bot API shapes, so aiogram validates them: ``sendMessage`` returns
a full ``Message`` (per-chat increasing ``message_id``, the chat, the bot as ``from``, date,
text, the message replied to, its inline keyboard); ``deleteMessage`` and anything else
``true``. Like Telegram it refuses a ``reply_markup`` that is not an inline keyboard or whose
``callback_data`` is not 1-64 bytes (``BUTTON_DATA_INVALID``). Point aiogram
(or ``OMNIBOX_TELEGRAM_API_BASE``) at :attr:`FakeTelegram.base_url`::

    async with FakeTelegram() as fake:
        fake.script_error("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        fake.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        ...
        [call] = fake.calls_to("sendMessage")
        assert call.form["text"] == "..."
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from aiohttp import web

from fakes.base import Call, FakeServer, Reply, client_port, form_params

BotApiCall = Call  # the name tests have always used for a recorded Bot API call


def bot_error(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    """The Bot API error envelope; ``retry_after`` goes into ``parameters`` as on a 429."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class FakeTelegram(FakeServer):
    def __init__(self, *, host: str = "127.0.0.1", rate_limit: int | None = None) -> None:
        super().__init__(host=host, rate_limit=rate_limit)
        self._next_id: defaultdict[int, int] = defaultdict(lambda: 1)
        self._files: dict[str, tuple[str, bytes, str]] = {}  # file_id -> (path, body, type)

    def add_file(
        self,
        file_id: str,
        body: bytes,
        *,
        file_path: str | None = None,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Make ``getFile(file_id)`` answer a path whose download is ``body``; returns the path."""
        path = file_path or f"documents/file_{len(self._files)}"
        self._files[file_id] = (path, body, content_type)
        return path

    def script_error(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with a Bot API error."""
        body = bot_error(status, description, retry_after)
        self.script(method, status=status, body=body, times=times)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """``GET /file/bot<token>/<file_path>``, recorded as route ``"file"``."""
        path = request.match_info["path"]
        found = next((f for f in self._files.values() if f[0] == path), None)
        status = 200 if found else 404
        self.calls.append(
            Call(
                route="file",
                token=request.match_info["token"],
                params={"file_path": path},
                http_method=request.method,
                path=request.path,
                content_type="",
                client_port=client_port(request),
                status=status,
            )
        )
        if found is None:
            return web.json_response(bot_error(404, "Not Found"), status=404)
        return web.Response(body=found[1], headers={"Content-Type": found[2]})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        call = Call.received(
            request,
            route=request.match_info["method"],
            token=request.match_info["token"],
            params=await form_params(request),
        )
        return await self.respond(call)

    def rate_limited(self, call: Call) -> Reply:
        return Reply(429, bot_error(429, "Too Many Requests: retry after 1", retry_after=1))

    def success(self, call: Call) -> Reply:
        if call.route == "sendMessage":
            if "reply_markup" in call.params and _keyboard(call) is None:
                return Reply(400, bot_error(400, "Bad Request: BUTTON_DATA_INVALID"))
            return Reply(body={"ok": True, "result": self._message(call)})
        if call.route == "getFile":
            return self._get_file(call)
        if call.route == "getMe":
            return Reply(body={"ok": True, "result": _bot_user(call.token)})
        return Reply(body={"ok": True, "result": True})

    def _get_file(self, call: Call) -> Reply:
        file_id = str(call.params.get("file_id", ""))
        if file_id not in self._files:
            return Reply(400, bot_error(400, "Bad Request: invalid file_id"))
        path, body, _ = self._files[file_id]
        result = {
            "file_id": file_id,
            "file_unique_id": f"u{abs(hash(file_id)) % 10**8}",
            "file_size": len(body),
            "file_path": path,
        }
        return Reply(body={"ok": True, "result": result})

    def _message(self, call: Call) -> dict[str, Any]:
        raw_chat = str(call.params["chat_id"])  # "@channel" names get a stable fake id
        chat_id = int(raw_chat) if raw_chat.lstrip("-").isdigit() else -(10**12 + len(raw_chat))
        replied = None
        if "reply_parameters" in call.params:
            replied = int(call.json_field("reply_parameters")["message_id"])
        # Ids grow per chat, and a reply is always newer than the message it answers.
        message_id = max(self._next_id[chat_id], (replied or 0) + 1)
        self._next_id[chat_id] = message_id + 1
        chat: dict[str, Any] = (
            {"id": chat_id, "type": "private", "first_name": "Customer"}
            if chat_id > 0
            else {"id": chat_id, "type": "supergroup", "title": "Discussion"}
        )
        now = int(time.time())
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": _bot_user(call.token),
            "chat": chat,
            "date": now,
            "text": call.params.get("text", ""),
        }
        if replied is not None:
            message["reply_to_message"] = {"message_id": replied, "chat": chat, "date": now}
        if "reply_markup" in call.params:
            message["reply_markup"] = _keyboard(call)
        return message


def _keyboard(call: Call) -> dict[str, Any] | None:
    """The sent ``reply_markup`` if it is an inline keyboard Telegram would take, else None."""
    try:
        markup = call.json_field("reply_markup")
    except ValueError:
        return None
    if not isinstance(markup, dict):
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return None
    for button in (button for row in rows for button in row):
        data = button.get("callback_data") if isinstance(button, dict) else None
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            return None
    return dict(markup)


def _bot_user(token: str) -> dict[str, Any]:
    bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
    return {"id": bot_id, "is_bot": True, "first_name": "Fake bot", "username": "fake_bot"}
