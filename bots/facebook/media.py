"""Messenger and Instagram files for the inbox: the attachment's ``payload.url``, from Meta's
CDN hosts only (``fbcdn.net``, ``fbsbx.com``, ``cdninstagram.com``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.channel_names import Channel
from bots.media_http import META_CDN_DOMAINS, CdnMediaFetcher

if TYPE_CHECKING:
    from inbox.media import MediaFetcher


class _MetaMediaFetcher(CdnMediaFetcher):
    domains = META_CDN_DOMAINS
    # A shared link ("fallback") or a template points at a web page, not at a file.
    pages = frozenset({"fallback", "template"})


class FacebookMediaFetcher(_MetaMediaFetcher):
    channel = Channel.FACEBOOK
    platform_name = "facebook"


class InstagramMediaFetcher(_MetaMediaFetcher):
    channel = Channel.INSTAGRAM
    platform_name = "instagram"


if TYPE_CHECKING:
    _conforms: MediaFetcher = FacebookMediaFetcher(max_bytes=1, timeout=1)
