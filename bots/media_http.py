"""Fetch platform files over HTTP without becoming a proxy into our own network.

Webhook payloads name the URLs (VK attachment links, Meta ``payload.url``), and a forged or
relayed payload can name ``http://127.0.0.1:6379`` or ``169.254.169.254`` (a cloud metadata
service). So a URL is fetched only when:

- its host is one of the channel's CDN domains (or a subdomain), over https on port 443, and
  every address the name resolves to is public; the connection then goes to that checked
  address (TLS still verifies the certificate for the name), so a DNS answer that changes
  between check and connect (rebinding) cannot redirect it;
- or its host is one the operator listed in ``media_extra_hosts`` (local fakes, the demo),
  over http or https;
- redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each target checked again;
- the body stops at ``max_bytes`` and the whole fetch at ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from inbox.events import Channel
from inbox.media import Fetched, MediaNotAllowed, MediaSource, MediaUnavailable, NoFile

VK_CDN_DOMAINS = frozenset({"userapi.com", "vk.com", "vk.me", "vkuserphoto.ru", "vk-cdn.net"})
META_CDN_DOMAINS = frozenset({"fbcdn.net", "fbsbx.com", "cdninstagram.com"})
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], Awaitable[list[str]]]
ExtraHost = tuple[str, int | None]  # (host, port); no port: the scheme's default port


def parse_extra_hosts(value: str) -> frozenset[ExtraHost]:
    """``"127.0.0.1:8081, cdn.local"`` → ``{("127.0.0.1", 8081), ("cdn.local", None)}``."""
    hosts: set[ExtraHost] = set()
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            url = httpx.URL(f"http://{item}")
        except httpx.InvalidURL as exc:
            raise ValueError(f"media_extra_hosts: {item!r} is not host[:port]") from exc
        if not url.host or url.path not in ("", "/") or url.userinfo or url.query:
            raise ValueError(f"media_extra_hosts: {item!r} is not host[:port]")
        hosts.add((url.host.lower(), url.port))
    return frozenset(hosts)


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    """Not private, loopback, link-local, CGNAT, multicast, reserved (IPv6 included)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, or :class:`MediaUnavailable` as soon as it passes ``max_bytes``."""
    too_big = MediaUnavailable(f"the file is larger than the {max_bytes}-byte limit")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class _Hop:
    url: httpx.URL  # what is requested: the checked address for CDN hosts
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


class CdnClient:
    """GET a URL on a channel's CDN under the rules above; one per channel, closed at stop."""

    def __init__(
        self,
        domains: Iterable[str],
        *,
        extra_hosts: frozenset[ExtraHost] = frozenset(),
        max_bytes: int,
        timeout: float,
        resolver: Resolver = resolve,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._domains = frozenset(d.lower() for d in domains)
        self._extra = extra_hosts
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._resolve = resolver
        # No environment proxies: what is checked here must be what is connected to.
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
        )

    async def get(self, raw_url: str) -> Fetched:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._follow(raw_url)
        except TimeoutError:
            raise MediaUnavailable(f"the file did not arrive within {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise MediaUnavailable(
                f"the file host could not be reached ({type(exc).__name__})"
            ) from None

    async def close(self) -> None:
        await self._client.aclose()

    async def _follow(self, raw_url: str) -> Fetched:
        url = _parse(raw_url)
        for hops in range(MAX_REDIRECTS + 1):
            try:
                hop = await self._admit(url)
            except MediaNotAllowed as exc:
                if hops:
                    raise MediaNotAllowed(f"redirected to a refused URL: {exc}") from None
                raise
            headers = {"Accept-Encoding": "identity", "User-Agent": "omnibox-media", **hop.headers}
            request = self._client.build_request(
                "GET", hop.url, headers=headers, extensions=hop.extensions
            )
            response = await self._client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise MediaUnavailable("the file host redirected without a Location")
                    url = _parse(location, base=url)
                    continue
                if response.status_code != 200:
                    raise MediaUnavailable(f"the file host answered HTTP {response.status_code}")
                body = await read_capped(response, self._max_bytes)
                kind = response.headers.get("content-type", "application/octet-stream")
                return Fetched(kind, body)
            finally:
                await response.aclose()
        raise MediaUnavailable(f"the file host redirected more than {MAX_REDIRECTS} times")

    async def _admit(self, url: httpx.URL) -> _Hop:
        host = url.host.lower().rstrip(".")
        if url.userinfo:
            raise MediaNotAllowed("URLs carrying credentials are not fetched")
        if url.scheme in _DEFAULT_PORTS and self._is_extra(host, url):
            return _Hop(url)
        if not any(host == d or host.endswith("." + d) for d in self._domains):
            raise MediaNotAllowed(f"{host or 'the URL'} is not one of this channel's file hosts")
        if url.scheme != "https":
            raise MediaNotAllowed(f"only https file URLs are fetched, not {url.scheme or '?'}")
        if url.port not in (None, 443):
            raise MediaNotAllowed(f"file hosts are reached on port 443 only, not {url.port}")
        try:
            addresses = await self._resolve(host, 443)
        except OSError:
            raise MediaUnavailable(f"{host} does not resolve") from None
        if not addresses or not all(is_public(a) for a in addresses):
            raise MediaNotAllowed(f"{host} resolves to a non-public address")
        pinned = url.copy_with(host=addresses[0])
        return _Hop(pinned, {"Host": host}, {"sni_hostname": host})

    def _is_extra(self, host: str, url: httpx.URL) -> bool:
        port = url.port or _DEFAULT_PORTS[url.scheme]
        return (host, port) in self._extra or (port in (80, 443) and (host, None) in self._extra)


class CdnMediaFetcher:
    """A platform whose attachments keep their file's URL: fetched from its CDN only. Each one
    names its channel, itself (in refusals), its CDN's domains, and the attachment types whose
    URL is a web page, not a file."""

    channel: Channel
    platform_name: str
    domains: frozenset[str]
    pages: frozenset[str]

    def __init__(
        self, *, extra_hosts: frozenset[ExtraHost] = frozenset(), max_bytes: int, timeout: float
    ) -> None:
        self._cdn = CdnClient(
            self.domains, extra_hosts=extra_hosts, max_bytes=max_bytes, timeout=timeout
        )

    async def fetch(self, source: MediaSource) -> Fetched:
        attachment = source.attachment
        if attachment.type in self.pages or not attachment.url:
            raise NoFile(f"a {self.platform_name} {attachment.type} has no file to fetch")
        return await self._cdn.get(attachment.url)

    async def close(self) -> None:
        await self._cdn.close()


def _parse(raw: str, base: httpx.URL | None = None) -> httpx.URL:
    try:
        return base.join(raw) if base is not None else httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise MediaNotAllowed("the attachment's URL is not a valid URL") from None
