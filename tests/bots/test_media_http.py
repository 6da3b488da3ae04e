"""The CDN fetcher's address checks: what a name resolves to decides, and the connection goes
to the address that was checked (no second lookup a rebinding DNS server could answer
differently). The HTTP side is an httpx ``MockTransport`` recording what would be sent."""

from __future__ import annotations

import httpx
import pytest

from bots.media_http import VK_CDN_DOMAINS, CdnClient, is_public, parse_extra_hosts
from inbox.events import Attachment
from inbox.media import MediaNotAllowed, MediaUnavailable, download_name, sniff_image


def _cdn(answers: dict[str, list[str]], seen: list[httpx.Request], **kw: object) -> CdnClient:
    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"\xff\xd8\xffjpeg", headers={"Content-Type": "x/y"})

    return CdnClient(
        VK_CDN_DOMAINS,
        max_bytes=1024,
        timeout=5,
        resolver=resolver,
        transport=httpx.MockTransport(handler),
        **kw,  # type: ignore[arg-type]
    )


async def test_connects_to_the_checked_address_with_the_name_for_tls_and_host() -> None:
    seen: list[httpx.Request] = []
    cdn = _cdn({"sun9-1.userapi.com": ["95.142.206.1"]}, seen)

    fetched = await cdn.get("https://sun9-1.userapi.com/impg/photo.jpg?size=604x453")

    assert fetched.body == b"\xff\xd8\xffjpeg"
    [request] = seen
    assert str(request.url) == "https://95.142.206.1/impg/photo.jpg?size=604x453"
    assert request.headers["host"] == "sun9-1.userapi.com"
    assert request.extensions["sni_hostname"] == "sun9-1.userapi.com"
    await cdn.close()


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.1.2.3"],
        ["169.254.169.254"],
        ["100.64.0.7"],  # CGNAT
        ["95.142.206.1", "192.168.0.10"],  # one bad answer spoils the name
        ["::1"],
        ["fd00::5"],
        ["::ffff:127.0.0.1"],
        ["fe80::1%eth0"],
        ["224.0.0.1"],
    ],
)
async def test_a_cdn_name_resolving_to_a_private_address_is_never_fetched(
    addresses: list[str],
) -> None:
    seen: list[httpx.Request] = []
    cdn = _cdn({"pp.userapi.com": addresses}, seen)

    with pytest.raises(MediaNotAllowed, match="non-public address"):
        await cdn.get("https://pp.userapi.com/c1/photo.jpg")
    assert seen == []
    await cdn.close()


async def test_a_name_that_does_not_resolve_is_unavailable() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    cdn = CdnClient(VK_CDN_DOMAINS, max_bytes=1024, timeout=5, resolver=resolver)
    with pytest.raises(MediaUnavailable, match="does not resolve"):
        await cdn.get("https://sun9-1.userapi.com/x.jpg")
    await cdn.close()


async def test_extra_hosts_skip_the_address_check_but_only_on_their_port() -> None:
    seen: list[httpx.Request] = []
    cdn = _cdn({}, seen, extra_hosts=parse_extra_hosts("127.0.0.1:8081"))

    await cdn.get("http://127.0.0.1:8081/file")
    with pytest.raises(MediaNotAllowed):
        await cdn.get("http://127.0.0.1:8082/file")
    assert [str(r.url) for r in seen] == ["http://127.0.0.1:8081/file"]
    await cdn.close()


def test_public_and_private_addresses() -> None:
    assert is_public("95.142.206.1")
    assert is_public("2a00:bdc0:3:103:1:0:403:900")
    assert not is_public("0.0.0.0")  # noqa: S104 - an address checked, not bound
    assert not is_public("198.18.0.1")  # benchmarking range


def test_extra_hosts_parse_and_refuse_junk() -> None:
    assert parse_extra_hosts(" 127.0.0.1:8081, CDN.local ,") == {
        ("127.0.0.1", 8081),
        ("cdn.local", None),
    }
    for junk in ("http://x", "host/path", "a:b", "user@host"):
        with pytest.raises(ValueError, match="host\\[:port\\]"):
            parse_extra_hosts(junk)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\xff\xd8\xff\xdb...", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n...", "image/png"),
        (b"GIF89a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_images_are_recognised_by_their_bytes(body: bytes, kind: str | None) -> None:
    assert sniff_image(body) == kind


@pytest.mark.parametrize(
    ("name", "image", "expected"),
    [
        ("report.pdf", None, "report.pdf"),
        ('a"b\r\nSet-Cookie: x.pdf', None, "a_b_Set-Cookie_x.pdf"),
        ("../../etc/passwd", None, "etc_passwd"),
        ("Счёт №5.pdf", None, "No5.pdf"),
        ("café.txt", None, "cafe.txt"),
        ("фото", "image/jpeg", "photo-3.jpg"),
        ("evil.svg", "image/png", "evil.png"),
        (None, None, "photo-3"),
    ],
)
def test_download_names_are_plain_ascii(name: str | None, image: str | None, expected: str) -> None:
    assert download_name(Attachment(type="photo", name=name), 3, image) == expected
