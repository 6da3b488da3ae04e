"""VK files for the inbox: the URL stored with the attachment, from VK's own hosts only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.media_http import VK_CDN_DOMAINS, CdnClient, ExtraHost
from inbox.events import Channel
from inbox.media import Fetched, MediaSource, NoFile

if TYPE_CHECKING:
    from inbox.media import MediaFetcher

# Attachments whose URL is a page, not a file: a video's player, a post, a product, a link.
_PAGES = frozenset({"video", "wall", "market", "link"})


class VkMediaFetcher:
    channel: Channel = Channel.VK

    def __init__(
        self, *, extra_hosts: frozenset[ExtraHost] = frozenset(), max_bytes: int, timeout: float
    ) -> None:
        self._cdn = CdnClient(
            VK_CDN_DOMAINS, extra_hosts=extra_hosts, max_bytes=max_bytes, timeout=timeout
        )

    async def fetch(self, source: MediaSource) -> Fetched:
        attachment = source.attachment
        if attachment.type in _PAGES or not attachment.url:
            raise NoFile(f"a VK {attachment.type} has no file to fetch")
        return await self._cdn.get(attachment.url)

    async def close(self) -> None:
        await self._cdn.close()


if TYPE_CHECKING:
    _conforms: MediaFetcher = VkMediaFetcher(max_bytes=1, timeout=1)
