"""How often the outbox retries, and, from each platform's traits, how fast it calls and which
calls are safe to repeat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from inbox import platforms
from inbox.outbound import OutboundAction
from inbox.outbox.models import OutboxRequest
from inbox.platforms import PlatformTraits
from inbox.ratelimit import Limit


@dataclass(frozen=True, slots=True)
class SendPolicy:
    max_attempts: int = 8
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0
    lease_seconds: float = 60.0
    # Each platform's account-wide calls a second, by channel (platforms.configured_rates).
    rates: Mapping[str, float] = field(default_factory=dict)

    def backoff(self, attempts: int) -> float:
        return float(min(self.retry_max_seconds, self.retry_base_seconds * 2 ** (attempts - 1)))

    def limits(self, channel: str, account_id: int, request: OutboxRequest) -> tuple[Limit, ...]:
        """The buckets a call of ``channel`` draws from, as its platform declares them."""
        pace = platforms.traits_of(channel).pace
        return pace.limits(account_id, request, self.rates[channel])


def safe_to_resend(traits: PlatformTraits | None, action: str) -> bool:
    """After a crash mid-call: moderation is idempotent and a webhook receiver can drop a
    repeat by its delivery id; a message is safe only where the platform drops a repeated send
    (its traits say so, e.g. by a random_id). Anywhere else, sent twice, it arrives twice."""
    return action != OutboundAction.SEND or (traits is not None and traits.idempotent_sends)
