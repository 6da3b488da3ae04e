"""How a call ended, as the write that records it; and many such writes in one transaction.

What a failure means is decided from the error type of :mod:`inbox.channels` alone: wait
(rate limit, not counted as an attempt), back off (transient, up to ``max_attempts``), or give
up on the item (refused) or on the person (recipient gone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inbox.changes import Changes, Reactions
from inbox.channels import RateLimited, RecipientGone, Refused
from inbox.db import Conn
from inbox.outbox import store
from inbox.outbox.store import Claimed

CANCELLED_REASON = "the campaign was cancelled before this was sent"


@dataclass(frozen=True, slots=True)
class Write:
    """One row's outcome: a ``store`` function and its arguments after ``(conn, item)``."""

    fn: Any
    item: Claimed
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def finishes(self) -> bool:
        """Sent or failed for good (the agents' view of the message changes)."""
        return self.fn in (store.mark_sent, store.mark_failed)


def sent(item: Claimed, external_id: str | None) -> Write:
    return Write(store.mark_sent, item, (external_id,))


def failed(item: Claimed, reason: str, *, unreachable: bool = False) -> Write:
    return Write(store.mark_failed, item, (reason,), {"unreachable": unreachable})


def later(item: Claimed, delay: float, reason: str, *, count_attempt: bool = True) -> Write:
    return Write(store.reschedule, item, (delay, reason), {"count_attempt": count_attempt})


def decide(item: Claimed, result: Any, *, max_attempts: int, backoff: float) -> Write:
    """The write for a call's result: a ``Delivered`` or the exception it raised."""
    if isinstance(result, RateLimited):
        return later(item, result.retry_after, str(result), count_attempt=False)
    if isinstance(result, RecipientGone):
        return failed(item, str(result), unreachable=True)
    if isinstance(result, Refused):
        return failed(item, str(result))
    if isinstance(result, Exception):  # TransientError, network trouble, a bug: try again
        reason = f"{type(result).__name__}: {result}"
        if item.attempts >= max_attempts:
            return failed(item, reason)
        return later(item, backoff, reason)
    return sent(item, result.external_id)


async def record(conn: Conn, writes: Sequence[Write], *, reactions: Reactions) -> list[None]:
    """Every write in this transaction, then the reactions to the rows that finished; the
    plain "sent" of rows without a message of their own (a newsletter's) go together in two
    statements, the rest one by one."""
    changes: Changes = []
    bulk = [
        (w.item, w.args[0]) for w in writes if w.fn is store.mark_sent and w.item.message_id is None
    ]
    await store.mark_sent_many(conn, bulk, changes)
    for w in writes:
        if w.fn is store.mark_sent and w.item.message_id is None:
            continue
        if w.finishes:
            await w.fn(conn, w.item, *w.args, changes, **w.kwargs)
        else:
            await w.fn(conn, w.item, *w.args, **w.kwargs)
    await reactions.run(conn, changes)
    return [None] * len(writes)
