"""The outbound half of the platform port: what ``inbox`` asks a platform to do, and the answer.

``inbox`` owns the outbox (durable rows, idempotency keys, rate limits, retries, delivery
state); ``bots/<platform>`` implements :class:`ChannelSender` and makes exactly one platform
call per :meth:`ChannelSender.deliver`. Failures are raised as the errors of
:mod:`inbox.channels` so the outbox can decide, without knowing any platform, whether to
wait (``RateLimited``), back off (``TransientError``), give up on this item (``Refused``) or
give up on the person (``RecipientGone``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from inbox.channels import ChannelError
from inbox.events import Channel, ThreadKind


class OutboundAction(StrEnum):
    SEND = "send"  # a message (DM) or a public/private reply to a comment
    HIDE = "hide"  # hide a comment from the public (Facebook, Instagram)
    UNHIDE = "unhide"
    DELETE = "delete"  # delete a comment (where the platform lets a page/bot do it)
    WEBHOOK = "webhook"  # POST a signed JSON event to an admin's URL (a rule's action)


MAX_BUTTONS = 10  # VK's inline keyboard takes 10; Telegram and Meta (13) take more
BUTTON_PAYLOAD_BYTES = 64  # Telegram's callback_data: 1-64 bytes
BUTTON_ROW = 5  # buttons per row where the platform lays them out in rows (Telegram, VK)


@dataclass(frozen=True, slots=True)
class Button:
    """A button under an outbound message: ``text`` is the label, ``payload`` comes back as
    the inbound event's ``payload`` when the person presses it.

    The payload is sized for the smallest carrier (Telegram's 64-byte ``callback_data``) and
    must be printable, so that VK's JSON-wrapped copy stays well inside its 255 characters.
    Labels are cut to each platform's limit by its sender (Meta 20 characters, VK 40).
    """

    text: str
    payload: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a button needs a label: its text is empty")
        size = len(self.payload.encode())
        if size == 0:
            raise ValueError(f"the button {self.text!r} needs a payload: it is empty")
        if size > BUTTON_PAYLOAD_BYTES:
            raise ValueError(
                f"the payload of the button {self.text!r} is {size} bytes; at most "
                f"{BUTTON_PAYLOAD_BYTES} fit (Telegram's callback_data limit)"
            )
        if not self.payload.isprintable():
            raise ValueError(
                f"the payload of the button {self.text!r} has control characters; "
                "use printable text"
            )


def check_buttons(buttons: tuple[Button, ...]) -> None:
    """Raise ValueError unless ``buttons`` is a tuple of at most :data:`MAX_BUTTONS` buttons."""
    if not isinstance(buttons, tuple) or not all(isinstance(b, Button) for b in buttons):
        raise ValueError("buttons must be a tuple of Button values")
    if len(buttons) > MAX_BUTTONS:
        raise ValueError(f"{len(buttons)} buttons; a message carries at most {MAX_BUTTONS}")


def buttons_to_json(buttons: Iterable[Button]) -> list[dict[str, str]]:
    """The outbox row's ``request["buttons"]``."""
    return [{"text": b.text, "payload": b.payload} for b in buttons]


def buttons_from_json(value: Any) -> tuple[Button, ...]:
    """Read ``request["buttons"]`` back; rows written before buttons existed have none.

    Raises ValueError on a malformed list (which no writer of this module produces)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ValueError("buttons must be a list of {text, payload} objects")
    buttons = tuple(Button(str(i.get("text", "")), str(i.get("payload", ""))) for i in value)
    check_buttons(buttons)
    return buttons


def button_rows(buttons: tuple[Button, ...], width: int = BUTTON_ROW) -> list[tuple[Button, ...]]:
    """Lay buttons out left to right, ``width`` to a row."""
    return [buttons[n : n + width] for n in range(0, len(buttons), width)]


@dataclass(frozen=True, slots=True)
class AccountAuth:
    """What a sender needs of an account. ``options`` holds per-account extras, e.g.
    ``vk_user_token`` (VK moderation needs an admin's user token)."""

    id: int
    channel: str  # the platform's name, as the account row stores it
    external_id: str  # bot id / VK group id / Page id / IG account id
    token: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Any) -> AccountAuth:
        """From an accounts row (``id, channel, external_id, token, options``)."""
        return cls(
            id=row.id,
            channel=str(row.channel),
            external_id=row.external_id,
            token=row.token,
            options=row.options or {},
        )


@dataclass(frozen=True, slots=True)
class Outbound:
    """One platform call to make, built from an outbox row.

    ``peer_id`` and ``post_id`` are the conversation's (as the normaliser stored them);
    ``target_external_id`` is the message or comment answered, hidden or deleted, in the
    normaliser's own external-id format; ``recipient_id`` is the customer's platform id
    (for a private reply to a commenter). ``buttons`` go with messages only: a public reply
    to a comment cannot carry them on any platform, so senders leave them off there.
    """

    outbox_id: int  # stable across retries: VK random_id / guid derive from it
    idempotency_key: str
    account: AccountAuth
    action: OutboundAction
    thread_kind: ThreadKind
    peer_id: str
    text: str = ""
    target_external_id: str | None = None
    post_id: str | None = None
    recipient_id: str | None = None
    private: bool = False  # a comment answered in private (Meta private reply, or a DM)
    messaging_tag: str | None = None  # the window's tag, for a reply past its open part
    url: str | None = None  # WEBHOOK: where to POST ``body``, signed with ``secret``
    body: bytes | None = None
    secret: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivered:
    """The platform's answer. ``external_id`` is in the format the normaliser gives the same
    message when the platform echoes it back (VK ``message_reply``, Meta echoes and feed
    events), so the echo is recognised as this message, not stored twice."""

    external_id: str | None = None


class Deliverer(Protocol):
    async def deliver(self, item: Outbound) -> Delivered:
        """Make one call; raise ``inbox.channels`` errors on failure."""
        ...

    async def close(self) -> None: ...


class ChannelSender(Deliverer, Protocol):
    """A platform's sender (``bots/<platform>``)."""

    @property
    def channel(self) -> Channel: ...

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        """One call for ``items`` (one account, the same text and buttons, direct messages):
        one result per item, in order; ``random_id`` makes a repeat of the call harmless.
        Raises an ``inbox.channels`` error when the call as a whole failed.

        Called only with up to the platform's ``traits.max_batch`` items, so a platform
        that declares no batches (``max_batch`` 1) is never asked and may refuse."""
        ...
