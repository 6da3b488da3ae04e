"""The SLA deadlines job: breaches found at their deadline, and ``no_reply`` rules fired on time.

Every process that runs a worker runs this job in its maintenance loop. It asks the database
for the nearest pending deadline (open cycles' first-response and resolution deadlines, open
turns' next-response deadlines, and the ``no_reply`` waits of the rules) and the loop sleeps
until then, though never more than the job's ``every`` (``jobs.MAX_SLEEP``), so a deadline
another process (or this one's event worker) wrote is seen soon after.

A due breach is one insert-or-ignore on its unique key (cycle, metric, turn) and a due wait
one on (cycle, turn, minutes): whichever process inserts the row fires the event, in the same
transaction, so several loops on one database never fire it twice and a restart never
fires it again. When the rules keep failing, the firing is recorded without their effects:
a broken rule must not leave a deadline due forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, literal, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox import metrics
from inbox.automation.runner import Automation
from inbox.automation.timed import Timer, run_timed
from inbox.changes import Changes, Reactions
from inbox.conversations.models import Conversation
from inbox.db import Conn, dialect_of, insert_ignore, unit_of_work
from inbox.live import LiveBus, conversation_changed, publish_quietly
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.sla_models import NoReplyFiring, SlaBreach
from inbox.types import utcnow
from rules.schema import Trigger

log = logging.getLogger("omnibox.sla")

_conversations = Conversation.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
_breaches = SlaBreach.__table__  # type: ignore[attr-defined]
_firings = NoReplyFiring.__table__  # type: ignore[attr-defined]

MIN_PAUSE = 0.5  # between rounds while something stays due (rules failing, a busy database)
BATCH = 100
# A no_reply wait that ran out longer ago than this is not fired: a rule added today must
# not act on every conversation left open for months.
NO_REPLY_CATCH_UP = timedelta(days=1)

FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION = "first_response", "next_response", "resolution"


@dataclass(frozen=True, slots=True)
class Fired:
    """One event the job fired: a breach (``metric``) or a ``no_reply`` wait (``minutes``)."""

    trigger: str  # sla_breached | no_reply
    conversation_id: int
    cycle_id: int
    turn_seq: int  # the customer turn (next_response, no_reply); 0 for cycle targets
    due_at: datetime
    metric: str | None = None
    minutes: int | None = None
    policy_id: int | None = None


def _not_breached(metric: str, cycle_id: Any, turn_seq: Any) -> ColumnElement[bool]:
    return ~exists().where(
        _breaches.c.cycle_id == cycle_id,
        _breaches.c.metric == metric,
        _breaches.c.turn_seq == turn_seq,
    )


def _cycle_deadlines(metric: str, due: Any, *pending: ColumnElement[bool]) -> Select[Any]:
    return select(
        _cycles.c.id.label("cycle_id"),
        _cycles.c.conversation_id,
        _cycles.c.sla_policy_id.label("policy_id"),
        due.label("due_at"),
        literal(0).label("turn_seq"),
    ).where(
        _cycles.c.resolved_at.is_(None),
        due.is_not(None),
        *pending,
        _not_breached(metric, _cycles.c.id, 0),
    )


_OPEN_TURNS = _turns.join(
    _cycles, and_(_cycles.c.id == _turns.c.cycle_id, _cycles.c.resolved_at.is_(None))
)
DEADLINES: dict[str, tuple[Select[Any], Any]] = {
    FIRST_RESPONSE: (
        _cycle_deadlines(
            FIRST_RESPONSE, _cycles.c.first_response_due_at, _cycles.c.first_response_at.is_(None)
        ),
        _cycles.c.first_response_due_at,
    ),
    RESOLUTION: (
        _cycle_deadlines(RESOLUTION, _cycles.c.resolution_due_at),
        _cycles.c.resolution_due_at,
    ),
    # Turn 1 is held to the first-response target: its breach is the cycle's first_response.
    NEXT_RESPONSE: (
        select(
            _turns.c.cycle_id,
            _turns.c.conversation_id,
            _cycles.c.sla_policy_id.label("policy_id"),
            _turns.c.due_at,
            _turns.c.seq.label("turn_seq"),
        )
        .select_from(_OPEN_TURNS)
        .where(
            _turns.c.replied_at.is_(None),
            _turns.c.seq > 1,
            _turns.c.due_at.is_not(None),
            _not_breached(NEXT_RESPONSE, _turns.c.cycle_id, _turns.c.seq),
        ),
        _turns.c.due_at,
    ),
}
WAITING = (
    select(_turns.c.cycle_id, _turns.c.conversation_id, _turns.c.seq, _turns.c.started_at)
    .select_from(_OPEN_TURNS)
    .where(
        _turns.c.replied_at.is_(None),
        _turns.c.started_at > bindparam("since"),
        ~exists().where(
            _firings.c.cycle_id == _turns.c.cycle_id,
            _firings.c.turn_seq == _turns.c.seq,
            _firings.c.minutes == bindparam("minutes"),
        ),
    )
    .order_by(_turns.c.started_at)
)


class SlaDeadlines:
    def __init__(
        self,
        engine: AsyncEngine,
        automation: Automation | None = None,
        *,
        live: LiveBus | None = None,
        batch: int = BATCH,
        now: Callable[[], datetime] = utcnow,
        reactions: Reactions,
    ) -> None:
        self._engine = engine
        self._automation = automation
        self._reactions = reactions
        self._live = live
        self._batch = batch
        self._now = now

    async def round(self, now: datetime) -> datetime | None:
        """One round of the job: fire what is due; when the next deadline falls (at once when
        a full batch fired: more may be waiting), or None when nothing is pending."""
        fired = await self.run_once(now)
        if len(fired) >= self._batch:
            return now
        due = await self.next_due(now)
        if due is None:
            return None
        # Just past it (due means overdue), and never at once while it stays due unfired.
        return max(due + timedelta(seconds=0.05), self._now() + timedelta(seconds=MIN_PAUSE))

    async def next_due(self, now: datetime) -> datetime | None:
        """The nearest deadline not yet fired (possibly already past), or None."""
        found: list[datetime] = []
        async with unit_of_work(self._engine, writer=False) as conn:
            for query, due in DEADLINES.values():
                value = await conn.scalar(query.with_only_columns(due).order_by(due).limit(1))
                if value is not None:
                    found.append(value)
            for minutes in await self._waits(conn):
                wait = timedelta(minutes=minutes)
                started = await conn.scalar(
                    WAITING.with_only_columns(_turns.c.started_at).limit(1),
                    {"since": now - wait - NO_REPLY_CATCH_UP, "minutes": minutes},
                )
                if started is not None:
                    found.append(started + wait)
        return min(found, default=None)

    async def run_once(self, now: datetime | None = None) -> list[Fired]:
        """Fire what is due at ``now`` (default: the job's now); returns what this call fired."""
        now = now or self._now()
        due = await self._due(now)
        fired = [f for f in [await self._fire(item, now) for item in due] if f is not None]
        touched = sorted({f.conversation_id for f in fired})
        await publish_quietly(self._live, (conversation_changed(c, "update") for c in touched))
        return fired

    async def _waits(self, conn: Conn) -> list[int]:
        if self._automation is None:
            return []
        compiled = await self._automation.book.current(conn)
        return sorted(compiled.waits()) if compiled is not None else []

    async def _due(self, now: datetime) -> list[Fired]:
        due: list[Fired] = []
        async with unit_of_work(self._engine, writer=False) as conn:
            for metric, (query, deadline) in DEADLINES.items():
                rows = await conn.execute(
                    query.where(deadline < now).order_by(deadline).limit(self._batch)
                )
                due += [
                    Fired(
                        Trigger.SLA_BREACHED.value,
                        r.conversation_id,
                        r.cycle_id,
                        r.turn_seq,
                        r.due_at,
                        metric=metric,
                        policy_id=r.policy_id,
                    )
                    for r in rows
                ]
            for minutes in await self._waits(conn):
                wait = timedelta(minutes=minutes)
                rows = await conn.execute(
                    WAITING.where(_turns.c.started_at < now - wait).limit(self._batch),
                    {"since": now - wait - NO_REPLY_CATCH_UP, "minutes": minutes},
                )
                due += [
                    Fired(
                        Trigger.NO_REPLY.value,
                        r.conversation_id,
                        r.cycle_id,
                        r.seq,
                        r.started_at + wait,
                        minutes=minutes,
                    )
                    for r in rows
                ]
        return sorted(due, key=lambda f: f.due_at)[: self._batch]

    async def _fire(self, item: Fired, now: datetime) -> Fired | None:
        """Record and act on one firing: twice with its rules (a lost lock race is worth a
        second try), then without them; None when another process had fired it."""
        for with_rules in (True, True, False):
            try:
                async with unit_of_work(self._engine) as conn:
                    fired = await self._record(item, now, with_rules, conn)
            except Exception:
                cid = item.conversation_id
                log.exception("firing %s on conversation %d failed", _name(item), cid)
                continue
            if fired and item.metric is not None:
                metrics.SLA_BREACHES.labels(item.metric).inc()
            return item if fired else None
        return None

    async def _record(self, item: Fired, now: datetime, with_rules: bool, conn: Conn) -> bool:
        """Record the firing; only the transaction that inserted it goes on to the rules."""
        if dialect_of(conn) == "postgresql":
            # The conversation first, then its cycle: the order the worker and the API take
            # them in, so a rule acting on the conversation cannot deadlock with them.
            await conn.execute(
                select(_conversations.c.id)
                .where(_conversations.c.id == item.conversation_id)
                .with_for_update()
            )
        if item.metric is not None:
            inserted = await conn.scalar(
                insert_ignore(dialect_of(conn), _breaches, ["cycle_id", "metric", "turn_seq"])
                .values(
                    cycle_id=item.cycle_id,
                    conversation_id=item.conversation_id,
                    policy_id=item.policy_id,
                    metric=item.metric,
                    turn_seq=item.turn_seq,
                    due_at=item.due_at,
                    breached_at=now,
                )
                .returning(_breaches.c.id)
            )
            flag = {FIRST_RESPONSE: "first_response_breached", RESOLUTION: "resolution_breached"}
            if inserted is not None and item.metric in flag:
                await conn.execute(
                    update(_cycles)
                    .where(_cycles.c.id == item.cycle_id)
                    .values({flag[item.metric]: True})
                )
        else:
            inserted = await conn.scalar(
                insert_ignore(dialect_of(conn), _firings, ["cycle_id", "turn_seq", "minutes"])
                .values(
                    cycle_id=item.cycle_id,
                    conversation_id=item.conversation_id,
                    turn_seq=item.turn_seq,
                    minutes=item.minutes,
                    fired_at=now,
                )
                .returning(_firings.c.id)
            )
        if inserted is None:
            return False  # another process fired it
        if with_rules and self._automation is not None:
            changes: Changes = []
            await run_timed(self._automation, conn, _timer(item), now, changes)
            await self._reactions.run(conn, changes)
        return True


def _name(item: Fired) -> str:
    return f"{item.metric} breach" if item.metric else f"no_reply {item.minutes} min"


def _timer(item: Fired) -> Timer:
    detail: dict[str, Any] = {
        "cycle_id": item.cycle_id,
        "turn_seq": item.turn_seq,
        "due_at": item.due_at.isoformat(),
    }
    if item.metric is not None:
        return Timer(
            Trigger.SLA_BREACHED,
            item.conversation_id,
            f"sla:{item.cycle_id}:{item.metric}:{item.turn_seq}",
            sla_metric=item.metric,
            detail={"metric": item.metric, "policy_id": item.policy_id, **detail},
        )
    return Timer(
        Trigger.NO_REPLY,
        item.conversation_id,
        f"no_reply:{item.cycle_id}:{item.turn_seq}:{item.minutes}",
        minutes=item.minutes,
        detail={"minutes": item.minutes, **detail},
    )
