"""Running the rules on a stored customer message, inside the worker's transaction.

Rules see plain ``Facts`` and answer plain actions (``rules`` is pure); this module turns rows
into facts and actions into writes. It runs only for a message this transaction stored, so a
redelivered webhook never fires a rule twice, and the reply's outbox row commits (or not)
together with the message that caused it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from inbox.automation import actions, store
from inbox.automation.facts import build_facts
from inbox.automation.models import RuleTrace
from inbox.conversations.models import Message, SenderType
from inbox.db import Conn
from inbox.events import Direction, InboundEvent
from inbox.reporting.calendars import calendar_for
from inbox.types import utcnow
from rules.calendar import BusinessCalendar
from rules.compile import CompiledRules, Directory, compile_rules, validate
from rules.errors import RuleError
from rules.evaluate import evaluate
from rules.schema import Rule, Trigger

log = logging.getLogger("omnibox.rules")

_messages = Message.__table__  # type: ignore[attr-defined]
_traces = RuleTrace.__table__  # type: ignore[attr-defined]

REVISION_CHECK_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Stored:
    """What the worker stored (or, for a clock event, the customer message it is about):
    enough to build the facts."""

    account_id: int
    conversation_id: int
    message_id: int
    new_conversation: bool
    reopened: bool
    new_contact: bool
    event: str = "message_received"  # what a webhook action reports happened
    detail: dict[str, Any] | None = None  # clock events: which target or wait, sent along


class RuleBook:
    """The compiled rule set, recompiled when the stored revision moves on.

    A rule that no longer compiles (its team was deleted) is left out with an error in the log,
    so one stale rule cannot stop the others.
    """

    def __init__(self) -> None:
        self._revision = -1
        self._compiled: CompiledRules | None = None
        self._checked_at = 0.0

    async def current(self, conn: Conn) -> CompiledRules | None:
        now = time.monotonic()
        if self._compiled is not None and now - self._checked_at < REVISION_CHECK_SECONDS:
            return self._compiled
        self._checked_at = now
        revision = await store.revision(conn)
        if revision != self._revision or self._compiled is None:
            self._compiled = await compile_stored(conn)
            self._revision = revision
        return self._compiled


async def directory(conn: Conn) -> Directory:
    teams, users, accounts = await store.directory_values(conn)
    return Directory(teams=teams, users=users, account_ids=accounts)


async def compile_stored(conn: Conn) -> CompiledRules:
    known = await directory(conn)
    good: list[Rule] = []
    for n, definition in enumerate(await store.definitions(conn), start=1):
        try:
            good.extend(validate([definition], known))
        except RuleError as exc:
            log.error("rule %d (%s) left out: %s", n, definition.get("name"), exc)
    return compile_rules(good, known)


class Automation:
    def __init__(self, *, auto_replies_per_hour: int) -> None:
        self.book = RuleBook()
        self._reply_cap = auto_replies_per_hour

    async def after_store(self, conn: Conn, event: InboundEvent, stored: Stored) -> None:
        """Run the rules for a customer's new message (never for echoes or our own)."""
        if event.direction is not Direction.IN:
            return
        compiled = await self.book.current(conn)
        if compiled is None or not compiled.rules:
            return
        calendar = await load_calendar(conn, stored.account_id)
        triggers = [Trigger.MESSAGE_RECEIVED]
        if stored.new_conversation or stored.reopened:
            triggers.append(Trigger.CONVERSATION_OPENED)
        for trigger in triggers:
            facts = await build_facts(conn, event, stored, trigger.value, calendar)
            evaluation = evaluate(compiled, facts)
            notes = await actions.apply_all(
                conn,
                stored,
                evaluation.actions,
                reply_budget=await self.replies_left(conn, stored),
            )
            if evaluation.trace:
                await record_trace(conn, stored, trigger.value, evaluation.to_json(), notes)

    async def replies_left(self, conn: Conn, stored: Stored) -> int:
        since = utcnow() - timedelta(hours=1)
        sent = await conn.scalar(
            select(func.count()).where(
                _messages.c.conversation_id == stored.conversation_id,
                _messages.c.sender_type == SenderType.BOT.value,
                _messages.c.created_at >= since,
            )
        )
        return max(0, self._reply_cap - int(sent or 0))


async def load_calendar(conn: Conn, account_id: int) -> BusinessCalendar | None:
    """The account's business hours for rules' time conditions (the metrics read the same)."""
    return await calendar_for(conn, account_id, None)


async def record_trace(
    conn: Conn, stored: Stored, trigger: str, trace: Any, notes: list[str]
) -> None:
    entries = trace.get("trace", trace) if isinstance(trace, dict) else trace
    if notes:
        entries = [*entries, {"notes": notes}]
    await conn.execute(
        _traces.insert(),
        [
            {
                "message_id": stored.message_id,
                "conversation_id": stored.conversation_id,
                "event": trigger,
                "trace": entries,
                "created_at": utcnow(),
            }
        ],
    )
