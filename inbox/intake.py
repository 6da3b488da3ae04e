"""Group commit for webhook intake.

Every webhook waits until its event is durable before it is acknowledged. Writing each one in
its own transaction costs a commit (SQLite) or a round trip (Redis) per request; instead,
requests that arrive while a write is in flight are gathered and written together in the next
one. Latency at low load is one write; throughput under load is one write per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from inbox.queue.base import EventQueue, NewEvent, QueueUnavailable

log = logging.getLogger("omnibox.intake")

MAX_BATCH = 500
# Above this many webhooks a second, intake counts as under pressure (see ``under_pressure``).
PRESSURE_RATE = 500.0


class Intake:
    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue
        self._pending: list[tuple[NewEvent, asyncio.Future[bool]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._window_start = time.monotonic()
        self._window_count = 0
        self._rate = 0.0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="omnibox-intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for _event, future in self._pending:
            if not future.done():
                future.set_exception(QueueUnavailable("service is shutting down"))
        self._pending.clear()

    async def submit(self, event: NewEvent) -> bool:
        """Wait until ``event`` is durable; True if new, False if a redelivery.

        Raises QueueUnavailable when it could not be stored.
        """
        if self._task is None:
            raise QueueUnavailable("intake is not running")
        self._count()
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        self._wakeup.set()
        return await future

    def _count(self) -> None:
        self._window_count += 1
        now = time.monotonic()
        if now - self._window_start >= 0.2:
            self._rate = self._window_count / (now - self._window_start)
            self._window_start, self._window_count = now, 0

    def under_pressure(self) -> bool:
        """True while webhooks arrive faster than ``PRESSURE_RATE`` a second.

        A worker in the same process (``omnibox serve``) asks this before each batch and, while
        it is true, takes fewer batches: acknowledging the platforms comes first, since an
        acknowledged event is already durable and the backlog drains once the burst is over.
        """
        if time.monotonic() - self._window_start > 1.0:
            return False  # no webhook for a second: whatever the last window said is stale
        return self._rate > PRESSURE_RATE

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._write(batch)

    async def _write(self, batch: list[tuple[NewEvent, asyncio.Future[bool]]]) -> None:
        try:
            flags = await self._queue.enqueue_many([event for event, _ in batch])
        except Exception as exc:
            log.exception("could not enqueue %d events", len(batch))
            error = exc if isinstance(exc, QueueUnavailable) else QueueUnavailable(str(exc))
            for _event, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_event, future), is_new in zip(batch, flags, strict=True):
            if not future.done():
                future.set_result(is_new)
