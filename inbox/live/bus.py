"""The in-process side of live events: subscriptions with bounded queues, and the local bus.

A subscriber that falls behind never slows a publisher: when its queue is full it is
dropped (its stream ends), and the page, on reconnecting, re-reads what it shows. Losing
events silently would leave a stale screen; ending the stream makes the loss visible.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol

from inbox.live.events import LiveEvent

DEFAULT_QUEUE_SIZE = 256


class SubscriptionEnded(Exception):
    """The bus closed, or this subscriber was dropped for falling behind."""


_END = object()


class Subscription:
    """One subscriber's queue of events, ended by the bus or by falling behind."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size + 1)
        self._size = queue_size
        self.ended = False
        self.dropped = False

    def offer(self, event: LiveEvent) -> None:
        if self.ended:
            return
        if self._queue.qsize() >= self._size:
            self.dropped = True
            self.end()
            return
        self._queue.put_nowait(event)

    def end(self) -> None:
        """Wake the reader with the end marker; queued events are discarded."""
        if self.ended:
            return
        self.ended = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)

    async def get(self, within: float | None = None) -> LiveEvent | None:
        """The next event, or ``None`` if none came ``within`` seconds (``None``: wait on)."""
        try:
            item = await asyncio.wait_for(self._queue.get(), within)
        except TimeoutError:
            return None
        if item is _END:
            self._queue.put_nowait(_END)  # later calls end too
            raise SubscriptionEnded
        assert isinstance(item, LiveEvent)
        return item

    def __aiter__(self) -> AsyncIterator[LiveEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[LiveEvent]:
        with contextlib.suppress(SubscriptionEnded):
            while True:
                event = await self.get()
                if event is not None:
                    yield event


class Fanout:
    """This process's subscribers; delivering never awaits."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._subs: set[Subscription] = set()
        self._queue_size = queue_size
        self.closed = False

    def add(self) -> Subscription:
        sub = Subscription(self._queue_size)
        if self.closed:
            sub.end()
        else:
            self._subs.add(sub)
        return sub

    def remove(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        sub.end()

    def deliver(self, events: list[LiveEvent]) -> None:
        for sub in list(self._subs):
            for event in events:
                sub.offer(event)
            if sub.ended:
                self._subs.discard(sub)

    def end_all(self) -> None:
        for sub in self._subs:
            sub.end()
        self._subs.clear()

    def close(self) -> None:
        self.closed = True
        self.end_all()

    def __len__(self) -> int:
        return len(self._subs)


class LiveBus(Protocol):
    """Publish after commit; subscribe per stream (``async with bus.subscribe() as sub``)."""

    async def publish(self, *events: LiveEvent) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    def end_streams(self) -> None:
        """End every open subscription now (the server is shutting down); sync and cheap."""
        ...

    async def close(self) -> None: ...


class LocalLiveBus:
    """One process (``omnibox serve``): publishers hand events straight to the subscribers."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.fanout = Fanout(queue_size)

    async def publish(self, *events: LiveEvent) -> None:
        if events:
            self.fanout.deliver(list(events))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        sub = self.fanout.add()
        try:
            yield sub
        finally:
            self.fanout.remove(sub)

    def end_streams(self) -> None:
        self.fanout.close()

    async def close(self) -> None:
        self.fanout.close()
