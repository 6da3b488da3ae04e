"""Running the rules on a stored customer message, inside the worker's transaction.

Rules see plain ``Facts`` and answer plain actions (``rules`` is pure); this module turns rows
into facts and actions into writes. :meth:`Automation.run_rules` is a reaction
(:mod:`inbox.changes`) to a message this transaction stored, so a redelivered webhook never
fires a rule twice, and the reply's outbox row commits (or not) together with the message that
caused it. What the actions change goes into the transaction's ``changes`` in turn.
:meth:`Automation.act` is the one place rules are evaluated and acted on, for a message here
and for a clock event in :mod:`inbox.automation.timed`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from inbox.automation import actions, store
from inbox.automation.facts import build_facts
from inbox.automation.models import RuleTrace
from inbox.changes import Change, Changes, MessageStored
from inbox.conversations.models import Message, SenderType
from inbox.db import Conn
from inbox.events import InboundEvent
from inbox.reporting.calendars import calendar_for
from inbox.types import utcnow
from rules.calendar import BusinessCalendar
from rules.compile import CompiledRules, Directory, compile_rules, validate
from rules.errors import RuleError
from rules.evaluate import evaluate
from rules.facts import Facts
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

    @classmethod
    def of(cls, change: MessageStored) -> Stored:
        conversation = change.conversation
        return cls(
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            message_id=change.message_id,
            new_conversation=change.new_conversation,
            reopened=change.reopened,
            new_contact=change.new_contact,
        )


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

    async def run_rules(self, conn: Conn, batch: Sequence[Change], changes: Changes) -> None:
        """Reaction: the rules for each customer's new message (never for echoes or our own)."""
        for change in batch:
            if isinstance(change, MessageStored) and change.inbound:
                await self.after_store(conn, change.event, Stored.of(change), changes)

    async def after_store(
        self, conn: Conn, event: InboundEvent, stored: Stored, changes: Changes
    ) -> None:
        compiled = await self.book.current(conn)
        if compiled is None or not compiled.rules:
            return
        calendar = await load_calendar(conn, stored.account_id)
        triggers = [Trigger.MESSAGE_RECEIVED]
        if stored.new_conversation or stored.reopened:
            triggers.append(Trigger.CONVERSATION_OPENED)
        for trigger in triggers:
            facts = await build_facts(conn, event, stored, trigger.value, calendar)
            await self.act(conn, compiled, stored, facts, changes)

    async def act(
        self,
        conn: Conn,
        compiled: CompiledRules,
        stored: Stored,
        facts: Facts,
        changes: Changes,
        *,
        key_prefix: str | None = None,
    ) -> bool:
        """Evaluate ``facts`` and carry out what the rules decided, within this hour's reply
        budget, then file the trace; whether any rule left one. ``key_prefix``: see
        :func:`actions.apply_all`."""
        evaluation = evaluate(compiled, facts)
        notes = await actions.apply_all(
            conn,
            stored,
            evaluation.actions,
            changes,
            reply_budget=await self.replies_left(conn, stored),
            key_prefix=key_prefix,
        )
        if evaluation.trace:
            await record_trace(conn, stored, facts.event, evaluation.to_json(), notes)
        return bool(evaluation.trace)

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
