"""Telegram update -> inbox events: the dispatch table and its one entry point.

``HANDLERS`` is keyed by the Update field name, which is also each event's ``event_type``;
the adapter advertises its keys as the update types it supports. Handlers are pure functions
of the update, so the same delivery always yields the same events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.channel_names import Channel
from inbox.events import InboundEvent, UnsupportedEvent

from .common import EventContext, Handler, parse_update, update_field
from .normalise_actions import normalise_callback_query, normalise_my_chat_member
from .normalise_messages import ignore, normalise_edited_message, normalise_message

HANDLERS: dict[str, Handler] = {
    "message": normalise_message,
    "edited_message": normalise_edited_message,
    "callback_query": normalise_callback_query,
    "my_chat_member": normalise_my_chat_member,
    # Posts in the brand's own channel: their comments carry the post, so nothing to keep.
    "channel_post": ignore,
    "edited_channel_post": ignore,
}


def normalise_update(payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
    """Raises only UnsupportedEvent (no handler) or AnomalousPayload (broken shape)."""
    event_type = update_field(payload)
    handler = HANDLERS.get(event_type)
    if handler is None:
        raise UnsupportedEvent(event_type)
    update = parse_update(payload)
    ctx = EventContext(Channel.TELEGRAM, account_external_id, event_type, dict(payload))
    return handler(update, ctx)
