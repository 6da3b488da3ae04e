"""The built-in platforms' names, as their adapters declare them and accounts store them.

``inbox`` takes a channel as a plain string (``inbox.events.Channel``): it knows a platform
only by what the platform registers (``inbox.platforms``), so a new platform adds its name
here and nowhere in ``inbox``.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    TELEGRAM = "telegram"
    VK = "vk"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
