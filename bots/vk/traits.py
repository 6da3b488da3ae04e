"""What ``inbox`` may know of VK (:class:`~inbox.platforms.PlatformTraits`).

A community token takes ``OMNIBOX_VK_REQUESTS_PER_SECOND`` calls, counted in a sliding second;
``messages.send`` carries up to 100 ``peer_ids`` and drops a repeated ``random_id`` (comments a
repeated ``guid``), so a send cut off by a crash is simply made again. ``message_allow`` /
``message_deny`` and deletions carry no time: the worker stamps their receipt. Deleting a
comment needs an admin's user token (the account's ``vk_user_token``).
"""

from __future__ import annotations

from bots.channel_names import Channel
from inbox.platforms import JITTER_MARGIN, PlatformTraits, SendPace
from inbox.settings import Settings

PEER_IDS_LIMIT = 100  # messages.send takes at most 100 peer_ids
# The key of an admin's user token in the account's options (a key, not a secret).
USER_TOKEN_OPTION = "vk_user_token"  # noqa: S105


def _per_community(settings: Settings) -> float:
    return settings.vk_requests_per_second


TRAITS = PlatformTraits(
    channel=Channel.VK,
    pace=SendPace(bucket="vk", rate=_per_community, margin=JITTER_MARGIN),
    webhook_path="/webhooks/vk/{account_id}",
    max_batch=PEER_IDS_LIMIT,
    idempotent_sends=True,
    needs_received_at=True,
    moderation_option=USER_TOKEN_OPTION,
)
