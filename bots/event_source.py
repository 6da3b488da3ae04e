"""What every event normalised from one delivery shares, for every platform.

A delivery (a Telegram update, a VK Callback event, one item of a Meta entry) yields events
that all carry its channel, its account, its event name and its raw payload. Handlers build
events through :meth:`EventSource.event` and say only what differs; each platform's context
extends this with what its own handlers read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from inbox import events


class EventFields(TypedDict, total=False):
    """What a handler says of one event; what it leaves out takes the event's default."""

    kind: Required[events.EventKind]
    thread: Required[events.Thread]
    author: Required[events.Author]
    external_id: Required[str]
    platform_ts: Required[datetime]
    direction: events.Direction
    text: str
    attachments: tuple[events.Attachment, ...]
    reply_to_external_id: str | None
    payload: str | None
    subscription: events.SubscriptionSignal | None


@dataclass(frozen=True, slots=True)
class EventSource:
    channel: events.Channel
    account_external_id: str
    event_type: str  # the platform's own name of the delivery, e.g. "edited_message"
    raw: dict[str, Any] = field(repr=False)  # stored with each event: customer data

    def event(self, **fields: Unpack[EventFields]) -> events.InboundEvent:
        """One event of the delivery; without a ``subscription`` of its own it carries what
        :meth:`implied_subscription` finds in it."""
        if fields.get("subscription") is None:
            implied = self.implied_subscription(fields["kind"], fields.get("text", ""))
            fields["subscription"] = implied
        return events.InboundEvent(
            channel=self.channel,
            account_external_id=self.account_external_id,
            event_type=self.event_type,
            raw=self.raw,
            **fields,
        )

    def implied_subscription(
        self, kind: events.EventKind, text: str
    ) -> events.SubscriptionSignal | None:
        """A subscription signal the event's text itself is (a platform's own command); none
        unless a platform says otherwise."""
        return None
