"""Serve side of the demo: demo accounts' outbound goes to local fake platforms, the rest to the
real platform bases, so an agent's reply in the demo "reaches" a platform and shows as sent.

:class:`DemoOutbound` is the demo plug-in's sender override (:mod:`api.plugins`): the runtime
gets it only when the database has demo accounts. The outbox and the platform senders stay
unaware: each channel's sender is wrapped in a :class:`RoutingSender` that looks at the
account's ``options["demo"]`` per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from demo.platforms import DemoPlatforms
from inbox.channels import ChannelError
from inbox.events import Channel
from inbox.outbound import ChannelSender, Delivered, Outbound

# The account option that marks demo accounts; also the plug-in's entry point name, which is
# how the service finds the accounts a plug-in serves without knowing the demo.
MARK = "demo"


def is_demo(options: Mapping[str, object] | None) -> bool:
    return bool((options or {}).get(MARK))


class DemoOutbound:
    """The fake platforms, started once: at start-up (the runtime calls :meth:`start`), or on
    the first demo item (``omnibox demo`` sends without starting the worker loops)."""

    def __init__(self, graph_api_version: str) -> None:
        self._graph_version = graph_api_version
        self.platforms: DemoPlatforms | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._started()

    def route(self, senders: Mapping[str, ChannelSender]) -> dict[str, ChannelSender]:
        """Each channel's sender wrapped so that demo accounts' items go to the fakes."""
        return {channel: RoutingSender(sender, self) for channel, sender in senders.items()}

    async def sender(self, channel: str) -> ChannelSender:
        return (await self._started()).senders[channel]

    async def _started(self) -> DemoPlatforms:
        async with self._lock:
            if self.platforms is None:
                platforms = DemoPlatforms(self._graph_version)
                await platforms.start()
                self.platforms = platforms
            return self.platforms

    async def close(self) -> None:
        async with self._lock:
            if self.platforms is not None:
                await self.platforms.stop()
                self.platforms = None


class RoutingSender:
    """One channel's sender: demo accounts to the fake platform, others to the real one."""

    def __init__(self, real: ChannelSender, demo: DemoOutbound) -> None:
        self.channel: Channel = real.channel
        self._real = real
        self._demo = demo

    async def deliver(self, item: Outbound) -> Delivered:
        if is_demo(item.account.options):
            return await (await self._demo.sender(str(self.channel))).deliver(item)
        return await self._real.deliver(item)

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        """A batch is one account's (VK ``peer_ids``), so its first item says where it goes."""
        sender = self._real
        if items and is_demo(items[0].account.options):
            sender = await self._demo.sender(str(self.channel))
        return await sender.deliver_batch(items, random_id)

    async def close(self) -> None:
        await self._real.close()  # the demo senders are closed with their platforms
