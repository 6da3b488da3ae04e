"""A fake Meta Graph API for Facebook and Instagram: ``{base}/{version}/{node}[/{edge}]``
with JSON bodies (form bodies and query parameters are read too). The token is taken from
``Authorization: Bearer`` or an ``access_token`` parameter.

Routes are ``"<HTTP method> /<node>[/<edge>]"`` without the version; scripts may name the
exact node (``POST /me/messages``) or any node as ``{id}`` (``POST /{id}/comments``,
``DELETE /{id}``). Success answers are Graph's shapes: ``/messages`` ->
``{recipient_id, message_id}``; ``/{id}/comments`` and ``/{id}/replies`` -> ``{id}``;
``POST /{id}`` (hide) and ``DELETE /{id}`` -> ``{success: true}``. A message with more than 13
``quick_replies`` is refused with error 100, as Graph does::

    async with FakeGraph() as fake:
        fake.script_error("POST /me/messages", 10, "outside the allowed window", subcode=2018278)
        fake.script_error("POST /{id}/comments", 613, "Calls exceeded the rate limit.")
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from fakes.base import Call, FakeServer, Reply, bearer, form_params


def graph_error(
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    error_type: str = "OAuthException",
    is_transient: bool | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": error_type,
        "code": code,
        "fbtrace_id": "AbCdEfGhIjKlMnOp",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    return {"error": error}


class FakeGraph(FakeServer):
    def __init__(self, *, host: str = "127.0.0.1", rate_limit: int | None = None) -> None:
        super().__init__(host=host, rate_limit=rate_limit)
        self._ids = itertools.count(1122334455667900)

    def script_error(
        self,
        route: str,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
        is_transient: bool | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next calls to ``route`` with Graph's error envelope."""
        body = graph_error(code, message, subcode=subcode, is_transient=is_transient)
        self.script(route, status=status, body=body, headers=headers, times=times)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{version}/{tail:.+}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = await form_params(request)
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        token = bearer(request) or str(params.pop("access_token", ""))
        params.pop("access_token", None)
        route = f"{request.method} /{request.match_info['tail']}"
        call = Call.received(request, route=route, token=token, params=params)
        return await self.respond(call)

    def candidates(self, call: Call) -> list[str]:
        method, _, path = call.route.partition(" /")
        node, slash, edge = path.partition("/")
        generic = f"{method} /{{id}}{slash}{edge}"
        return [call.route, generic, "*"] if node != "me" else [call.route, "*"]

    def rate_limited(self, call: Call) -> Reply:
        return Reply(400, graph_error(613, "Calls to this api have exceeded the rate limit."))

    def success(self, call: Call) -> Reply:
        _, _, path = call.route.partition(" /")
        node, _, edge = path.partition("/")
        if edge == "messages":
            message = call.params.get("message")
            quick = message.get("quick_replies") if isinstance(message, dict) else None
            if isinstance(quick, list) and len(quick) > 13:
                error = "(#100) param message[quick_replies] must have at most 13 elements"
                return Reply(400, graph_error(100, error, error_type="OAuthException"))
            recipient = call.params.get("recipient")
            if isinstance(recipient, str):
                recipient = json.loads(recipient)
            psid = recipient.get("id") if isinstance(recipient, dict) else None
            return Reply(
                body={
                    "recipient_id": psid or str(next(self._ids)),
                    "message_id": _mid(next(self._ids)),
                }
            )
        if edge == "comments":  # a Facebook comment id is "<post object>_<comment object>"
            return Reply(body={"id": f"{node.split('_')[0]}_{next(self._ids)}"})
        if edge == "replies":
            return Reply(body={"id": str(next(self._ids))})
        if call.http_method in ("POST", "DELETE") and not edge:
            return Reply(body={"success": True})
        return Reply(body={"id": node})


def _mid(n: int) -> str:
    return "m_" + base64.urlsafe_b64encode(f"fake-mid-{n}".encode()).decode().rstrip("=")
