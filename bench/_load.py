"""A lean closed-loop HTTP/1.1 load generator on raw asyncio protocols.

Each of ``concurrency`` keep-alive connections sends one request, waits for the whole response,
records (update id, status, latency) and sends the next at once from inside ``data_received``:
no tasks, no streams, no per-request allocation beyond the request bytes. The client is meant
to cost a small fraction of what the server spends per request; ``LoadResult.client_cpu_s``
says how much it actually took.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "payloads"
    / "telegram"
    / "message__dm_text.json"
)


class TelegramUpdates:
    """Request bytes for the fixture DM, with a distinct update_id and message_id each time.

    ``message_id = update_id`` so the stored message's ``external_id`` (``chat_id:message_id``)
    names the update too; chats rotate over ``chats`` private chats (sender = chat).
    """

    def __init__(
        self, *, host: str, port: int, account_id: int, secret: str, chats: int, first_chat: int
    ) -> None:
        self._payload: dict[str, Any] = orjson.loads(FIXTURE.read_bytes())
        self._head = (
            f"POST /webhooks/telegram/{account_id} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Content-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
            "Content-Length: "
        ).encode()
        self._chats = chats
        self._first_chat = first_chat

    def chat_of(self, update_id: int) -> int:
        return self._first_chat + update_id % self._chats

    def external_id(self, update_id: int) -> str:
        return f"{self.chat_of(update_id)}:{update_id}"

    def request(self, update_id: int) -> bytes:
        p = self._payload
        chat = self.chat_of(update_id)
        msg = p["message"]
        p["update_id"] = update_id
        msg["message_id"] = update_id
        msg["from"]["id"] = chat
        msg["chat"]["id"] = chat
        body = orjson.dumps(p)
        return self._head + str(len(body)).encode() + b"\r\n\r\n" + body


@dataclass
class LoadResult:
    ids: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # 0: no response (connection failed)
    latencies: list[float] = field(default_factory=list)  # seconds, send → full response
    elapsed_s: float = 0.0
    client_cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statuses)

    @property
    def acknowledged(self) -> list[int]:
        return [i for i, s in zip(self.ids, self.statuses, strict=True) if 200 <= s < 300]

    def status_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for s in self.statuses:
            counts[s] = counts.get(s, 0) + 1
        return counts


class _Run:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        make_request: Callable[[int], bytes],
        first_id: int,
        requests: int | None,
        duration: float | None,
        concurrency: int,
    ) -> None:
        self.host = host
        self.port = port
        self.make_request = make_request
        self.next_id = first_id
        self.stop_id = None if requests is None else first_id + requests
        self.deadline: float | None = None
        self.duration = duration
        self.concurrency = concurrency
        self.result = LoadResult()
        self.active = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.reconnects = 0

    def take(self) -> int | None:
        """The next update id to send, or None when the run is over."""
        if self.stop_id is not None and self.next_id >= self.stop_id:
            return None
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return None
        uid = self.next_id
        self.next_id += 1
        return uid

    def record(self, uid: int, status: int, latency: float) -> None:
        r = self.result
        r.ids.append(uid)
        r.statuses.append(status)
        r.latencies.append(latency)

    def finished_one_connection(self) -> None:
        self.active -= 1
        if self.active == 0 and not self.done.done():
            self.done.set_result(None)


class _Conn(asyncio.Protocol):
    __slots__ = ("buf", "run", "sent_at", "transport", "uid")

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.buf = bytearray()
        self.uid: int | None = None
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.send_next()

    def send_next(self) -> None:
        uid = self.run.take()
        if uid is None:
            self.uid = None
            assert self.transport is not None
            self.transport.close()
            return
        self.uid = uid
        data = self.run.make_request(uid)
        self.sent_at = time.perf_counter()
        assert self.transport is not None
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buf[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self.fail("response without Content-Length")
            return
        eol = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : eol if eol >= 0 else len(head)])
        total = end + 4 + length
        if len(buf) < total:
            return
        if len(buf) > total:
            self.fail("unexpected bytes after a response (pipelining is not used)")
            return
        now = time.perf_counter()
        status = int(head[9:12])
        del buf[:]
        assert self.uid is not None
        self.run.record(self.uid, status, now - self.sent_at)
        if b"\r\nconnection: close" in head:
            self.uid = None
            assert self.transport is not None
            self.transport.close()  # connection_lost reconnects
            return
        self.send_next()

    def fail(self, why: str) -> None:
        self.run.result.errors.append(why)
        assert self.transport is not None
        self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        run = self.run
        if self.uid is not None:  # a request without an answer: not acknowledged
            run.record(self.uid, 0, time.perf_counter() - self.sent_at)
            run.result.errors.append(f"connection lost mid-request: {exc!r}")
            self.uid = None
        more = run.stop_id is None or run.next_id < run.stop_id
        if more and (run.deadline is None or time.perf_counter() < run.deadline):
            run.reconnects += 1
            if run.reconnects > 10 * run.concurrency:
                run.result.errors.append("too many reconnects; giving up")
            else:
                asyncio.get_running_loop().create_task(_open(run))
                return
        run.finished_one_connection()


async def _open(run: _Run) -> None:
    loop = asyncio.get_running_loop()
    try:
        await loop.create_connection(lambda: _Conn(run), run.host, run.port)
    except OSError as exc:
        run.result.errors.append(f"connect failed: {exc!r}")
        run.finished_one_connection()


async def drive(
    *,
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    first_id: int,
    requests: int | None = None,
    duration: float | None = None,
    concurrency: int = 64,
    timeout: float = 120.0,
) -> LoadResult:
    """Send ``requests`` requests (or for ``duration`` seconds) over ``concurrency`` connections.

    Update ids are ``first_id``, ``first_id + 1``, … in order of sending.
    """
    if (requests is None) == (duration is None):
        raise ValueError("give exactly one of requests and duration")
    run = _Run(
        host=host,
        port=port,
        make_request=make_request,
        first_id=first_id,
        requests=requests,
        duration=duration,
        concurrency=concurrency,
    )
    conns = concurrency if requests is None else min(concurrency, requests)
    run.active = conns
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    if duration is not None:
        run.deadline = t0 + duration
    for _ in range(conns):
        asyncio.get_running_loop().create_task(_open(run))
    await asyncio.wait({run.done}, timeout=timeout)  # wait() never cancels the future
    if not run.done.done():
        run.result.errors.append(f"load phase hit its {timeout:.0f} s limit")
        run.stop_id = run.next_id  # stop sending; in-flight requests count as unanswered
        await asyncio.wait({run.done}, timeout=5)
    run.result.elapsed_s = time.perf_counter() - t0
    run.result.client_cpu_s = time.process_time() - cpu0
    return run.result


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (``q`` in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]
