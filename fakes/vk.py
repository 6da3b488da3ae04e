"""A fake VK API: ``POST {base}/method/{method}?access_token=..&v=5.199`` with form params
(vkbottle joins lists with commas: ``peer_ids=1,2``).

Success answers are VK's shapes: ``messages.send`` with ``peer_ids`` a list of
``{peer_id, message_id, conversation_message_id}`` (per-peer increasing cmid), with
``peer_id`` a bare message id; ``wall.createComment`` ``{comment_id, parents_stack}``; the
other ``*.createComment`` a bare comment id; anything else ``1``. Like VK it drops repeats:
the same ``random_id`` to the same peer (per peer inside a ``peer_ids`` call of up to 100),
or the same ``guid``, gets the first answer again. :meth:`FakeVk.refuse_peer` makes one peer
fail inside every ``peer_ids`` result from then on (901 for someone who never allowed
messages), the others still get theirs.
A ``keyboard`` must be a JSON object of button rows, each button's ``payload`` a JSON string of
at most 255 characters, or the send fails with VK's 911 (keyboard format is invalid).
Errors are always JSON, as vkbottle would otherwise reschedule forever::

    async with FakeVk() as fake:
        fake.script_error("messages.send", 6, "Too many requests per second")
        fake.script_peer_error("messages.send", 901, "Can't send messages to this user")
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from typing import Any

from aiohttp import web

from fakes.base import Call, FakeServer, Reply, bearer, form_params


def vk_error(call: Call, code: int, message: str) -> dict[str, Any]:
    params = [{"key": k, "value": str(v)} for k, v in call.params.items() if k != "access_token"]
    return {"error": {"error_code": code, "error_msg": message, "request_params": params}}


def peer_ids(call: Call) -> list[int]:
    return [int(p) for p in str(call.params.get("peer_ids", "")).split(",") if p]


class FakeVk(FakeServer):
    def __init__(self, *, host: str = "127.0.0.1", rate_limit: int | None = None) -> None:
        super().__init__(host=host, rate_limit=rate_limit)
        self._message_ids = itertools.count(1842)
        self._comment_ids = itertools.count(907)
        self._made: list[int] = []
        self._cmids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(38)
        )
        self._seen: dict[tuple[str, ...], Any] = {}
        self._refused: dict[int, dict[str, Any]] = {}

    def refuse_peer(self, peer: int, code: int = 901, description: str = "") -> None:
        """From now on ``peer`` gets this error inside ``peer_ids`` results."""
        text = description or "Can't send messages for users without permission"
        self._refused[peer] = {"code": code, "description": text}

    def delivered_to(self) -> list[int]:
        """Every peer a new message was made for (repeats dropped by random_id are not)."""
        return list(self._made)

    def script_error(self, method: str, code: int, message: str, *, times: int | None = 1) -> None:
        """Answer the next calls with VK's error envelope (HTTP 200, as VK does)."""
        self.script(method, body=lambda call: vk_error(call, code, message), times=times)

    def script_peer_error(
        self, method: str, code: int, description: str, *, times: int | None = 1
    ) -> None:
        """A ``peer_ids`` send where every recipient fails inside the result (no envelope)."""

        def body(call: Call) -> dict[str, Any]:
            error = {"code": code, "description": description}
            return {"response": [{"peer_id": p, "error": error} for p in peer_ids(call)]}

        self.script(method, body=body, times=times)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/method/{method}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = await form_params(request)
        token = params.pop("access_token", None) or bearer(request) or ""
        call = Call.received(
            request, route=request.match_info["method"], token=token, params=params
        )
        return await self.respond(call)

    def rate_limited(self, call: Call) -> Reply:
        return Reply(body=vk_error(call, 6, "Too many requests per second"))

    def success(self, call: Call) -> Reply:
        if call.route == "messages.send" and "keyboard" in call.params and not _keyboard_ok(call):
            return Reply(body=vk_error(call, 911, "Keyboard format is invalid"))
        return Reply(body={"response": self._result(call)})

    def _result(self, call: Call) -> Any:
        method, params = call.route, call.params
        key = self._dedup_key(call)
        if key is not None and key in self._seen:
            return self._seen[key]
        result: Any = 1
        if method == "messages.send" and "peer_ids" in params:
            return [self._peer_result(call, peer) for peer in peer_ids(call)]
        if method == "messages.send":
            result = next(self._message_ids)
        elif method == "wall.createComment":
            parent = params.get("reply_to_comment")
            stack = [int(parent)] if parent else []
            result = {"comment_id": next(self._comment_ids), "parents_stack": stack}
        elif method.endswith(".createComment"):
            result = next(self._comment_ids)
        if key is not None:
            self._seen[key] = result
        return result

    def _peer_result(self, call: Call, peer: int) -> dict[str, Any]:
        if peer in self._refused:
            return {"peer_id": peer, "error": self._refused[peer]}
        rid = str(call.params.get("random_id", "0"))
        key = (call.token, "random_id", str(peer), rid)
        if rid != "0" and key in self._seen:
            seen: dict[str, Any] = self._seen[key]
            return seen
        self._made.append(peer)
        result = {
            "peer_id": peer,
            "message_id": next(self._message_ids),
            "conversation_message_id": next(self._cmids[peer]),
        }
        if rid != "0":
            self._seen[key] = result
        return result

    @staticmethod
    def _dedup_key(call: Call) -> tuple[str, ...] | None:
        params = call.params
        if call.route == "messages.send" and "peer_ids" in params:
            return None  # per peer: _peer_result
        if call.route == "messages.send" and params.get("random_id", "0") != "0":
            peers = params.get("peer_id") or params.get("user_id")
            return (call.token, "random_id", str(peers), str(params["random_id"]))
        if call.route.endswith(".createComment") and params.get("guid"):
            return (call.token, "guid", call.route, str(params["guid"]))
        return None


def _keyboard_ok(call: Call) -> bool:
    try:
        keyboard = call.json_field("keyboard")
    except ValueError:
        return False
    rows = keyboard.get("buttons") if isinstance(keyboard, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return False
    for button in (button for row in rows for button in row):
        action = button.get("action") if isinstance(button, dict) else None
        if not isinstance(action, dict) or not isinstance(action.get("type"), str):
            return False
        payload = action.get("payload", "{}")
        if not isinstance(payload, str) or len(payload) > 255:
            return False
        try:
            json.loads(payload)
        except ValueError:
            return False
    return True
