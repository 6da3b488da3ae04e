"""The loop every Meta adapter shares: entries → items → dispatch table → events.

An entry carries ``messaging`` items (Messenger / IG DMs) and/or ``changes`` (Graph field
changes such as ``feed`` or ``comments``). Each item gets Meta's own field name as its event
name and goes to the handler registered under that name. One unsupported item in a batch
must not hide the others, so ``UnsupportedEvent`` is raised only when nothing was supported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bots.event_source import EventSource
from bots.facebook.entries import payload_object, split_entries
from bots.facebook.fields import objects, string
from inbox.events import AnomalousPayload, Channel, InboundEvent, UnsupportedEvent

_ITEM_LISTS = ("messaging", "changes")


@dataclass(frozen=True, slots=True)
class ItemContext(EventSource):
    """What a handler knows besides the item itself. ``raw`` is a one-item Meta envelope:
    normalising it again yields this item's events."""

    entry: Mapping[str, Any]
    where: str  # path of the item, for AnomalousPayload messages


Handler = Callable[[ItemContext, Mapping[str, Any]], list[InboundEvent]]
Classifier = Callable[[Mapping[str, Any], str], str]


@dataclass(frozen=True, slots=True)
class DispatchSpec:
    object_name: str
    channel: Channel
    classify_messaging: Classifier  # a messaging item's event name depends on its content
    messaging: Mapping[str, Handler]
    changes: Mapping[str, Handler]

    def table(self, list_key: str) -> Mapping[str, Handler]:
        """The handlers for one entry list; lists we do not read have none."""
        if list_key == "messaging":
            return self.messaging
        return self.changes if list_key == "changes" else {}

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self.messaging) | frozenset(self.changes)


def normalise_payload(
    spec: DispatchSpec, payload: Mapping[str, Any], account_external_id: str
) -> list[InboundEvent]:
    object_name = payload_object(payload)
    if object_name != spec.object_name:
        raise UnsupportedEvent(object_name)
    events: list[InboundEvent] = []
    supported = False
    unsupported: list[str] = []
    for index, (_, entry) in enumerate(split_entries(payload)):
        for name, list_key, item, where in _items(spec, entry, f"entry[{index}]"):
            handler = spec.table(list_key).get(name)
            if handler is None:
                unsupported.append(name)
                continue
            supported = True
            raw = {"object": object_name, "entry": [_entry_context(entry) | {list_key: [item]}]}
            context = ItemContext(spec.channel, account_external_id, name, raw, entry, where)
            events.extend(handler(context, item))
    if unsupported and not supported:
        raise UnsupportedEvent(unsupported[0])
    return events


def _items(
    spec: DispatchSpec, entry: Mapping[str, Any], where: str
) -> Iterator[tuple[str, str, Mapping[str, Any], str]]:
    """``(event name, list key, item, path)`` for every item of one entry."""
    found = False
    for index, item in enumerate(objects(entry, "messaging", where)):
        found = True
        item_where = f"{where}.messaging[{index}]"
        yield spec.classify_messaging(item, item_where), "messaging", item, item_where
    for index, change in enumerate(objects(entry, "changes", where)):
        found = True
        item_where = f"{where}.changes[{index}]"
        yield string(change, "field", item_where), "changes", change, item_where
    # Other lists (e.g. ``standby`` for a secondary handover receiver) are events we skip.
    for key, value in entry.items():
        if key not in _ITEM_LISTS and isinstance(value, list):
            found = True
            yield key, key, {}, f"{where}.{key}"
    if not found:
        raise AnomalousPayload(f"{where}: entry carries neither messaging nor changes")


def _entry_context(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not isinstance(v, list)}
