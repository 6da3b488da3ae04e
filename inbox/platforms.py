"""What ``inbox`` may know of a platform, declared by the platform itself.

Each platform package (``bots/<name>``) declares one :class:`PlatformTraits` and exposes it as
its adapter's ``traits``; the composition root registers them here at start-up. ``inbox`` then
asks :func:`traits_of` for a channel's traits instead of knowing any platform by name: how fast
and in which rate-limit buckets it is sent to, whether a repeated send is harmless, how many
recipients one call carries, and how long after a person's last message it may be written to.
A registry rather than an argument, because the messaging window is needed deep inside domain
code (a campaign's audience, the CSAT survey) that has no runtime at hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol

from inbox.channels import Refused
from inbox.events import ThreadKind
from inbox.ratelimit import Limit
from inbox.settings import Settings

# Calls leave at their slots, but a platform counts them as they arrive, a few milliseconds of
# network jitter later: exactly at the cap, two calls squeezed together put 21 into some second
# of a 20-a-second window. A platform that counts in a sliding second runs its account-wide
# bucket this much under the configured rate (20 ms of jitter room per second).
JITTER_MARGIN = 0.98


def _span(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    if hours > 24 and hours % 24 == 0:
        return f"{hours / 24:g} days"
    return f"{hours:g} hours"


@dataclass(frozen=True, slots=True)
class MessagingWindow:
    """How long after a person's last message an account may write to them.

    Past ``open_for`` a reply may still go with ``tag`` up to ``tagged_for``, on accounts whose
    ``tag_option`` is set (Meta: 24 hours, then 7 days with ``HUMAN_AGENT``). The outbox refuses
    a reply outside the window before any call; a campaign's audience and the CSAT survey keep
    inside ``open_for``.
    """

    owner: str  # who sets the rule, as refusals name it
    open_for: timedelta
    audience_note: str  # why a campaign's audience is only the people who wrote recently
    tag: str | None = None
    tagged_for: timedelta | None = None
    tag_option: str | None = None  # the account option that allows the tag

    def reply_tag(
        self, last_inbound: datetime | None, options: Mapping[str, Any], now: datetime
    ) -> str | None:
        """None inside the window, the tag past it where the account may use it; raises
        :class:`~inbox.channels.Refused` otherwise (``last_inbound`` None: never wrote)."""
        age = None if last_inbound is None else now - last_inbound
        if age is not None and age <= self.open_for:
            return None
        if (
            age is not None
            and self.tag is not None
            and self.tagged_for is not None
            and self.tag_option is not None
            and age <= self.tagged_for
            and options.get(self.tag_option)
        ):
            return self.tag
        when = "never" if last_inbound is None else f"at {last_inbound:%Y-%m-%d %H:%M} UTC"
        hours = f"{self.open_for.total_seconds() / 3600:g}"
        reason = (
            f"outside {self.owner}'s {hours}-hour window: the customer last wrote {when}; "
            f"{self.owner} allows replies only within {_span(self.open_for)}"
        )
        if self.tag is not None and self.tagged_for is not None:
            label = self.tag.lower().replace("_", "-")
            reason += f" ({_span(self.tagged_for)} with the {label} tag, if enabled)"
        raise Refused(reason)


@dataclass(frozen=True, slots=True)
class ChatPace:
    """A bucket of one chat's own, besides the account's: where a call lands (the peer, or the
    commenter's private chat for a private reply), at ``group_per_second`` for a public reply
    in a group."""

    per_second: float
    group_per_second: float
    burst: int = 1


class CallTarget(Protocol):
    """Where one call lands, as far as its buckets care (an outbox row's request)."""

    @property
    def thread_kind(self) -> ThreadKind: ...
    @property
    def peer_id(self) -> str: ...
    @property
    def recipient_id(self) -> str | None: ...
    @property
    def private(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class SendPace:
    """The rate-limit buckets a platform's calls draw from.

    ``rate`` says which setting is the account-wide pace (the number stays configuration);
    ``bucket`` prefixes the buckets' keys. Account-wide buckets that the platform counts in a
    sliding second take no burst and a :data:`JITTER_MARGIN`: a burst on top of the rate
    overflows that second.
    """

    bucket: str
    rate: Callable[[Settings], float]
    burst: int = 1
    margin: float = 1.0
    chat: ChatPace | None = None

    def limits(self, account_id: int, request: CallTarget, per_second: float) -> tuple[Limit, ...]:
        """The buckets of one call, the chat's before the account's (``per_second``: the
        configured rate)."""
        account = Limit(f"{self.bucket}:{account_id}", per_second * self.margin, self.burst)
        if self.chat is None:
            return (account,)
        chat = request.peer_id
        if request.private and request.recipient_id is not None:
            chat = request.recipient_id
        group = request.thread_kind is ThreadKind.COMMENT and not request.private
        rate = self.chat.group_per_second if group else self.chat.per_second
        return Limit(f"{self.bucket}:{account_id}:{chat}", rate, self.chat.burst), account


@dataclass(frozen=True, slots=True)
class PlatformTraits:
    """One platform, as far as ``inbox`` needs to know it."""

    channel: str
    pace: SendPace
    webhook_path: str  # where its webhooks arrive; ``{account_id}`` is filled in
    max_batch: int = 1  # recipients one call carries when the text is the same (1: no batches)
    idempotent_sends: bool = False  # the platform drops a repeated send (a resend is harmless)
    window: MessagingWindow | None = None
    needs_received_at: bool = False  # some events carry no time: the worker adds receipt time
    moderation_option: str | None = None  # the account option moderating comments needs

    def webhook_url(self, public_url: str | None, account_id: int) -> str:
        return (public_url or "").rstrip("/") + self.webhook_path.format(account_id=account_id)

    def recipients_per_second(self, per_second: float, personalised: bool) -> float:
        """A newsletter's pace at ``per_second`` calls: one recipient a call when each text is
        different, ``max_batch`` when they are all the same."""
        return per_second * (1 if personalised else self.max_batch)


class UnknownPlatform(LookupError):
    """No platform of this name was registered (the composition root registers them)."""


_registered: dict[str, PlatformTraits] = {}


def register(*traits: PlatformTraits) -> None:
    """Make these platforms known; registering a channel again replaces its traits."""
    for item in traits:
        _registered[item.channel] = item


def unregister(*channels: str) -> None:
    for channel in channels:
        _registered.pop(channel, None)


def find(channel: str) -> PlatformTraits | None:
    return _registered.get(channel)


def traits_of(channel: str) -> PlatformTraits:
    found = _registered.get(channel)
    if found is None:
        raise UnknownPlatform(f"no platform {channel!r} is registered")
    return found


def registered() -> Mapping[str, PlatformTraits]:
    return MappingProxyType(_registered)


def configured_rates(settings: Settings) -> dict[str, float]:
    """Each registered platform's account-wide calls a second, as configured."""
    return {channel: t.pace.rate(settings) for channel, t in _registered.items()}


def windowed_channels() -> frozenset[str]:
    """The channels whose accounts may write only within a window of the person's message."""
    return frozenset(c for c, t in _registered.items() if t.window is not None)
