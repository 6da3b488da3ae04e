"""A real uvicorn server for the app (``httpx.ASGITransport`` buffers a streaming body), and
a small Server-Sent Events reader."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI

from api.web.cookies import PLAIN_NAME

_LOGIN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """The app on 127.0.0.1 and an ephemeral port; the caller's Runtime is already started."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()


@dataclass(frozen=True)
class Sse:
    event: str  # "message" when unnamed; "comment" for a ``:`` line
    data: Any
    retry: int | None = None


class EventStream:
    """Parses in a task of its own: a timeout on a read must not cancel (and so close) the
    response's line iterator."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._events: asyncio.Queue[Sse | None] = asyncio.Queue()
        self._pump = asyncio.create_task(self._parse())

    async def _parse(self) -> None:
        event, data, retry = "message", [], None
        try:
            async for line in self.response.aiter_lines():
                if line.startswith(":"):
                    self._events.put_nowait(Sse("comment", line[1:].strip()))
                elif line == "":
                    if data:
                        self._events.put_nowait(Sse(event, orjson.loads("\n".join(data)), retry))
                    event, data, retry = "message", [], None
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "event":
                        event = value
                    elif name == "data":
                        data.append(value)
                    elif name == "retry":
                        retry = int(value)
        except httpx.HTTPError:
            pass
        finally:
            self._events.put_nowait(None)

    async def close(self) -> None:
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump

    async def next(self, within: float = 5.0) -> Sse:
        got = await asyncio.wait_for(self._events.get(), timeout=within)
        if got is None:
            self._events.put_nowait(None)
            raise EOFError("the stream ended")
        return got

    async def until(
        self, event: str, match: Callable[[Any], bool] = lambda _d: True, within: float = 5.0
    ) -> Sse:
        """The first ``event`` whose data matches, skipping pings and other events."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            got = await self.next(within=max(0.0, deadline - asyncio.get_running_loop().time()))
            if got.event == event and match(got.data):
                return got

    async def ended(self, within: float = 5.0) -> bool:
        """True once the server closes the stream (events before the end are skipped)."""
        with contextlib.suppress(EOFError):
            while True:
                await self.next(within=within)
        return True


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient, headers: dict[str, str] | None = None
) -> AsyncIterator[EventStream]:
    """``GET /api/v1/live``, past its ``ready``: from here on, every commit is heard."""
    async with client.stream("GET", "/api/v1/live", headers=headers) as r:
        assert r.status_code == 200, await r.aread()
        stream = EventStream(r)
        try:
            ready = await stream.next()
            assert (ready.event, ready.data, ready.retry) == ("ready", {}, 3000)
            yield stream
        finally:
            await stream.close()


async def sign_in(client: httpx.AsyncClient, email: str, password: str = "password-123") -> str:
    """Through the real ``/login`` form; returns the session cookie (now in the jar)."""
    form = await client.get("/login")
    found = _LOGIN_CSRF.search(form.text)
    assert found, form.text
    r = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": found[1]}
    )
    assert r.status_code == 303, r.text
    cookie = client.cookies.get(PLAIN_NAME)
    assert cookie
    return cookie
