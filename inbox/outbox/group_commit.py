"""Group commit: many small writes from many concurrent sends, one transaction for them all.

A sender making hundreds of platform calls a second would otherwise spend more time committing
than calling (a transaction per recorded outcome). Each caller hands over its item and waits
until the transaction that holds it has committed, so "recorded" still means "durable" before
the caller goes on; the callers that arrive while a transaction runs share the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import Conn, unit_of_work

log = logging.getLogger("omnibox.outbox")

T = TypeVar("T")
R = TypeVar("R")

BatchWrite = Callable[[Conn, Sequence[T]], Awaitable[Sequence[R]]]


class GroupCommit(Generic[T, R]):
    """``await group.submit(item)`` → the batch function's result for that item, once committed.

    ``write(conn, items)`` gets every item that arrived since the last transaction (at most
    ``max_items``) and returns one result per item, in order. When a batch fails, each of its
    items is tried in a transaction of its own, so one bad row fails only its own caller.
    """

    def __init__(
        self, engine: AsyncEngine, write: BatchWrite[T, R], *, max_items: int = 500
    ) -> None:
        self._engine = engine
        self._write = write
        self._max = max_items
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all(), name="omnibox-group-commit")
        return await future

    async def drain(self) -> None:
        """Wait until everything submitted so far is committed (or has failed)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    async def _flush_all(self) -> None:
        await asyncio.sleep(0)  # the callers woken in this same loop turn join the batch
        while self._pending:
            batch, self._pending = self._pending[: self._max], self._pending[self._max :]
            try:
                results = await self._in_one(batch)
            except Exception:
                log.warning(
                    "a group of %d outbox writes failed; writing them one by one", len(batch)
                )
                for item, future in batch:
                    await self._alone(item, future)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _in_one(self, batch: list[tuple[T, asyncio.Future[R]]]) -> Sequence[R]:
        items = [item for item, _ in batch]
        async with unit_of_work(self._engine) as conn:
            return await self._write(conn, items)

    async def _alone(self, item: T, future: asyncio.Future[R]) -> None:
        try:
            async with unit_of_work(self._engine) as conn:
                [result] = await self._write(conn, [item])
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(result)
