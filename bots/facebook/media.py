"""Messenger and Instagram files for the inbox: the attachment's ``payload.url``, from Meta's
CDN hosts only (``fbcdn.net``, ``fbsbx.com``, ``cdninstagram.com``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.media_http import META_CDN_DOMAINS, CdnClient, ExtraHost
from inbox.events import Channel
from inbox.media import Fetched, MediaSource, NoFile

if TYPE_CHECKING:
    from inbox.media import MediaFetcher

# A shared link ("fallback") or a template points at a web page, not at a file.
_PAGES = frozenset({"fallback", "template"})


class _MetaMediaFetcher:
    channel: Channel

    def __init__(
        self, *, extra_hosts: frozenset[ExtraHost] = frozenset(), max_bytes: int, timeout: float
    ) -> None:
        self._cdn = CdnClient(
            META_CDN_DOMAINS, extra_hosts=extra_hosts, max_bytes=max_bytes, timeout=timeout
        )

    async def fetch(self, source: MediaSource) -> Fetched:
        attachment = source.attachment
        if attachment.type in _PAGES or not attachment.url:
            raise NoFile(f"a {self.channel.value} {attachment.type} has no file to fetch")
        return await self._cdn.get(attachment.url)

    async def close(self) -> None:
        await self._cdn.close()


class FacebookMediaFetcher(_MetaMediaFetcher):
    channel = Channel.FACEBOOK


class InstagramMediaFetcher(_MetaMediaFetcher):
    channel = Channel.INSTAGRAM


if TYPE_CHECKING:
    _conforms: MediaFetcher = FacebookMediaFetcher(max_bytes=1, timeout=1)
