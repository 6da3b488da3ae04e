"""The port every platform implements, declared here so ``inbox`` never imports ``bots``.

``api`` hands the concrete adapters (``bots.ADAPTERS``) to the pipeline at start-up.
Inbound work is pure: ``intake_key`` picks the platform's own dedup id out of a parsed
payload at the webhook, ``normalise`` turns it into :class:`~inbox.events.InboundEvent` values
in the worker. Both must raise only ``UnsupportedEvent`` or ``AnomalousPayload`` on odd input.
Everything else ``inbox`` needs of a platform is declared in its ``traits``
(:class:`~inbox.platforms.PlatformTraits`), never probed or written into ``inbox``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from inbox.events import Channel, InboundEvent

if TYPE_CHECKING:
    from inbox.platforms import PlatformTraits


class ChannelAdapter(Protocol):
    @property
    def channel(self) -> Channel: ...

    @property
    def traits(self) -> PlatformTraits:
        """What inbox may know of the platform: sending pace, window, batches, resends."""
        ...

    @property
    def event_types(self) -> frozenset[str]:
        """The platform event names this adapter normalises (its dispatch table's keys)."""
        ...

    def intake_key(self, payload: Mapping[str, Any]) -> str:
        """The platform's own id of this delivery, used to drop redeliveries at the door."""
        ...

    def normalise(self, payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
        """Pure: one payload (or one Meta entry) to zero or more events."""
        ...


class ChannelError(Exception):
    """A platform call failed; the tree below says whether to retry.

    ChannelError
    ├── RateLimited(retry_after)   wait, then retry the same call
    ├── TransientError             back off and retry
    ├── Refused(reason)            permanent for this item only: never retry, mark it failed
    └── RecipientGone(reason)      permanent: never retry, mark the contact unreachable
    """


class RateLimited(ChannelError):
    def __init__(self, retry_after: float, reason: str = "") -> None:
        super().__init__(reason or f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class TransientError(ChannelError):
    pass


class Refused(ChannelError):
    """The platform (or a rule we know it enforces) will not take this item: bad request,
    outside the messaging window, a moderation call this account has no right to make."""


class RecipientGone(ChannelError):
    """The person cannot be reached on this account (blocked the bot, VK 901, ...)."""
