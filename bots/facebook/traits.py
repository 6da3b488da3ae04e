"""What ``inbox`` may know of Facebook Pages and Instagram accounts
(:class:`~inbox.platforms.PlatformTraits`).

Both take ``OMNIBOX_META_REQUESTS_PER_SECOND`` calls per account (with a burst of 20), have no
idempotency key for sends, share one webhook (``/webhooks/facebook``), and let an account
message a person only within 24 hours of that person's last message: 7 days with the
``HUMAN_AGENT`` tag, for accounts with ``allow_human_agent`` (the app needs Meta's Human Agent
permission).
"""

from __future__ import annotations

from datetime import timedelta

from bots.channel_names import Channel
from inbox.platforms import MessagingWindow, PlatformTraits, SendPace
from inbox.settings import Settings

WINDOW = MessagingWindow(
    owner="Meta",
    open_for=timedelta(hours=24),
    audience_note=(
        "Facebook and Instagram allow a Page to message a person only within 24 hours of that "
        "person's last message, so only subscribers who wrote in the last 24 hours are included."
    ),
    tag="HUMAN_AGENT",
    tagged_for=timedelta(days=7),
    tag_option="allow_human_agent",
)


def _per_account(settings: Settings) -> float:
    return settings.meta_requests_per_second


_PACE = SendPace(bucket="meta", rate=_per_account, burst=20)

FACEBOOK_TRAITS = PlatformTraits(
    channel=Channel.FACEBOOK, pace=_PACE, webhook_path="/webhooks/facebook", window=WINDOW
)
INSTAGRAM_TRAITS = PlatformTraits(
    channel=Channel.INSTAGRAM, pace=_PACE, webhook_path="/webhooks/facebook", window=WINDOW
)
