"""Fake platform servers (Telegram Bot API, VK API, Graph API, a file CDN) for tests, the
benches and the demo.

Each is a real HTTP server on 127.0.0.1 that the real clients (aiogram, vkbottle, httpx)
reach through the configured API base; see :mod:`fakes.base` for scripting.
"""

from fakes.base import Call, FakeServer, Reply
from fakes.cdn import FakeCdn
from fakes.graph import FakeGraph, graph_error
from fakes.telegram import BotApiCall, FakeTelegram, bot_error
from fakes.vk import FakeVk, vk_error

__all__ = [
    "BotApiCall",
    "Call",
    "FakeCdn",
    "FakeGraph",
    "FakeServer",
    "FakeTelegram",
    "FakeVk",
    "Reply",
    "bot_error",
    "graph_error",
    "vk_error",
]
