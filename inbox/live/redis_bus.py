"""Live events across processes: ``PUBLISH`` on ``<prefix>live``, one listener per process.

Every process (API or worker) publishes to the channel; each API process keeps a single
pub/sub connection, started with its first subscriber, and fans what it hears out to its own
streams. A process's own events come back to it the same way, so nothing is delivered twice.
Pub/sub does not buffer: if the listener loses Redis, events in between are gone, so every
open stream is ended and the pages reconnect and re-read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from inbox.live.bus import DEFAULT_QUEUE_SIZE, Fanout, Subscription, SubscriptionEnded
from inbox.live.events import LiveEvent, decode, encode

log = logging.getLogger("omnibox.live")

RECONNECT_SECONDS = 1.0


class RedisLiveBus:
    def __init__(self, redis: Redis, channel: str, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._redis = redis
        self.channel = channel
        self.fanout = Fanout(queue_size)
        self._listener: asyncio.Task[None] | None = None
        self._listening: asyncio.Future[None] | None = None

    async def publish(self, *events: LiveEvent) -> None:
        """One ``PUBLISH`` for all of them (the worker sends a batch's events together)."""
        if events:
            await self._redis.publish(self.channel, encode(events))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        """Yields once the channel is subscribed, so nothing published afterwards is missed."""
        if not self.fanout.closed:
            await self._listen()
        sub = self.fanout.add()
        try:
            yield sub
        finally:
            self.fanout.remove(sub)

    async def _listen(self) -> None:
        if self._listener is None or self._listener.done():
            self._listening = asyncio.get_running_loop().create_future()
            self._listener = asyncio.create_task(self._run(), name="omnibox-live")
        assert self._listening is not None
        await asyncio.shield(self._listening)

    async def _run(self) -> None:
        while not self.fanout.closed:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                if self._listening is not None and not self._listening.done():
                    self._listening.set_result(None)
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message.get("type") == "message":
                        self._deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live events: lost Redis (%s); ending open streams", exc)
                self.fanout.end_all()
                if self._fail_waiters(exc):  # never subscribed: the waiting subscribers hear why
                    return
                # New subscribers wait for the channel again rather than miss what is said.
                self._listening = asyncio.get_running_loop().create_future()
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _fail_waiters(self, exc: BaseException) -> bool:
        waiting = self._listening
        if waiting is None or waiting.done():
            return False
        waiting.set_exception(exc)
        waiting.exception()  # retrieved: with no subscriber waiting, nothing to report
        return True

    def _deliver(self, message: dict[str, Any]) -> None:
        events = decode(message["data"])
        if events:
            self.fanout.deliver(events)

    def end_streams(self) -> None:
        self.fanout.close()

    async def close(self) -> None:
        """End the streams and stop the listener; ``publish`` keeps working until Redis closes."""
        self.fanout.close()
        self._fail_waiters(SubscriptionEnded())
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
