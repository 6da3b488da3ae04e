"""The explicit list of channel adapters the service wires into the pipeline."""

from __future__ import annotations

from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.telegram.adapter import TelegramAdapter
from bots.vk.adapter import VkAdapter
from inbox.channels import ChannelAdapter


def build_adapters() -> dict[str, ChannelAdapter]:
    adapters: list[ChannelAdapter] = [
        TelegramAdapter(),
        VkAdapter(),
        FacebookAdapter(),
        InstagramAdapter(),
    ]
    return {adapter.channel.value: adapter for adapter in adapters}
