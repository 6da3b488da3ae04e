"""The queue interface both backends implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class QueueUnavailable(Exception):
    """The queue could not take the event; the webhook must answer 5xx so the platform retries."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    channel: str
    account_id: int
    dedup_key: str  # the platform's own id of the delivery (update_id, event_id, entry hash)
    payload: bytes
    received_at: float  # unix seconds


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    id: str  # backend id: row id or stream entry id
    channel: str
    account_id: int
    dedup_key: str
    payload: bytes
    received_at: float
    attempts: int  # deliveries so far, this one included


@dataclass(frozen=True, slots=True)
class DeadEvent:
    id: int
    channel: str
    account_id: int
    dedup_key: str
    payload: bytes
    received_at: float
    attempts: int
    error: str
    parked_at: float


class EventQueue(Protocol):
    async def enqueue_many(self, events: Sequence[NewEvent]) -> list[bool]:
        """Store durably; one flag per event, False when it was a redelivery."""
        ...

    async def claim(self, consumer: str, limit: int) -> list[QueuedEvent]:
        """Lease up to ``limit`` ready events, including ones whose lease ran out."""
        ...

    async def ack(self, events: Sequence[QueuedEvent]) -> None: ...

    async def retry(self, event: QueuedEvent, delay: float, error: str) -> None: ...

    async def park(self, event: QueuedEvent, error: str) -> None:
        """Give up: move the event to the dead letters."""
        ...

    async def requeue(self, dead: DeadEvent) -> None:
        """Put a dead letter back in the queue with a fresh attempt count."""
        ...

    async def depth(self) -> int:
        """Events waiting or in flight."""
        ...

    async def close(self) -> None: ...
