"""The explicit lists of channel adapters and senders the service wires into the pipeline."""

from __future__ import annotations

from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.telegram.adapter import TelegramAdapter
from bots.vk.adapter import VkAdapter
from inbox.channels import ChannelAdapter
from inbox.media import MediaFetcher
from inbox.outbound import ChannelSender, Deliverer


def build_adapters() -> dict[str, ChannelAdapter]:
    adapters: list[ChannelAdapter] = [
        TelegramAdapter(),
        VkAdapter(),
        FacebookAdapter(),
        InstagramAdapter(),
    ]
    return {str(adapter.channel): adapter for adapter in adapters}


def import_senders() -> None:
    """Load the sender modules now (a process about to send, before it freezes its heap)."""
    import bots.facebook.sender
    import bots.telegram.sender
    import bots.vk.sender  # noqa: F401


def build_senders(
    telegram_api_base: str, vk_api_base: str, graph_api_base: str, graph_api_version: str
) -> dict[str, ChannelSender]:
    """One sender per channel, keyed like :func:`build_adapters`; the caller closes them.

    The senders are imported here, not at the top: vkbottle and httpx cost about a second of
    start-up that processes which only receive webhooks need not pay.
    """
    from bots.facebook.sender import FacebookSender, InstagramSender
    from bots.telegram.sender import TelegramSender
    from bots.vk.sender import VkSender

    senders: list[ChannelSender] = [
        TelegramSender(telegram_api_base),
        VkSender(vk_api_base),
        FacebookSender(graph_api_base, graph_api_version),
        InstagramSender(graph_api_base, graph_api_version),
    ]
    return {str(sender.channel): sender for sender in senders}


def build_webhook_sender() -> Deliverer:
    """The sender of the rules' outgoing webhooks."""
    from bots.webhook.sender import WebhookSender

    return WebhookSender()


def build_media_fetchers(
    telegram_api_base: str, *, extra_hosts: str, max_bytes: int, timeout: float
) -> dict[str, MediaFetcher]:
    """One attachment fetcher per channel, keyed like :func:`build_adapters`; the caller
    closes them. ``extra_hosts`` is the ``media_extra_hosts`` setting (``host[:port], ...``)."""
    from bots.facebook.media import FacebookMediaFetcher, InstagramMediaFetcher
    from bots.media_http import parse_extra_hosts
    from bots.telegram.media import TelegramMediaFetcher
    from bots.vk.media import VkMediaFetcher

    extra = parse_extra_hosts(extra_hosts)
    fetchers: list[MediaFetcher] = [
        TelegramMediaFetcher(telegram_api_base, max_bytes=max_bytes, timeout=timeout),
        VkMediaFetcher(extra_hosts=extra, max_bytes=max_bytes, timeout=timeout),
        FacebookMediaFetcher(extra_hosts=extra, max_bytes=max_bytes, timeout=timeout),
        InstagramMediaFetcher(extra_hosts=extra, max_bytes=max_bytes, timeout=timeout),
    ]
    return {str(fetcher.channel): fetcher for fetcher in fetchers}
