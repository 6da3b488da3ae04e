"""What ``inbox`` may know of Telegram (:class:`~inbox.platforms.PlatformTraits`).

The Bot API takes about one message a second in a chat (20 a minute in a group) and
``OMNIBOX_TELEGRAM_MESSAGES_PER_SECOND`` per bot, counted in a sliding second. A send has no
idempotency key, so one cut off by a crash is not made again; Telegram sets no messaging window.
"""

from __future__ import annotations

from bots.channel_names import Channel
from inbox.platforms import JITTER_MARGIN, ChatPace, PlatformTraits, SendPace
from inbox.settings import Settings


def _per_bot(settings: Settings) -> float:
    return settings.telegram_messages_per_second


TRAITS = PlatformTraits(
    channel=Channel.TELEGRAM,
    pace=SendPace(
        bucket="tg",
        rate=_per_bot,
        margin=JITTER_MARGIN,
        chat=ChatPace(per_second=1.0, group_per_second=20 / 60, burst=3),
    ),
    webhook_path="/webhooks/telegram/{account_id}",
)
