"""The Callback API envelope shared by every VK event, checked once before dispatch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bots.channel_names import Channel
from bots.event_source import EventSource
from bots.vk._fields import EPOCH, opt_number, req_map, req_str, utc
from inbox.events import AnomalousPayload

RECEIVED_AT_KEY = "_received_at"
"""Unix seconds stamped on each payload by our intake before queueing (not a VK field)."""


def as_mapping(payload: object) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise AnomalousPayload(f"VK payload must be a JSON object, got {type(payload).__name__}")
    return payload


def event_type_of(payload: Mapping[str, Any]) -> str:
    return req_str(payload, "type", "payload")


def event_id_of(payload: Mapping[str, Any]) -> str:
    """VK's ``event_id``: "If it passed twice or more - you should ignore it"."""
    return req_str(payload, "event_id", "payload")


@dataclass(frozen=True, slots=True)
class Envelope(EventSource):
    """One delivery, split into what handlers read (``obj``) and what they copy through."""

    event_id: str
    obj: Mapping[str, Any]
    received_at: datetime

    @classmethod
    def parse(cls, payload: Mapping[str, Any], account_external_id: str) -> Envelope:
        received = opt_number(payload, RECEIVED_AT_KEY, "payload")
        return cls(
            channel=Channel.VK,
            event_type=event_type_of(payload),
            event_id=event_id_of(payload),
            account_external_id=account_external_id,
            obj=req_map(payload, "object", "payload"),
            received_at=EPOCH if received is None else utc(received, RECEIVED_AT_KEY),
            raw=dict(payload),
        )
