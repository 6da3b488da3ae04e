"""``VkAdapter``: the VK ``ChannelAdapter`` the pipeline drives (inbound, pure side only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bots.channel_names import Channel
from bots.vk.envelope import as_mapping, event_id_of
from bots.vk.normalise import HANDLERS, normalise
from bots.vk.traits import TRAITS
from inbox.events import InboundEvent
from inbox.platforms import PlatformTraits

if TYPE_CHECKING:
    from inbox.channels import ChannelAdapter


class VkAdapter:
    channel: Channel = Channel.VK
    traits: PlatformTraits = TRAITS  # among them: the worker stamps events that carry no time

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(HANDLERS)

    def intake_key(self, payload: Mapping[str, Any]) -> str:
        """VK's ``event_id``; with ``group_id`` it identifies a delivery across retries."""
        return event_id_of(as_mapping(payload))

    def normalise(self, payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
        return normalise(payload, account_external_id)


if TYPE_CHECKING:
    _conforms: ChannelAdapter = VkAdapter()  # mypy proves the protocol is met
