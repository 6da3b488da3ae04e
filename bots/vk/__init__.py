"""VK (VKontakte) Callback API: pure normalisation of community events, secret check."""

from bots.vk.adapter import VkAdapter
from bots.vk.normalise import HANDLERS, normalise
from bots.vk.verify import verify_secret

__all__ = ["HANDLERS", "VkAdapter", "normalise", "verify_secret"]
