"""Community-chat events: ``message_new/reply/edit`` and the ``message_allow/deny`` opt-ins.

A message is keyed by ``(peer_id, conversation_message_id)``: the global ``id`` is 0 in group
chats, while the pair is stable for the community in every conversation. ``message_reply`` is
VK's echo of anything the community sent, including replies typed by admins in VK's own UI,
so it is recorded as an outgoing message. A pressed keyboard button arrives as a
``message_new`` with a ``payload``; ours is unwrapped to the button's own payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bots.vk._fields import opt_int, opt_map, opt_str, req_date, req_int, req_map
from bots.vk.attachments import parse_attachments, parse_geo
from bots.vk.envelope import Envelope
from bots.vk.keyboard import button_payload
from inbox.events import (
    Author,
    Direction,
    EventKind,
    InboundEvent,
    SubscriptionSignal,
    Thread,
    ThreadKind,
)


def dm_thread(peer_id: int) -> Thread:
    return Thread(kind=ThreadKind.DIRECT, key=f"dm:{peer_id}", peer_id=str(peer_id))


def message_external_id(peer_id: int, conversation_message_id: int) -> str:
    return f"msg:{peer_id}:{conversation_message_id}"


def _from_message(
    env: Envelope, msg: Mapping[str, Any], where: str, kind: EventKind, direction: Direction
) -> InboundEvent:
    peer_id = req_int(msg, "peer_id", where)
    cmid = req_int(msg, "conversation_message_id", where)
    # Community messages come from -group_id; admin_author_id names the admin who typed it.
    author_id = opt_int(msg, "admin_author_id", where)
    if author_id is None:
        author_id = req_int(msg, "from_id", where)
    reply = opt_map(msg, "reply_message", where)
    reply_to = None
    if reply is not None:
        reply_cmid = req_int(reply, "conversation_message_id", f"{where}.reply_message")
        reply_to = message_external_id(peer_id, reply_cmid)
    geo = parse_geo(msg, where)
    attachments = parse_attachments(msg, where) + ((geo,) if geo else ())
    return env.event(
        kind=kind,
        thread=dm_thread(peer_id),
        author=Author(id=str(author_id)),
        external_id=message_external_id(peer_id, cmid),
        platform_ts=req_date(msg, "date", where),
        direction=direction,
        text=opt_str(msg, "text", where) or "",
        attachments=attachments,
        reply_to_external_id=reply_to,
        payload=button_payload(opt_str(msg, "payload", where)),
    )


def message_new(env: Envelope) -> InboundEvent:
    """API >= 5.103 wraps the message as ``object.message`` next to ``client_info``."""
    msg = req_map(env.obj, "message", "object")
    return _from_message(env, msg, "object.message", EventKind.MESSAGE, Direction.IN)


def message_reply(env: Envelope) -> InboundEvent:
    return _from_message(env, env.obj, "object", EventKind.MESSAGE, Direction.OUT)


def message_edit(env: Envelope) -> InboundEvent:
    out = req_int(env.obj, "out", "object")
    direction = Direction.OUT if out == 1 else Direction.IN
    return _from_message(env, env.obj, "object", EventKind.EDIT, direction)


def _permission(env: Envelope, kind: EventKind, method: str) -> InboundEvent:
    """VK sends no date with these, so the intake's ``_received_at`` stands in for it.

    ``message_allow`` may carry the ``key`` the subscribe widget passed: the payload keeps it,
    and the subscription signal (``method`` in the ledger) takes it as its source.
    """
    user_id = req_int(env.obj, "user_id", "object")
    key = opt_str(env.obj, "key", "object") or None
    signal = SubscriptionSignal(opt_in=kind is EventKind.OPT_IN, method=method, source=key)
    return env.event(
        kind=kind,
        thread=dm_thread(user_id),
        author=Author(id=str(user_id)),
        external_id=f"{env.event_type}:{env.event_id}",
        platform_ts=env.received_at,
        payload=key,
        subscription=signal,
    )


def message_allow(env: Envelope) -> InboundEvent:
    return _permission(env, EventKind.OPT_IN, "vk_message_allow")


def message_deny(env: Envelope) -> InboundEvent:
    return _permission(env, EventKind.OPT_OUT, "vk_message_deny")


MESSAGE_HANDLERS: dict[str, Callable[[Envelope], InboundEvent]] = {
    "message_new": message_new,
    "message_reply": message_reply,
    "message_edit": message_edit,
    "message_allow": message_allow,
    "message_deny": message_deny,
}
