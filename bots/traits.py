"""Every platform's declared traits, loaded without the platforms' client libraries.

Admin commands (``omnibox account add``, ``omnibox campaign send``) run without a runtime and
must not pay aiogram's and vkbottle's import time, yet they need the platforms' traits (an
account's webhook URL, a campaign audience's messaging window) just as the service does.
"""

from __future__ import annotations

from bots.facebook.traits import FACEBOOK_TRAITS, INSTAGRAM_TRAITS
from bots.telegram.traits import TRAITS as TELEGRAM_TRAITS
from bots.vk.traits import TRAITS as VK_TRAITS
from inbox import platforms
from inbox.platforms import PlatformTraits

ALL_TRAITS: tuple[PlatformTraits, ...] = (
    TELEGRAM_TRAITS,
    VK_TRAITS,
    FACEBOOK_TRAITS,
    INSTAGRAM_TRAITS,
)


def register_all() -> None:
    """Make every built-in platform known to ``inbox`` (idempotent)."""
    platforms.register(*ALL_TRAITS)
