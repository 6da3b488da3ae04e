"""VK files for the inbox: the URL stored with the attachment, from VK's own hosts only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.channel_names import Channel
from bots.media_http import VK_CDN_DOMAINS, CdnMediaFetcher

if TYPE_CHECKING:
    from inbox.media import MediaFetcher


class VkMediaFetcher(CdnMediaFetcher):
    channel = Channel.VK
    platform_name = "VK"
    domains = VK_CDN_DOMAINS
    # Attachments whose URL is a page, not a file: a video's player, a post, a product, a link.
    pages = frozenset({"video", "wall", "market", "link"})


if TYPE_CHECKING:
    _conforms: MediaFetcher = VkMediaFetcher(max_bytes=1, timeout=1)
