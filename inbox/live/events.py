"""What the agents' screens are told: a conversation changed, or who is looking at it.

Events carry ids and a reason, never message text: a page that hears one re-reads what it
shows through the REST API, so access rules and escaping stay in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

Kind = Literal["conversation", "presence"]
Reason = Literal["message", "update", "delivery"]
KINDS: frozenset[str] = frozenset({"conversation", "presence"})


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """``kind`` names the SSE event; ``data`` is sent with ``conversation_id`` merged in."""

    kind: Kind
    conversation_id: int
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, **self.data}


def conversation_changed(conversation_id: int, reason: Reason) -> LiveEvent:
    return LiveEvent("conversation", conversation_id, {"reason": reason})


def presence_changed(conversation_id: int, viewers: list[dict[str, Any]]) -> LiveEvent:
    return LiveEvent("presence", conversation_id, {"viewers": viewers})


def encode(events: Iterable[LiveEvent]) -> bytes:
    """Events as one JSON array: what travels over the Redis channel."""
    return orjson.dumps(
        [{"kind": e.kind, "conversation_id": e.conversation_id, "data": e.data} for e in events]
    )


def decode(raw: bytes | str) -> list[LiveEvent]:
    """The inverse of :func:`encode`; anything malformed is skipped, never raised."""
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(items, list):
        return []
    out: list[LiveEvent] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind, cid, data = item.get("kind"), item.get("conversation_id"), item.get("data")
        if kind in KINDS and isinstance(cid, int) and isinstance(data, dict):
            out.append(LiveEvent(kind, cid, data))
    return out
