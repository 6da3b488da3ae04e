"""Pieces every Telegram handler shares: the envelope, parsing, authors, DM threads.

The envelope (``update_id`` plus exactly one update field) is read from the raw mapping, so an
update type aiogram has never heard of still reports its own name. The body is then parsed
with aiogram's models, and each way that can fail becomes :class:`AnomalousPayload`: callers
see only the two exceptions the :class:`~inbox.channels.ChannelAdapter` port allows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiogram.types import Update, User
from pydantic import ValidationError

from bots.event_source import EventSource
from inbox.events import (
    AnomalousPayload,
    Author,
    EventKind,
    InboundEvent,
    SubscriptionSignal,
    Thread,
    ThreadKind,
)

from .subscriptions import command_signal

T = TypeVar("T")


def update_id(payload: object) -> int:
    """The bot-wide sequence number Telegram dedups on; must be a real integer."""
    if not isinstance(payload, Mapping):
        raise AnomalousPayload(f"update is a {type(payload).__name__}, not an object")
    value = payload.get("update_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnomalousPayload(f"update_id must be an integer, not {type(value).__name__}")
    return value


def update_field(payload: Mapping[str, Any]) -> str:
    """The update's one populated field, which is its event type ("At most one ... present")."""
    update_id(payload)
    fields = [key for key, value in payload.items() if key != "update_id" and value is not None]
    if len(fields) != 1 or not isinstance(fields[0], str):
        raise AnomalousPayload(f"an update carries exactly one event field, found {len(fields)}")
    return fields[0]


def parse_update(payload: Mapping[str, Any]) -> Update:
    """Validate the whole update against the Bot API schema as aiogram knows it."""
    try:
        return Update.model_validate(dict(payload))
    except ValidationError as exc:
        # Name the fields only: input values are customer data and end up in logs.
        errors = exc.errors(include_input=False, include_url=False)
        where = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in errors[:3])
        raise AnomalousPayload(f"invalid update ({len(errors)} errors): {where}") from exc
    except (TypeError, ValueError) as exc:
        raise AnomalousPayload(f"invalid update: {type(exc).__name__}") from exc


def require(value: T | None, what: str) -> T:
    if value is None:
        raise AnomalousPayload(f"{what} is missing")
    return value


def to_utc(value: datetime | int | None, what: str) -> datetime:
    """Telegram times are Unix seconds; aiogram turns some into datetimes, some not."""
    if value is None:
        raise AnomalousPayload(f"{what} is missing")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise AnomalousPayload(f"{what} has no time zone")
        return value.astimezone(UTC)
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise AnomalousPayload(f"{what} is out of range") from exc


def make_author(user: User) -> Author:
    name = f"{user.first_name} {user.last_name or ''}".strip()
    return Author(
        id=str(user.id),
        display_name=name or user.username or str(user.id),
        username=user.username,
        language=user.language_code,
        is_bot=user.is_bot,
    )


def message_key(chat_id: int, message_id: int) -> str:
    """A message's identity: message_id is only unique inside its chat."""
    return f"{chat_id}:{message_id}"


def dm_thread(chat_id: int) -> Thread:
    return Thread(kind=ThreadKind.DIRECT, key=f"dm:{chat_id}", peer_id=str(chat_id))


@dataclass(frozen=True, slots=True)
class EventContext(EventSource):
    """What every event of one update shares, so handlers only say what differs."""

    def implied_subscription(self, kind: EventKind, text: str) -> SubscriptionSignal | None:
        """A message or button press whose text is a subscription command (``/start``...)
        carries that command's signal."""
        if kind in (EventKind.MESSAGE, EventKind.POSTBACK):
            return command_signal(text)
        return None


Handler = Callable[[Update, EventContext], list[InboundEvent]]
