"""VK Callback API payload -> ``InboundEvent``: a pure dispatch on the envelope's ``type``.

``confirmation`` is deliberately absent: the HTTP layer answers it with the confirmation code
and never queues it, so reaching the normaliser it is just another unsupported type.

Events without a ``date`` (``message_allow``/``message_deny`` and ``*_delete``) take their
``platform_ts`` from ``_received_at``, the unix seconds our intake adds to every VK payload
before queueing; without it they fall back to the epoch, since a pure function cannot read
the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from bots.vk.envelope import Envelope, as_mapping, event_type_of
from bots.vk.normalise_comments import COMMENT_HANDLERS
from bots.vk.normalise_messages import MESSAGE_HANDLERS
from inbox.events import InboundEvent, UnsupportedEvent

Handler = Callable[[Envelope], InboundEvent]

HANDLERS: Mapping[str, Handler] = MappingProxyType({**MESSAGE_HANDLERS, **COMMENT_HANDLERS})
"""VK ``type`` -> handler; its keys are the adapter's ``event_types``."""


def normalise(payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
    """One Callback API delivery to its single event.

    Raises ``UnsupportedEvent`` for types outside :data:`HANDLERS` and ``AnomalousPayload``
    when a handled type lacks what it must carry; nothing else.
    """
    payload = as_mapping(payload)
    event_type = event_type_of(payload)
    handler = HANDLERS.get(event_type)
    if handler is None:
        raise UnsupportedEvent(event_type)
    return [handler(Envelope.parse(payload, account_external_id))]
