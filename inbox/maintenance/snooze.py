"""Snooze wake-ups: a snoozed conversation reopens by itself once its ``snoozed_until`` passes.

The reopen takes the path of any status change (``conversations.service.apply_change`` with
``Change(status="open")`` and no actor: the system), so the status log, the metric cycles and
the live event (``reason: "update"``, after the commit) are those of an agent's reopen. The
job's next round is the nearest ``snoozed_until``, so a conversation wakes about on time.

Several processes may run this job on one database, so each wake-up first claims its row with
a conditional UPDATE (still snoozed, still due) as the first statement of its transaction: on
PostgreSQL a second process waits on the row lock and then finds the row no longer matches; on
SQLite the statement takes the file's write lock first. Only the transaction that claimed the
row reopens it, so a wake-up is logged once. A conversation snoozed again to a later time
meanwhile simply is not due; one reopened by hand is not snoozed any more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.changes import Changes, Reactions
from inbox.conversations.models import Conversation, ConversationStatus
from inbox.conversations.service import Change, apply_change
from inbox.db import Conn, unit_of_work
from inbox.live import LiveBus, conversation_changed, publish_quietly

log = logging.getLogger("omnibox.snooze")

_conversations = Conversation.__table__  # type: ignore[attr-defined]
_SNOOZED = ConversationStatus.SNOOZED.value
_OPEN = ConversationStatus.OPEN.value
BATCH = 100


def _still_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (_conversations.c.status == _SNOOZED, _conversations.c.snoozed_until <= now)


class WakeUpFailed(Exception):
    """Some due conversations could not be reopened; the loop tries again after a backoff."""


class SnoozeWakeUps:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        live: LiveBus | None = None,
        batch: int = BATCH,
        reactions: Reactions,
    ) -> None:
        self._engine = engine
        self._reactions = reactions
        self._live = live
        self._batch = batch

    async def round(self, now: datetime) -> datetime | None:
        """One round of the job: reopen what is due; when the next snooze ends (at once after
        a full batch), or None when nothing is snoozed with a time."""
        woken = await self.wake_due(now)
        if len(woken) >= self._batch:
            return now
        return await self.next_due()

    async def next_due(self) -> datetime | None:
        """The earliest ``snoozed_until`` of a snoozed conversation (possibly past), or None."""
        async with unit_of_work(self._engine, writer=False) as conn:
            found: datetime | None = await conn.scalar(
                select(func.min(_conversations.c.snoozed_until)).where(
                    _conversations.c.status == _SNOOZED
                )
            )
        return found

    async def wake_due(self, now: datetime) -> list[int]:
        """Reopen the conversations whose snooze ended by ``now``; the ids this call reopened."""
        async with unit_of_work(self._engine, writer=False) as conn:
            due = list(
                (
                    await conn.execute(
                        select(_conversations.c.id)
                        .where(*_still_due(now))
                        .order_by(_conversations.c.snoozed_until)
                        .limit(self._batch)
                    )
                ).scalars()
            )
        woken: list[int] = []
        failures: list[Exception] = []
        for conversation_id in due:
            try:
                async with unit_of_work(self._engine) as conn:
                    reopened = await self._wake(conversation_id, now, conn)
                if reopened:
                    woken.append(conversation_id)
            except Exception as exc:
                log.warning("waking conversation %d failed: %s", conversation_id, exc)
                failures.append(exc)
        await publish_quietly(self._live, (conversation_changed(c, "update") for c in woken))
        if failures:
            raise WakeUpFailed(f"{len(failures)} due conversation(s) not woken") from failures[0]
        return woken

    async def _wake(self, conversation_id: int, now: datetime, conn: Conn) -> bool:
        # The claim changes nothing yet (the service makes the change and sees the row as it
        # was), but it locks the row, and only while it is still snoozed and due.
        claimed = await conn.scalar(
            update(_conversations)
            .where(_conversations.c.id == conversation_id, *_still_due(now))
            .values(status=_conversations.c.status)
            .returning(_conversations.c.id)
        )
        if claimed is None:
            return False  # another process woke it, or it was changed meanwhile
        changes: Changes = []
        await apply_change(conn, conversation_id, Change(status=_OPEN), changes)
        await self._reactions.run(conn, changes)
        return True
