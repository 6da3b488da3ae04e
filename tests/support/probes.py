"""Read what the service did: stored messages, dead letters, Prometheus counters; poll for it.

Tests that wait on something asynchronous (a lease running out, another process) poll with a
deadline through :func:`wait_for`, never a fixed sleep: fast machines finish early, slow ones
get the whole budget, and a miss fails with the reason instead of a bare timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from api.runtime import Runtime
from inbox.conversations.models import Message
from inbox.queue import dead_letters
from inbox.queue.base import DeadEvent

T = TypeVar("T")

_messages = Message.__table__  # type: ignore[attr-defined]


async def wait_for(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 20.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Call ``probe`` until ``until(result)`` holds; that result, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}; last: {result!r}"
            )
        await asyncio.sleep(interval)


async def message_count(rt: Runtime, external_id: str | None = None) -> int:
    query = select(func.count()).select_from(_messages)
    if external_id is not None:
        query = query.where(_messages.c.external_id == external_id)
    async with rt.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def dead(rt: Runtime) -> list[DeadEvent]:
    async with rt.engine.connect() as conn:
        return await dead_letters.list_dead(conn, limit=500)


def metric_from_text(text: str, name: str, **labels: str) -> float:
    """The value of one sample (a counter's ``_total``) in a /metrics page; 0 when absent."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    r = await client.get("/metrics")
    assert r.status_code == 200, r.text
    return metric_from_text(r.text, name, **labels)


class Counters:
    """Snapshot several counters through /metrics, then read how much each grew."""

    def __init__(self, client: httpx.AsyncClient, *keys: tuple[str, dict[str, str]]) -> None:
        self._client = client
        self._keys = keys
        self._before: list[float] = []

    async def snapshot(self) -> Counters:
        self._before = await self._read()
        return self

    async def _read(self) -> list[float]:
        r = await self._client.get("/metrics")
        assert r.status_code == 200, r.text
        return [metric_from_text(r.text, name, **labels) for name, labels in self._keys]

    async def deltas(self) -> list[float]:
        after = await self._read()
        return [a - b for a, b in zip(after, self._before, strict=True)]


def counter(name: str, **labels: str) -> tuple[str, dict[str, str]]:
    return name, labels


def with_changes(payload: dict[str, Any], **paths: Any) -> dict[str, Any]:
    """A deep copy of ``payload`` with dotted paths replaced: ``with_changes(p, **{"a.b": 1})``."""
    import copy

    out = copy.deepcopy(payload)
    for path, value in paths.items():
        node: Any = out
        *parents, leaf = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(leaf)] = value
        else:
            node[leaf] = value
    return out
