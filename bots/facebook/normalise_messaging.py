"""Messenger ``messaging`` items (also Instagram DMs, which share the shape).

Meta subscribes by field (``messages``, ``message_echoes``, ...) but a delivered item does
not say which field it belongs to: the name is read off its content. Webhooks carry no
names, so authors get only their page-scoped id; profiles are fetched elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.facebook.dispatch import Handler, ItemContext
from bots.facebook.fields import (
    from_epoch_ms,
    ident,
    integer,
    obj,
    objects,
    opt_ident,
    opt_obj,
    opt_str,
    string,
)
from inbox.events import (
    AnomalousPayload,
    Attachment,
    Author,
    Direction,
    EventKind,
    InboundEvent,
    Thread,
    ThreadKind,
)

# Content key of a messaging item -> Meta's webhook field name (``message`` is special-cased).
MESSENGER_ITEM_NAMES: Mapping[str, str] = {
    "postback": "messaging_postbacks",
    "read": "message_reads",
    "delivery": "message_deliveries",
    "reaction": "message_reactions",
    "message_edit": "message_edits",
    "optin": "messaging_optins",
    "referral": "messaging_referrals",
    "pass_thread_control": "messaging_handovers",
    "take_thread_control": "messaging_handovers",
    "request_thread_control": "messaging_handovers",
    "account_linking": "messaging_account_linking",
    "policy_enforcement": "messaging_policy_enforcement",
}
_ENVELOPE_KEYS = frozenset({"sender", "recipient", "timestamp"})


def classify(item: Mapping[str, Any], where: str, names: Mapping[str, str]) -> str:
    """The webhook field name of one messaging item, from the keys it carries."""
    message = item.get("message")
    if message is not None:
        if not isinstance(message, Mapping):
            raise AnomalousPayload(f"{where}.message: expected an object")
        return "message_echoes" if message.get("is_echo") is True else "messages"
    for key, name in names.items():
        if key in item:
            return name
    unknown = sorted(str(key) for key in item if key not in _ENVELOPE_KEYS)
    if not unknown:
        raise AnomalousPayload(f"{where}: messaging item carries no event")
    return unknown[0]


def classify_messenger(item: Mapping[str, Any], where: str) -> str:
    return classify(item, where, MESSENGER_ITEM_NAMES)


def direct_thread(peer_id: str) -> Thread:
    return Thread(kind=ThreadKind.DIRECT, key=f"dm:{peer_id}", peer_id=peer_id)


def normalise_message(ctx: ItemContext, item: Mapping[str, Any]) -> list[InboundEvent]:
    """``messages`` and ``message_echoes``; an echo is the page's own message to ``recipient``."""
    where = ctx.where
    message = obj(item, "message", where)
    sender = ident(obj(item, "sender", where), "id", f"{where}.sender")
    echo = message.get("is_echo") is True
    peer = ident(obj(item, "recipient", where), "id", f"{where}.recipient") if echo else sender
    mw = f"{where}.message"
    reply_to = opt_obj(message, "reply_to", mw)
    quick_reply = opt_obj(message, "quick_reply", mw)
    event = ctx.event(
        kind=EventKind.MESSAGE,
        thread=direct_thread(peer),
        author=Author(id=sender),
        external_id=ident(message, "mid", mw),
        platform_ts=from_epoch_ms(integer(item, "timestamp", where), f"{where}.timestamp"),
        direction=Direction.OUT if echo else Direction.IN,
        text=opt_str(message, "text", mw) or "",
        attachments=_attachments(message, mw),
        reply_to_external_id=opt_ident(reply_to, "mid", f"{mw}.reply_to") if reply_to else None,
        payload=opt_str(quick_reply, "payload", f"{mw}.quick_reply") if quick_reply else None,
    )
    return [event]


def normalise_postback(ctx: ItemContext, item: Mapping[str, Any]) -> list[InboundEvent]:
    """A button press; older postbacks have no ``mid``, so the key falls back to who + when."""
    where = ctx.where
    postback = obj(item, "postback", where)
    sender = ident(obj(item, "sender", where), "id", f"{where}.sender")
    timestamp = integer(item, "timestamp", where)
    pw = f"{where}.postback"
    event = ctx.event(
        kind=EventKind.POSTBACK,
        thread=direct_thread(sender),
        author=Author(id=sender),
        external_id=opt_ident(postback, "mid", pw) or f"postback:{sender}:{timestamp}",
        platform_ts=from_epoch_ms(timestamp, f"{where}.timestamp"),
        text=opt_str(postback, "title", pw) or "",
        payload=opt_str(postback, "payload", pw),
    )
    return [event]


def acknowledge(ctx: ItemContext, item: Mapping[str, Any]) -> list[InboundEvent]:
    """Known and deliberately dropped (reads, deliveries): supported, but no event."""
    return []


def _attachments(message: Mapping[str, Any], where: str) -> tuple[Attachment, ...]:
    result = []
    for index, attachment in enumerate(objects(message, "attachments", where)):
        aw = f"{where}.attachments[{index}]"
        payload = opt_obj(attachment, "payload", aw) or {}  # a fallback may carry none
        result.append(
            Attachment(
                type=string(attachment, "type", aw),
                url=opt_str(payload, "url", f"{aw}.payload") or None,
                name=opt_str(attachment, "title", aw),
                extra={key: value for key, value in payload.items() if key != "url"},
            )
        )
    return tuple(result)


MESSENGER_HANDLERS: Mapping[str, Handler] = {
    "messages": normalise_message,
    "message_echoes": normalise_message,
    "messaging_postbacks": normalise_postback,
    "message_reads": acknowledge,
    "message_deliveries": acknowledge,
}
