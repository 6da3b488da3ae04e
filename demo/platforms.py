"""The local fake platforms demo accounts talk to, and the real senders aimed at them.

The fakes are :mod:`fakes`, with one change: the ids they hand out start from
the clock (milliseconds) instead of a fixed number. The outbox stores each delivered
message under the id the platform answered and treats another message with that id as the
platform's echo of it (it deletes the copy), so ids from one run must never repeat those of
an earlier run (``omnibox demo``, then every ``omnibox serve``) or the scenario's own.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import defaultdict

from bots.registry import build_senders
from fakes import FakeGraph, FakeTelegram, FakeVk
from inbox.outbound import ChannelSender

log = logging.getLogger("omnibox.demo")


def _clock_origin() -> int:
    return int(time.time() * 1000)


class DemoTelegram(FakeTelegram):
    def __init__(self) -> None:
        super().__init__()
        origin = _clock_origin()
        self._next_id = defaultdict(lambda: origin)


class DemoVk(FakeVk):
    def __init__(self) -> None:
        super().__init__()
        origin = _clock_origin()
        self._message_ids = itertools.count(origin)
        self._comment_ids = itertools.count(origin)
        self._cmids = defaultdict(lambda: itertools.count(origin))


class DemoGraph(FakeGraph):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(_clock_origin())


class DemoPlatforms:
    """Fake Telegram, VK and Graph servers on 127.0.0.1 plus one sender per channel."""

    def __init__(self, graph_api_version: str) -> None:
        self.telegram = DemoTelegram()
        self.vk = DemoVk()
        self.graph = DemoGraph()
        self._graph_version = graph_api_version
        self.senders: dict[str, ChannelSender] = {}

    async def start(self) -> None:
        for fake in (self.telegram, self.vk, self.graph):
            await fake.start()
        self.senders = build_senders(
            self.telegram.base_url, self.vk.base_url, self.graph.base_url, self._graph_version
        )
        log.info(
            "demo accounts found: their replies go to local fake platforms on %s (Telegram), "
            "%s (VK), %s (Facebook, Instagram); other accounts to the real platforms",
            self.telegram.base_url,
            self.vk.base_url,
            self.graph.base_url,
        )

    def delivered(self) -> dict[str, int]:
        """Successful calls per channel, as the platforms saw them."""
        meta = [c for c in self.graph.calls if c.status == 200]
        instagram = sum(1 for c in meta if c.token.startswith("demo-ig"))
        return {
            "telegram": sum(1 for c in self.telegram.calls if c.status == 200),
            "vk": sum(1 for c in self.vk.calls if c.status == 200),
            "facebook": len(meta) - instagram,
            "instagram": instagram,
        }

    async def stop(self) -> None:
        for sender in self.senders.values():
            await sender.close()
        self.senders = {}
        for fake in (self.telegram, self.vk, self.graph):
            await fake.stop()
