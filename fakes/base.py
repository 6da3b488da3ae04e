"""What the fake platform servers share: a real aiohttp server on 127.0.0.1 (ephemeral port),
a record of every call, scripted answers per route, and an optional per-token rate cap.

A *route* is what tests script and filter on: the Bot API method (``sendMessage``), the VK
method (``messages.send``) or, for Graph, ``"<HTTP method> /<path>"`` (``POST /me/messages``,
with ``{id}`` standing for any object id: ``POST /{id}/comments``). ``"*"`` matches any call.

Answers are chosen in this order: the route's scripted queue (each entry for ``times``
calls), then its standing answer (:meth:`FakeServer.answer`), then the platform's normal
success. The rate cap answers the platform's own rate-limit error past N calls per second
per token, before any script.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Self

from aiohttp import web

Body = Any  # a JSON value, or a callable (Call) -> JSON value computed per call


@dataclass(frozen=True)
class Call:
    """One request as the platform would see it."""

    route: str
    token: str
    params: dict[str, Any]
    http_method: str
    path: str
    content_type: str
    client_port: int = 0  # the client's source port: equal ports mean a kept-alive connection
    rate_limited: bool = False
    status: int = 0  # what the fake answered
    answer: Any = None  # the JSON body it answered with (or the raw text)

    @property
    def method(self) -> str:
        """The platform method name (Telegram, VK): the route."""
        return self.route

    @property
    def form(self) -> dict[str, Any]:
        return self.params

    def json_field(self, name: str) -> Any:
        """A field sent JSON-encoded inside a form (``reply_parameters``, ``allowed_updates``)."""
        return json.loads(self.params[name])

    @classmethod
    def received(
        cls, request: web.Request, *, route: str, token: str, params: dict[str, Any]
    ) -> Call:
        """An API call as a fake read it: what the platform parses (``route``, ``token``,
        ``params``) and how it came (HTTP method, path, content type, client port)."""
        return cls(
            route=route,
            token=token,
            params=params,
            http_method=request.method,
            path=request.path,
            content_type=request.content_type,
            client_port=client_port(request),
        )


@dataclass
class Reply:
    status: int = 200
    body: Body = None
    text: str | None = None  # a raw, non-JSON body (an HTML error page from a proxy)
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (client timeouts)
    times: int | None = 1  # None: every call from now on

    def resolve(self, call: Call) -> Any:
        """The body for this call: the raw text, or the JSON value (computed if callable)."""
        if self.text is not None:
            return self.text
        return self.body(call) if callable(self.body) else self.body

    def render(self, body: Any) -> web.Response:
        if self.text is not None:
            return web.Response(status=self.status, text=self.text, headers=dict(self.headers))
        return web.json_response(body, status=self.status, headers=dict(self.headers))


class FakeServer:
    """Subclasses add routes, parse requests into :class:`Call` and know success replies."""

    def __init__(self, *, host: str = "127.0.0.1", rate_limit: int | None = None) -> None:
        self.host = host
        self.base_url = ""
        self.calls: list[Call] = []
        self.rate_limit = rate_limit  # calls per second per token; None = unlimited
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._standing: dict[str, Reply] = {}
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None

    # --- scripting ----------------------------------------------------------------------

    def script(
        self,
        route: str,
        *,
        status: int = 200,
        body: Body = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        times: int | None = 1,
    ) -> None:
        """Queue an answer for the next ``times`` calls to ``route`` (None: all of them)."""
        reply = Reply(status, body, text, headers or {}, delay, times)
        self._scripts[route].append(reply)

    def answer(self, route: str, status: int, body: Body) -> None:
        """From now on answer ``route`` with this status and JSON body (replaces the last)."""
        self._standing[route] = Reply(status, body, times=None)

    def reset(self) -> None:
        """Forget scripts, standing answers and recorded calls."""
        self._scripts.clear()
        self._standing.clear()
        self.calls.clear()

    def calls_to(self, route: str) -> list[Call]:
        """Calls to ``route``, exact (``POST /123/comments``) or generic (``POST /{id}/...``)."""
        return [c for c in self.calls if route == c.route or route in self.candidates(c)[:-1]]

    # --- for subclasses -------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def candidates(self, call: Call) -> list[str]:
        """Script keys that match this call, most specific first."""
        return [call.route, "*"]

    def success(self, call: Call) -> Reply:
        raise NotImplementedError

    def rate_limited(self, call: Call) -> Reply:
        raise NotImplementedError

    async def respond(self, call: Call) -> web.StreamResponse:
        """Record the call and answer it: rate cap, then scripts, then success."""
        limited = self._over_rate(call.token)
        reply = self.rate_limited(call) if limited else (self._scripted(call) or self.success(call))
        body = reply.resolve(call)
        self.calls.append(replace(call, rate_limited=limited, status=reply.status, answer=body))
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return reply.render(body)

    def _scripted(self, call: Call) -> Reply | None:
        for key in self.candidates(call):
            queue = self._scripts.get(key)
            if queue:
                reply = queue[0]
                if reply.times is not None:
                    reply.times -= 1
                    if reply.times <= 0:
                        queue.popleft()
                return reply
            if key in self._standing:
                return self._standing[key]
        return None

    def _over_rate(self, token: str) -> bool:
        if self.rate_limit is None:
            return False
        now = time.monotonic()
        recent = self._recent[token]
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.rate_limit:
            return True
        recent.append(now)
        return False

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        self.add_routes(app)
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

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def form_params(request: web.Request) -> dict[str, Any]:
    """Query plus form fields (urlencoded or multipart), as strings."""
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        form = await request.post()
        params.update({key: str(value) for key, value in form.items()})
    return params


def client_port(request: web.Request) -> int:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return int(peer[1]) if peer else 0


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None
