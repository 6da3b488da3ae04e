"""Serve side of the demo: demo accounts' outbound goes to local fake platforms, the rest to the
real platform bases, so an agent's reply in the demo "reaches" a platform and shows as sent.

The outbox and the platform senders stay unaware: each channel's sender is wrapped in a
:class:`RoutingSender` that looks at the account's ``options["demo"]`` per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.accounts.models import Account
from inbox.channels import ChannelError
from inbox.events import Channel
from inbox.outbound import BatchSender, ChannelSender, Delivered, Outbound

if TYPE_CHECKING:
    from api.demo.platforms import DemoPlatforms

_accounts = Account.__table__  # type: ignore[attr-defined]


def is_demo(options: Mapping[str, object] | None) -> bool:
    return bool((options or {}).get("demo"))


async def has_demo_accounts(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(_accounts.c.options))).scalars().all()
    return any(is_demo(options) for options in rows)


class DemoOutbound:
    """The fake platforms, started once: at start-up when demo accounts exist, or on the first
    demo item (an instance that became a demo while this process ran)."""

    def __init__(self, graph_api_version: str) -> None:
        self._graph_version = graph_api_version
        self.platforms: DemoPlatforms | None = None
        self._lock = asyncio.Lock()

    async def start_if_demo(self, engine: AsyncEngine) -> None:
        if await has_demo_accounts(engine):
            await self.sender(Channel.TELEGRAM.value)

    async def sender(self, channel: str) -> ChannelSender:
        async with self._lock:
            if self.platforms is None:
                # Imported here: the fake servers (aiohttp.web) load only in a demo.
                from api.demo.platforms import DemoPlatforms

                platforms = DemoPlatforms(self._graph_version)
                await platforms.start()
                self.platforms = platforms
        return self.platforms.senders[channel]

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
            return await (await self._demo.sender(self.channel.value)).deliver(item)
        return await self._real.deliver(item)

    async def close(self) -> None:
        await self._real.close()  # the demo senders are closed with their platforms


class RoutingBatchSender(RoutingSender):
    """The same for a sender that also sends one text to many in one call (VK ``peer_ids``):
    without this the outbox would see no batch sender and send campaigns one call each."""

    def __init__(self, real: ChannelSender, demo: DemoOutbound) -> None:
        super().__init__(real, demo)
        self.max_batch: int = cast(BatchSender, real).max_batch

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        sender: Any = self._real
        if items and is_demo(items[0].account.options):
            sender = await self._demo.sender(self.channel.value)
        batch: BatchSender = sender
        return await batch.deliver_batch(items, random_id)


def route_demo_accounts(
    senders: Mapping[str, ChannelSender], demo: DemoOutbound
) -> dict[str, ChannelSender]:
    return {
        channel: (
            RoutingBatchSender(sender, demo)
            if hasattr(sender, "deliver_batch")
            else RoutingSender(sender, demo)
        )
        for channel, sender in senders.items()
    }
