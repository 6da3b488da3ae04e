"""Parrot: a platform that exists only in these tests, to show that ``inbox`` knows none by name.

It declares traits unlike any built-in platform's (a 2-hour window with its own tag, three
recipients per call, idempotent sends, a chat bucket, events without a time of their own) and
its own opt-in and opt-out (``!perch``, ``fly_away``). Nothing in ``inbox`` names it: it is
registered here the way the composition root registers the real ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from inbox.accounts.schemas import AccountForm, StoredAccount
from inbox.channels import ChannelError
from inbox.events import (
    Author,
    EventKind,
    InboundEvent,
    SubscriptionSignal,
    Thread,
    ThreadKind,
    UnsupportedEvent,
)
from inbox.outbound import Delivered, Outbound
from inbox.platforms import ChatPace, MessagingWindow, PlatformTraits, SendPace
from inbox.settings import Settings

NAME = "parrot"
CALLS_PER_SECOND = 40.0


def _rate(settings: Settings) -> float:
    return CALLS_PER_SECOND


WINDOW = MessagingWindow(
    owner="Parrot",
    open_for=timedelta(hours=2),
    audience_note="Parrot lets an account write only to birds that spoke in the last 2 hours.",
    tag="LATE_REPLY",
    tagged_for=timedelta(hours=6),
    tag_option="allow_late_replies",
)
TRAITS = PlatformTraits(
    channel=NAME,
    pace=SendPace(
        bucket="parrot",
        rate=_rate,
        burst=2,
        chat=ChatPace(per_second=50.0, group_per_second=5.0, burst=5),
    ),
    webhook_path="/webhooks/parrot/{account_id}",
    max_batch=3,
    idempotent_sends=True,
    window=WINDOW,
    needs_received_at=True,
    moderation_option="parrot_keeper_token",
)


class ParrotAdapter:
    """``{"id", "type": "squawk" | "fly_away", "from", "name", "text"}``; no time of its own."""

    channel = NAME
    traits = TRAITS
    event_types = frozenset({"squawk", "fly_away"})

    def intake_key(self, payload: Mapping[str, Any]) -> str:
        return str(payload["id"])

    def normalise(self, payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
        kind = str(payload.get("type"))
        bird = str(payload["from"])
        common: dict[str, Any] = {
            "channel": NAME,
            "account_external_id": account_external_id,
            "event_type": kind,
            "thread": Thread(kind=ThreadKind.DIRECT, key=f"dm:{bird}", peer_id=bird),
            "author": Author(id=bird, display_name=str(payload.get("name", ""))),
            "external_id": str(payload["id"]),
            "platform_ts": datetime.fromtimestamp(float(payload["_received_at"]), UTC),
        }
        if kind == "squawk":
            text = str(payload.get("text", ""))
            head, _, rest = text.partition(" ")
            signal = None
            if head == "!perch":
                signal = SubscriptionSignal(opt_in=True, method="parrot_perch", source=rest or None)
            return [InboundEvent(kind=EventKind.MESSAGE, text=text, subscription=signal, **common)]
        if kind == "fly_away":
            gone = SubscriptionSignal(opt_in=False, method="parrot_flew_away")
            return [InboundEvent(kind=EventKind.OPT_OUT, subscription=gone, **common)]
        raise UnsupportedEvent(kind)


class ParrotSender:
    """Answers every call at once and remembers it."""

    channel = NAME

    def __init__(self) -> None:
        self.calls: list[Outbound] = []
        self.batches: list[list[Outbound]] = []

    async def deliver(self, item: Outbound) -> Delivered:
        self.calls.append(item)
        return Delivered(f"parrot:{item.outbox_id}")

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        self.batches.append(list(items))
        return [Delivered(f"parrot:{item.outbox_id}") for item in items]

    async def close(self) -> None:
        return None


class ParrotAccountIn(AccountForm):
    """A perch: its own id and a ring colour kept in the account's options."""

    channel: Literal["parrot"]
    perch: Annotated[str, StringConstraints(pattern=r"^perch-\d+$")]
    ring: str = "green"

    def stored(self) -> StoredAccount:
        return StoredAccount(self.perch, self.token, options={"ring": self.ring})
