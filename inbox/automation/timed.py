"""Rules fired by the clock (``no_reply``, ``sla_breached``) rather than by a message.

The SLA deadlines job runs them inside the transaction that records the firing, so the firing and
its effects commit together: a restart finds the firing recorded and never runs them twice.
The customer's last message stands for the event: its text and channel are what conditions
test, and its id is what the trace is filed under. Replies and webhooks are keyed by the
firing, so they are never mistaken for the ones that message caused when it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from inbox.automation.facts import timed_facts
from inbox.automation.runner import Automation, Stored, load_calendar
from inbox.changes import Changes
from inbox.conversations.models import Conversation, Message, SenderType
from inbox.db import Conn
from rules.schema import Trigger

_messages = Message.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]

LAST_CUSTOMER_MESSAGE = (
    select(
        _messages.c.id,
        _messages.c.text,
        _messages.c.attachments,
        _conversations.c.account_id,
        _conversations.c.channel,
        _conversations.c.kind.label("conversation_kind"),
    )
    .select_from(_messages.join(_conversations, _conversations.c.id == _messages.c.conversation_id))
    .where(
        _messages.c.conversation_id == bindparam("cid"),
        _messages.c.direction == "in",
        _messages.c.sender_type == SenderType.CONTACT.value,
        _messages.c.kind.in_(("message", "postback")),
    )
    .order_by(_messages.c.platform_ts.desc(), _messages.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """The customer's last message (:data:`LAST_CUSTOMER_MESSAGE`), standing for the event."""

    id: int
    text: str | None
    attachments: list[Any] | None
    account_id: int
    channel: str
    conversation_kind: str

    @classmethod
    def of(cls, row: Any) -> CustomerMessage:
        return cls(
            id=row.id,
            text=row.text,
            attachments=row.attachments,
            account_id=row.account_id,
            channel=row.channel,
            conversation_kind=row.conversation_kind,
        )


@dataclass(frozen=True, slots=True)
class Timer:
    """One clock event on a conversation."""

    trigger: Trigger
    conversation_id: int
    key: str  # names this firing; its replies and webhooks are keyed by it
    minutes: int | None = None  # no_reply: the wait that ran out
    sla_metric: str | None = None  # sla_breached: the target missed
    detail: dict[str, Any] | None = None  # what a webhook action sends along


async def run_timed(
    automation: Automation, conn: Conn, timer: Timer, now: datetime, changes: Changes
) -> bool:
    """Run ``timer``'s rules as of ``now``; whether any rule matched (and left a trace). What
    the actions change goes into ``changes``: the caller owns the transaction and runs the
    reactions."""
    compiled = await automation.book.current(conn)
    if compiled is None or not compiled.runnable(timer.trigger.value, timer.minutes):
        return False
    row = (await conn.execute(LAST_CUSTOMER_MESSAGE, {"cid": timer.conversation_id})).first()
    if row is None:
        return False
    message = CustomerMessage.of(row)
    stored = Stored(
        account_id=message.account_id,
        conversation_id=timer.conversation_id,
        message_id=message.id,
        new_conversation=False,
        reopened=False,
        new_contact=False,
        event=timer.trigger.value,
        detail=timer.detail,
    )
    calendar = await load_calendar(conn, stored.account_id)
    facts = await timed_facts(conn, stored, message, calendar, timer, now)
    return await automation.act(conn, compiled, stored, facts, changes, key_prefix=timer.key)
