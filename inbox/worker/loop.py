"""The worker loop: claim a batch, store it in one transaction, acknowledge.

One loop per process keeps a conversation's events in arrival order on the embedded queue.
After a transaction commits, each conversation it touched is announced once on the live bus
(``reason: "message"``), so the agents' screens re-read it; nothing is announced that may still
roll back.
An event whose processing raises is retried with exponential backoff and finally parked in
the dead letters; unsupported and anomalous payloads are counted and dropped, since trying
them again cannot help. The loop only processes events: purging processed ones and the other
periodic jobs run in :mod:`inbox.maintenance`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox import metrics
from inbox.accounts.directory import AccountDirectory
from inbox.changes import Changes, Reactions
from inbox.channels import ChannelAdapter
from inbox.db import Conn, unit_of_work
from inbox.events import (
    AnomalousPayload,
    EventKind,
    InboundEvent,
    UnsupportedEvent,
)
from inbox.live import LiveBus, conversation_changed, publish_quietly
from inbox.queue.base import EventQueue, QueuedEvent
from inbox.worker.apply import apply_event

log = logging.getLogger("omnibox.worker")
unsupported_log = logging.getLogger("omnibox.events.unsupported")
anomalous_log = logging.getLogger("omnibox.events.anomalous")

# While webhooks pour into this same process, take small batches with pauses between them:
# a batch holds the interpreter while it is written, and acks must not wait behind it.
DEFERRED_PAUSE = 0.5
DEFERRED_BATCH = 20
# A repeated message changes nothing; edits, deletes and opt-outs do (even when unstored).
_NEW_ONLY = frozenset({EventKind.MESSAGE, EventKind.POSTBACK})


class Skip(Enum):
    DROPPED = "dropped"  # unsupported or anomalous: acknowledged, counted, never retried
    RESCHEDULED = "rescheduled"  # a fault that trying again may cure: retried or parked


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 2.0
    max_seconds: float = 600.0

    def delay(self, attempts: int) -> float:
        return float(min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1)))


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        engine: AsyncEngine,
        queue: EventQueue,
        adapters: Mapping[str, ChannelAdapter],
        *,
        retry: RetryPolicy,
        batch_size: int = 100,
        idle_seconds: float = 0.5,
        consumer: str | None = None,
        defer_to: Callable[[], bool] | None = None,
        reactions: Reactions,
        live: LiveBus | None = None,
        accounts: AccountDirectory | None = None,
    ) -> None:
        self._engine = engine
        self._queue = queue
        self._adapters = adapters
        self._retry = retry
        self._batch_size = batch_size
        self._idle = idle_seconds
        self.consumer = consumer or consumer_name()
        self._accounts = accounts or AccountDirectory(engine)
        # In ``omnibox serve`` the webhooks share this process: while ``defer_to()`` says they
        # are arriving fast, take ``DEFERRED_BATCH`` events every ``DEFERRED_PAUSE`` seconds.
        self._defer_to = defer_to
        # What follows a stored message (metrics, signals, campaign labels, the rules), run
        # in the event's transaction: the one list the composition root made.
        self._reactions = reactions
        self._live = live

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker %s started", self.consumer)
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:
                log.exception("worker iteration failed; pausing before the next")
                done = 0
            pause = self._idle if done == 0 else 0.0
            if done and self._defer_to is not None and self._defer_to():
                pause = DEFERRED_PAUSE
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)
        log.info("worker %s stopped", self.consumer)

    async def run_once(self) -> int:
        """Process one batch; returns how many events it took."""
        deferring = self._defer_to is not None and self._defer_to()
        limit = min(self._batch_size, DEFERRED_BATCH) if deferring else self._batch_size
        batch = await self._queue.claim(self.consumer, limit)
        if not batch:
            return 0
        finished: list[QueuedEvent] = []
        ready: list[tuple[QueuedEvent, list[InboundEvent]]] = []
        for item in batch:
            prepared = await self._prepare(item)
            if prepared is Skip.DROPPED:
                finished.append(item)
            elif prepared is not Skip.RESCHEDULED:
                ready.append((item, prepared))
        touched: set[int] = set()
        finished.extend(await self._store(ready, touched))
        await self._queue.ack(finished)
        if touched:
            await publish_quietly(
                self._live, (conversation_changed(cid, "message") for cid in sorted(touched))
            )
        return len(batch)

    async def _prepare(self, item: QueuedEvent) -> list[InboundEvent] | Skip:
        """Normalise one item into its events, or say why it is not to be stored now."""
        channel = item.channel
        try:
            account_external_id = await self._account_external_id(item.account_id)
            adapter = self._adapters[channel]
            payload = orjson.loads(item.payload)
            if isinstance(payload, dict) and adapter.traits.needs_received_at:
                payload.setdefault("_received_at", item.received_at)
            return adapter.normalise(payload, account_external_id)
        except UnsupportedEvent as exc:
            metrics.EVENTS_UNSUPPORTED.labels(channel, exc.event_type[:64]).inc()
            unsupported_log.info("%s event %r not handled (%s)", channel, exc.event_type, item.id)
            return Skip.DROPPED
        except (AnomalousPayload, orjson.JSONDecodeError) as exc:
            metrics.EVENTS_ANOMALOUS.labels(channel).inc()
            anomalous_log.warning("%s payload %s is anomalous: %s", channel, item.id, exc)
            return Skip.DROPPED
        except Exception as exc:
            await self._fail(item, exc)
            return Skip.RESCHEDULED

    async def _store(
        self, ready: list[tuple[QueuedEvent, list[InboundEvent]]], touched: set[int]
    ) -> list[QueuedEvent]:
        """Store the batch in one transaction (one commit, not one per event); if any event
        fails, roll it all back and store event by event, so only the faulty one is retried.
        ``touched`` gains the conversations of the transactions that committed."""
        if not ready:
            return []
        batch_touched: set[int] = set()
        try:
            async with unit_of_work(self._engine) as conn:
                counts = [await self._apply_all(i, e, batch_touched, conn) for i, e in ready]
        except Exception as exc:
            if len(ready) == 1:
                await self._fail(ready[0][0], exc)
                return []
            log.info("batch of %d failed; storing its events one by one", len(ready))
            return [item for item, events in ready if await self._store_one(item, events, touched)]
        touched |= batch_touched
        for (item, _events), stored in zip(ready, counts, strict=True):
            self._record(item, stored)
        return [item for item, _events in ready]

    async def _store_one(
        self, item: QueuedEvent, events: list[InboundEvent], touched: set[int]
    ) -> bool:
        mine: set[int] = set()
        try:
            async with unit_of_work(self._engine) as conn:
                stored = await self._apply_all(item, events, mine, conn)
        except Exception as exc:
            return await self._fail(item, exc)
        touched |= mine
        self._record(item, stored)
        return True

    async def _apply_all(
        self, item: QueuedEvent, events: list[InboundEvent], touched: set[int], conn: Conn
    ) -> int:
        """Store the item's events, each followed by the reactions to it (the rules on a new
        message among them), in one transaction."""
        stored = 0
        changes: Changes = []
        for event in events:
            applied = await apply_event(conn, item.account_id, event, changes)
            stored += applied.stored
            if applied.conversation_id is not None and (
                applied.stored or event.kind not in _NEW_ONLY
            ):
                touched.add(applied.conversation_id)
            await self._reactions.run(conn, changes)
        return stored

    @staticmethod
    def _record(item: QueuedEvent, stored: int) -> None:
        metrics.EVENTS_PROCESSED.labels(item.channel).inc()
        if stored:
            metrics.MESSAGES_STORED.labels(item.channel).inc(stored)
        latency = max(0.0, time.time() - item.received_at)
        metrics.PROCESSING_LATENCY.labels(item.channel).observe(latency)

    async def _fail(self, item: QueuedEvent, exc: Exception) -> bool:
        error = f"{type(exc).__name__}: {exc}"
        if item.attempts >= self._retry.max_attempts:
            log.error(
                "giving up on %s %s after %d attempts: %s",
                item.channel,
                item.id,
                item.attempts,
                error,
            )
            metrics.EVENTS_PARKED.labels(item.channel).inc()
            await self._queue.park(item, error)
        else:
            delay = self._retry.delay(item.attempts)
            log.warning("retrying %s %s in %.1fs: %s", item.channel, item.id, delay, error)
            metrics.EVENTS_RETRIED.labels(item.channel).inc()
            await self._queue.retry(item, delay, error)
        return False

    async def _account_external_id(self, account_id: int) -> str:
        account = await self._accounts.by_id(account_id, active_only=False)
        if account is None:
            raise LookupError(f"account {account_id} no longer exists")
        return account.external_id
