"""Attachments come through the service, never hot-linked: Telegram through ``getFile``, VK and
Meta from their CDN hosts only (a local fake CDN admitted by ``media_extra_hosts``), with
redirects re-checked, a size cap, a deadline, and headers no browser can be fooled by.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api.runtime import Runtime
from fakes import FakeCdn, FakeTelegram
from inbox.conversations.models import Message
from inbox.types import utcnow
from inbox.users.models import Role
from tests.support.factories import (
    TG_TOKEN,
    add_all_accounts,
    add_user,
    admin_headers,
    drain,
    login,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.fixtures import RuntimeFactory
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

# fetching and serving attachments: the storage backend changes nothing.
pytestmark = pytest.mark.one_backend

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 500
PNG = b"\x89PNG\r\n\x1a\n" + b"\x22" * 300
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.7\n" + b"\x33" * 400
PHOTO_LARGE = "AgACAgIAAxkBAAIRXGeQk1Photo0Large0000000000000AAQ"
PHOTO_MEDIUM = "AgACAgIAAxkBAAIRXGeQk1Photo0Medium000000000000AAQ"
_messages = Message.__table__  # type: ignore[attr-defined]


@dataclass
class Media:
    rt: Runtime
    client: httpx.AsyncClient
    headers: dict[str, str]
    accounts: dict[str, dict[str, Any]]
    tg: FakeTelegram
    cdn: FakeCdn

    async def stored(self, channel: str) -> dict[str, Any]:
        """The one message with attachments the test sent on ``channel``."""
        await drain(self.rt)
        r = await self.client.get(
            "/api/v1/conversations", params={"channel": channel}, headers=self.headers
        )
        [conversation] = r.json()["items"]
        r = await self.client.get(
            f"/api/v1/conversations/{conversation['id']}/messages", headers=self.headers
        )
        [message] = [m for m in r.json()["items"] if m["attachments"]]
        return message

    async def vk_docs(self, *urls: str) -> dict[str, Any]:
        """A VK message carrying one document per URL."""
        docs = [
            {"type": "doc", "doc": {"id": i, "owner_id": 5, "title": f"doc{i}.pdf", "url": url}}
            for i, url in enumerate(urls, 1)
        ]
        payload = with_changes(
            load_payload("vk", "message_new__attachments"), **{"object.message.attachments": docs}
        )
        assert (await post_vk(self.client, self.accounts["vk"]["id"], payload)).status_code == 200
        return await self.stored("vk")

    async def get(self, message_id: int, index: int = 0, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/api/v1/messages/{message_id}/attachments/{index}",
            params=params,
            headers=self.headers,
        )


@asynccontextmanager
async def _media(runtime_with: RuntimeFactory, **overrides: Any) -> AsyncIterator[Media]:
    async with FakeTelegram() as tg, FakeCdn() as cdn:
        settings = {"telegram_api_base": tg.base_url, "media_extra_hosts": cdn.host_port}
        async with runtime_with(**settings, **overrides) as (rt, client):
            headers = await admin_headers(client, rt)
            accounts = await add_all_accounts(client, headers)
            yield Media(rt, client, headers, accounts, tg, cdn)


@pytest.fixture
async def media(runtime_with: RuntimeFactory) -> AsyncIterator[Media]:
    async with _media(runtime_with) as m:
        yield m


def _assert_safe_headers(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert r.headers["cache-control"] == "private, max-age=3600"


async def _telegram_photo(m: Media) -> dict[str, Any]:
    tg_id = m.accounts["telegram"]["id"]
    r = await post_telegram(m.client, tg_id, load_payload("telegram", "message__dm_photo"))
    assert r.status_code == 200
    return await m.stored("telegram")


class TestTelegram:
    async def test_a_photo_comes_through_get_file_at_preview_size(self, media: Media) -> None:
        media.tg.add_file(PHOTO_MEDIUM, JPEG, file_path="photos/file_7.jpg")
        message = await _telegram_photo(media)

        r = await media.get(message["id"])

        assert r.status_code == 200, r.text
        assert r.content == JPEG
        assert r.headers["content-type"] == "image/jpeg"
        assert r.headers["content-disposition"].startswith("inline")
        _assert_safe_headers(r)
        [get_file] = media.tg.calls_to("getFile")
        assert (get_file.token, get_file.params["file_id"]) == (TG_TOKEN, PHOTO_MEDIUM)
        [download] = media.tg.calls_to("file")
        assert (download.token, download.params["file_path"]) == (TG_TOKEN, "photos/file_7.jpg")

    async def test_the_original_size_on_request(self, media: Media) -> None:
        media.tg.add_file(PHOTO_LARGE, PNG, file_path="photos/file_8.jpg")
        message = await _telegram_photo(media)

        r = await media.get(message["id"], original="true")

        assert (r.status_code, r.content, r.headers["content-type"]) == (200, PNG, "image/png")
        assert [c.params["file_id"] for c in media.tg.calls_to("getFile")] == [PHOTO_LARGE]

    async def test_a_file_telegram_does_not_know_is_a_502_with_its_reason(
        self, media: Media
    ) -> None:
        message = await _telegram_photo(media)  # nothing registered with the fake

        r = await media.get(message["id"])

        assert r.status_code == 502
        assert "invalid file_id" in r.json()["detail"]
        assert TG_TOKEN not in r.text
        assert media.tg.calls_to("file") == []

    async def test_a_file_over_the_cap_is_not_downloaded(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with _media(runtime_with, attachment_max_bytes=1024) as m:
            m.tg.add_file(PHOTO_MEDIUM, JPEG * 3)
            message = await _telegram_photo(m)

            r = await m.get(message["id"])

            assert r.status_code == 502
            assert "1024-byte limit" in r.json()["detail"]
            assert len(m.tg.calls_to("getFile")) == 1
            assert m.tg.calls_to("file") == []


class TestCdn:
    async def test_a_vk_document_is_a_download_named_safely(self, media: Media) -> None:
        url = media.cdn.add("/doc/invoice.pdf", PDF, "application/pdf")
        attachments = load_payload("vk", "message_new__attachments")["object"]["message"]
        attachments["attachments"][0]["doc"]["url"] = url
        attachments["attachments"][0]["doc"]["title"] = 'счёт "2025"/../inv.pdf'
        payload = with_changes(
            load_payload("vk", "message_new__attachments"),
            **{"object.message.attachments": attachments["attachments"][:1]},
        )
        await post_vk(media.client, media.accounts["vk"]["id"], payload)
        message = await media.stored("vk")

        r = await media.get(message["id"])

        assert (r.status_code, r.content) == (200, PDF)
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["content-disposition"] == 'attachment; filename="2025_inv.pdf"'
        _assert_safe_headers(r)
        assert len(media.cdn.calls_to("/doc/invoice.pdf")) == 1

    async def test_a_facebook_image_is_shown_inline_as_what_its_bytes_are(
        self, media: Media
    ) -> None:
        url = media.cdn.add("/v/photo.jpg", PNG, "image/jpeg")  # the claim is wrong
        payload = with_changes(
            load_payload("facebook", "messages__image"),
            **{"entry.0.messaging.0.message.attachments.0.payload.url": url},
        )
        assert (await post_facebook(media.client, payload)).status_code == 200
        message = await media.stored("facebook")

        r = await media.get(message["id"])

        assert (r.status_code, r.content, r.headers["content-type"]) == (200, PNG, "image/png")
        assert r.headers["content-disposition"].startswith("inline")

    @pytest.mark.parametrize(
        ("body", "claimed"),
        [
            pytest.param(SVG, "image/svg+xml", id="svg"),
            pytest.param(b"<html><script>alert(1)</script></html>", "image/jpeg", id="html"),
        ],
    )
    async def test_anything_but_a_raster_image_is_a_download(
        self, media: Media, body: bytes, claimed: str
    ) -> None:
        message = await media.vk_docs(media.cdn.add("/x", body, claimed))

        r = await media.get(message["id"])

        assert (r.status_code, r.content) == (200, body)
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["content-disposition"] == 'attachment; filename="doc1.pdf"'
        _assert_safe_headers(r)

    async def test_hosts_off_the_allowlist_are_refused_and_never_called(self, media: Media) -> None:
        port = media.cdn.host_port.rsplit(":", 1)[1]
        media.cdn.add("/secret", b"internal")
        refused = [
            f"http://localhost:{port}/secret",  # the same server, under a name not admitted
            "http://127.0.0.1:6379/",
            "https://169.254.169.254/latest/meta-data/",
            "http://userapi.com/photo.jpg",  # a VK host, but not over https
            "https://sun9-1.userapi.com:8443/photo.jpg",  # nor on another port
            "https://vk.com.attacker.example/photo.jpg",
            "https://attacker@vk.com/photo.jpg",
            "https://fbcdn.net/photo.jpg",  # Meta's CDN is not VK's
            "file:///etc/passwd",
        ]
        message = await media.vk_docs(*refused)

        for index, url in enumerate(refused):
            r = await media.get(message["id"], index)
            assert r.status_code == 403, (url, r.text)
        assert media.cdn.calls == []

    async def test_redirects_are_followed_and_each_target_checked(self, media: Media) -> None:
        port = media.cdn.host_port.rsplit(":", 1)[1]
        media.cdn.add("/final.jpg", JPEG, "image/jpeg")
        media.cdn.add("/secret", b"internal")
        media.cdn.redirect("/hop2", "/final.jpg", status=307)
        good = media.cdn.redirect("/hop1", media.cdn.base_url + "/hop2")
        bad = media.cdn.redirect("/away", f"http://localhost:{port}/secret")
        metadata = media.cdn.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
        for n in range(5):
            media.cdn.redirect(f"/loop{n}", f"/loop{n + 1}")
        message = await media.vk_docs(good, bad, metadata, media.cdn.base_url + "/loop0")

        assert (await media.get(message["id"], 0)).content == JPEG
        r = await media.get(message["id"], 1)
        assert r.status_code == 403
        assert "localhost" in r.json()["detail"]
        assert (await media.get(message["id"], 2)).status_code == 403
        r = await media.get(message["id"], 3)
        assert r.status_code == 502
        assert "redirected more than 3 times" in r.json()["detail"]
        assert media.cdn.calls_to("/secret") == []
        assert [c.path for c in media.cdn.calls if c.path.startswith("/loop")] == [
            "/loop0",
            "/loop1",
            "/loop2",
            "/loop3",
        ]

    async def test_a_body_past_the_cap_is_a_502(self, runtime_with: RuntimeFactory) -> None:
        async with _media(runtime_with, attachment_max_bytes=2048) as m:
            small = m.cdn.add("/small.jpg", JPEG)
            message = await m.vk_docs(m.cdn.add("/big.bin", b"\x00" * 5000), small)

            r = await m.get(message["id"], 0)
            assert r.status_code == 502
            assert "2048-byte limit" in r.json()["detail"]
            assert (await m.get(message["id"], 1)).content == JPEG

    async def test_a_slow_host_is_a_502_within_the_deadline(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with _media(runtime_with, attachment_timeout_seconds=0.3) as m:
            message = await m.vk_docs(m.cdn.add("/slow.jpg", JPEG, delay=1.2))

            r = await m.get(message["id"])

            assert r.status_code == 502
            assert "did not arrive within 0.3 s" in r.json()["detail"]


class TestAccess:
    async def test_sign_in_required_and_any_agent_may_fetch(self, media: Media) -> None:
        message = await media.vk_docs(media.cdn.add("/a.jpg", JPEG))
        url = f"/api/v1/messages/{message['id']}/attachments/0"

        assert (await media.client.get(url)).status_code == 401
        await add_user(media.rt, "agent@example.com", Role.AGENT)
        agent = await login(media.client, "agent@example.com")
        r = await media.client.get(url, headers=agent)
        assert (r.status_code, r.content) == (200, JPEG)
        assert len(media.cdn.calls) == 1

    async def test_unknown_messages_indexes_deleted_messages_and_non_files_are_404(
        self, media: Media
    ) -> None:
        vk = load_payload("vk", "message_new__attachments")  # doc, voice, sticker, video, link…
        await post_vk(media.client, media.accounts["vk"]["id"], vk)
        message = await media.stored("vk")
        kinds = [a["type"] for a in message["attachments"]]
        link, video = kinds.index("link"), kinds.index("video")

        assert (await media.get(message["id"] + 1000)).status_code == 404
        assert (await media.get(message["id"], len(kinds))).status_code == 404
        assert (await media.get(message["id"], link)).status_code == 404
        assert (await media.get(message["id"], video)).status_code == 404
        assert (await media.get(message["id"], -1)).status_code == 422
        assert (await media.get(2**70)).status_code == 422
        async with media.rt.engine.begin() as conn:
            await conn.execute(
                update(_messages).where(_messages.c.id == message["id"]).values(deleted_at=utcnow())
            )
        assert (await media.get(message["id"], 0)).status_code == 404
        assert media.cdn.calls == []
