"""How fast and how often the outbox calls each platform, and which calls are safe to repeat."""

from __future__ import annotations

from dataclasses import dataclass

from inbox.events import Channel, ThreadKind
from inbox.outbound import OutboundAction
from inbox.outbox.ratelimit import Limit
from inbox.outbox.store import Claimed

# Calls leave here at their slots, but the platform counts them as they arrive, a few
# milliseconds of network jitter later: exactly at the cap, two calls squeezed together put
# 21 into some second of a 20-a-second window. Running the account-wide buckets 2 % under the
# configured rate leaves 20 ms of jitter room per second.
WINDOW_MARGIN = 0.98


@dataclass(frozen=True, slots=True)
class SendPolicy:
    max_attempts: int = 8
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0
    lease_seconds: float = 60.0
    telegram_per_second: float = 25.0
    vk_per_second: float = 15.0
    meta_per_second: float = 250.0

    def backoff(self, attempts: int) -> float:
        return float(min(self.retry_max_seconds, self.retry_base_seconds * 2 ** (attempts - 1)))

    def limits(self, channel: str, account_id: int, item: Claimed) -> tuple[Limit, ...]:
        chat = str(item.request.get("peer_id", ""))
        if channel == Channel.TELEGRAM:
            if item.request.get("private"):
                chat = str(item.request.get("recipient_id", chat))
            group = item.request.get("thread_kind") == ThreadKind.COMMENT and not item.request.get(
                "private"
            )
            per_chat = Limit(f"tg:{account_id}:{chat}", 20 / 60 if group else 1.0, burst=3)
            # Bot-wide and community-wide buckets take no burst: the platforms count calls in
            # a sliding second, and a burst on top of the rate overflows it (429, VK error 6).
            bot = Limit(f"tg:{account_id}", self.telegram_per_second * WINDOW_MARGIN, burst=1)
            return per_chat, bot
        if channel == Channel.VK:
            return (Limit(f"vk:{account_id}", self.vk_per_second * WINDOW_MARGIN, burst=1),)
        return (Limit(f"meta:{account_id}", self.meta_per_second, burst=20),)


def safe_to_resend(channel: str, action: str) -> bool:
    """After a crash mid-call: VK dedups on random_id / guid, moderation is idempotent, and a
    webhook receiver can drop a repeat by its delivery id. A Telegram or Meta message has no
    such key: sent twice, it arrives twice."""
    return channel == Channel.VK or action != OutboundAction.SEND
