"""Opt-in and opt-out signals in what people send, turned into subscription changes.

The worker calls :func:`after_message` for every newly stored inbound message or button press,
so the common case (a longer text, a comment) must cost nothing: only a short private text
looks up the account's keywords. Nothing is sent back; confirming is for the rules to do.

VK's ``intent_subscribe`` / ``intent_unsubscribe`` keyboard buttons are handled by VK itself;
platforms.md documents no webhook of their own, so what reaches us of them is the
``message_allow`` / ``message_deny`` (with its ``key``) that :func:`after_opt` records.
"""

from __future__ import annotations

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.db import Conn
from inbox.events import Channel, Direction, EventKind, InboundEvent, ThreadKind
from inbox.newsletters import subscriptions
from inbox.newsletters.keywords import MAX_KEYWORD_LENGTH, Keywords

_accounts = Account.__table__  # type: ignore[attr-defined]

# Longer texts cannot be a keyword, even with trailing punctuation and spaces.
_KEYWORD_TEXT_MAX = MAX_KEYWORD_LENGTH + 16
BUTTONS = {"SUBSCRIBE": subscriptions.OPT_IN, "UNSUBSCRIBE": subscriptions.OPT_OUT}
_COMMANDS = {
    "/start": (subscriptions.OPT_IN, "telegram_start"),
    "/subscribe": (subscriptions.OPT_IN, "command"),
    "/stop": (subscriptions.OPT_OUT, "command"),
    "/unsubscribe": (subscriptions.OPT_OUT, "command"),
}
_PLATFORM_OPTS = {
    (Channel.TELEGRAM, EventKind.OPT_IN): "telegram_unblocked",
    (Channel.TELEGRAM, EventKind.OPT_OUT): "telegram_blocked",
    (Channel.VK, EventKind.OPT_IN): "vk_message_allow",
    (Channel.VK, EventKind.OPT_OUT): "vk_message_deny",
}

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


def _command(event: InboundEvent) -> Signal | None:
    """``/start``, ``/start <param>`` (the deep-link param is the source), ``/stop@bot``…"""
    if event.channel is not Channel.TELEGRAM or not event.text.startswith("/"):
        return None
    head, _, rest = event.text.strip().partition(" ")
    name = head.split("@", 1)[0].casefold()
    found = _COMMANDS.get(name)
    if found is None:
        return None
    action, method = found
    source = (rest.strip() or None) if name == "/start" else name
    return action, method, source


async def _keyword(conn: Conn, account_id: int, event: InboundEvent) -> Signal | None:
    text = event.text
    if event.kind is not EventKind.MESSAGE or not text or len(text) > _KEYWORD_TEXT_MAX:
        return None
    options = await conn.scalar(select(_accounts.c.options).where(_accounts.c.id == account_id))
    found = Keywords.of(options).match(text)
    return (found[0], "keyword", found[1]) if found else None


async def after_message(
    conn: Conn, account_id: int, contact_id: int, event: InboundEvent
) -> subscriptions.Outcome | None:
    if not _private(event):
        return None
    signal = _button(event) or _command(event) or await _keyword(conn, account_id, event)
    if signal is None:
        return None
    action, method, source = signal
    return await subscriptions.record(
        conn, account_id, contact_id, action, method, source, event.platform_ts
    )


async def after_opt(
    conn: Conn, account_id: int, contact_id: int, event: InboundEvent
) -> subscriptions.Outcome | None:
    """Blocking or unblocking the bot, VK's message_deny / message_allow (``key``: source)."""
    method = _PLATFORM_OPTS.get((event.channel, event.kind))
    if method is None:
        return None
    action = subscriptions.OPT_IN if event.kind is EventKind.OPT_IN else subscriptions.OPT_OUT
    return await subscriptions.record(
        conn, account_id, contact_id, action, method, event.payload, event.platform_ts
    )
