"""Opt-in and opt-out signals in what people send, turned into subscription changes.

:func:`take_signals` reacts to every newly stored inbound message or button press (a reaction,
:mod:`inbox.changes`), so the common case (a longer text, a comment) must cost nothing: only
a short private text looks up the account's keywords. Nothing is sent back; confirming is for
the rules to do.

Buttons (``SUBSCRIBE`` / ``UNSUBSCRIBE`` payloads) and keywords work alike on every platform
and are recognised here. A platform's own ways (a bot command, an opt-in event such as
unblocking the bot) are recognised by its normaliser, which puts a
:class:`~inbox.events.SubscriptionSignal` on the event: this module records it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.changes import Change, Changes, MessageStored
from inbox.db import Conn
from inbox.events import Direction, EventKind, InboundEvent, ThreadKind
from inbox.newsletters import subscriptions
from inbox.newsletters.keywords import MAX_KEYWORD_LENGTH, Keywords

_accounts = Account.__table__  # type: ignore[attr-defined]

# Longer texts cannot be a keyword, even with trailing punctuation and spaces.
_KEYWORD_TEXT_MAX = MAX_KEYWORD_LENGTH + 16
BUTTONS = {"SUBSCRIBE": subscriptions.OPT_IN, "UNSUBSCRIBE": subscriptions.OPT_OUT}

Signal = tuple[str, str, str | None]  # action, method, source


def _private(event: InboundEvent) -> bool:
    """A person's own DM with the account: not a comment, not a group chat they are in."""
    return (
        event.direction is Direction.IN
        and event.thread.kind is ThreadKind.DIRECT
        and event.thread.peer_id == event.author.id
    )


def _button(event: InboundEvent) -> Signal | None:
    payload = (event.payload or "").strip()
    action = BUTTONS.get(payload.upper()) if len(payload) <= 16 else None
    return (action, "button", payload) if action else None


def _declared(event: InboundEvent) -> Signal | None:
    """What the platform's normaliser recognised (a command such as ``/start <param>``)."""
    found = event.subscription
    if found is None:
        return None
    return (
        subscriptions.OPT_IN if found.opt_in else subscriptions.OPT_OUT,
        found.method,
        found.source,
    )


async def _keyword(conn: Conn, account_id: int, event: InboundEvent) -> Signal | None:
    text = event.text
    if event.kind is not EventKind.MESSAGE or not text or len(text) > _KEYWORD_TEXT_MAX:
        return None
    options = await conn.scalar(select(_accounts.c.options).where(_accounts.c.id == account_id))
    found = Keywords.of(options).match(text)
    return (found[0], "keyword", found[1]) if found else None


async def take_signals(conn: Conn, batch: Sequence[Change], _changes: Changes) -> None:
    """Reaction: the signals in customers' new messages (before the rules, which may test
    whether the person is subscribed)."""
    for c in batch:
        if isinstance(c, MessageStored) and c.inbound:
            row = c.conversation
            await after_message(conn, row.account_id, row.contact_id, c.event)


async def after_message(
    conn: Conn, account_id: int, contact_id: int, event: InboundEvent
) -> subscriptions.Outcome | None:
    if not _private(event):
        return None
    signal = _button(event) or _declared(event) or await _keyword(conn, account_id, event)
    if signal is None:
        return None
    action, method, source = signal
    return await subscriptions.record(
        conn, account_id, contact_id, action, method, source, event.platform_ts
    )


async def after_opt(
    conn: Conn, account_id: int, contact_id: int, event: InboundEvent
) -> subscriptions.Outcome | None:
    """An opt-in or opt-out event (the bot blocked or unblocked, messages allowed or denied),
    recorded when the platform's normaliser says by what method."""
    signal = _declared(event)
    if signal is None:
        return None
    action, method, source = signal
    return await subscriptions.record(
        conn, account_id, contact_id, action, method, source, event.platform_ts
    )
