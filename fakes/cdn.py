"""A fake file host (VK's or Meta's CDN stand-in): serves bytes tests register, records every
GET, and can redirect or stall, so the attachment fetcher's host checks, redirect re-checks,
size cap and timeout are exercised against a real HTTP server::

    async with FakeCdn() as cdn:
        url = cdn.add("/photo.jpg", JPEG_BYTES, "image/jpeg")
        hop = cdn.redirect("/moved", "http://169.254.169.254/latest/meta-data/")
        ...
        assert cdn.calls_to("/photo.jpg")

Admit it with ``OMNIBOX_MEDIA_EXTRA_HOSTS=127.0.0.1:<port>`` (``cdn.host_port``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from fakes.base import Call, FakeServer, Reply, client_port


@dataclass(frozen=True, slots=True)
class _Served:
    status: int
    body: bytes = b""
    content_type: str = "application/octet-stream"
    location: str | None = None
    delay: float = 0.0


class FakeCdn(FakeServer):
    def __init__(self, *, host: str = "127.0.0.1") -> None:
        super().__init__(host=host)
        self._files: dict[str, _Served] = {}

    @property
    def host_port(self) -> str:
        """``host:port`` for ``media_extra_hosts``."""
        return self.base_url.removeprefix("http://")

    def add(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/octet-stream",
        *,
        delay: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path``; returns its full URL."""
        self._files[path] = _Served(200, body, content_type, delay=delay)
        return self.base_url + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self._files[path] = _Served(status, location=location)
        return self.base_url + path

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/{path:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        served = self._files.get(request.path, _Served(404, b"not found", "text/plain"))
        self.calls.append(
            Call(
                route=request.path,
                token="",
                params=dict(request.query),
                http_method=request.method,
                path=request.path,
                content_type=request.headers.get("Host", ""),
                client_port=client_port(request),
                status=served.status,
            )
        )
        if served.delay:
            await asyncio.sleep(served.delay)
        if served.location is not None:
            return web.Response(status=served.status, headers={"Location": served.location})
        return web.Response(
            status=served.status,
            body=served.body,
            content_type=None,
            headers={"Content-Type": served.content_type},
        )

    def success(self, call: Call) -> Reply:  # every answer comes from the registered files
        return Reply(404)

    def rate_limited(self, call: Call) -> Reply:
        return Reply(429)
