"""Webhook in -> queue -> worker -> REST API out, for every platform, on every backend."""

from __future__ import annotations

from typing import Any

import httpx

from api.runtime import Runtime
from tests.support.factories import (
    add_all_accounts,
    admin_headers,
    drain,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.payloads import load_payload
from tests.support.units import orm_session


async def _conversations(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/conversations", params=params, headers=headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def _messages(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: int
) -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


class TestTelegram:
    async def test_dm_then_edit_keeps_history(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        accounts = await add_all_accounts(client, headers)
        tg = accounts["telegram"]["id"]
        assert (
            await post_telegram(client, tg, load_payload("telegram", "message__dm_text"))
        ).status_code == 200
        assert (
            await post_telegram(client, tg, load_payload("telegram", "edited_message__dm"))
        ).status_code == 200
        assert await drain(runtime) == 2

        [conv] = await _conversations(client, headers, channel="telegram")
        assert conv["kind"] == "direct"
        assert conv["status"] == "open"
        assert conv["account_id"] == tg
        assert conv["contact"]["display_name"] == "Alina Petrova"
        [msg] = await _messages(client, headers, conv["id"])
        assert msg["direction"] == "in"
        assert msg["sender_type"] == "contact"
        assert msg["text"] == "Hello! My order #A-1048 has not arrived yet, can you check?"
        [before] = msg["edit_history"]
        assert before["text"] == "Hello! My order #A-1043 has not arrived yet, can you check?"
        assert msg["external_id"] == "5123456789:4410"
        assert msg["created_at"].startswith("2025-01-21T09:00:00")

    async def test_discussion_comments_thread_per_post_and_commenter(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        tg = (await add_all_accounts(client, headers))["telegram"]["id"]
        for name in (
            "message__automatic_forward",
            "message__discussion_comment",
            "message__discussion_reply_to_comment",
        ):
            r = await post_telegram(client, tg, load_payload("telegram", name))
            assert r.status_code == 200
        await drain(runtime)
        comments = await _conversations(client, headers, kind="comment")
        assert comments, "a discussion comment must open a comment conversation"
        for conv in comments:
            assert conv["post"]["id"].startswith("-1002000000002:")
        first = next(c for c in comments if c["contact"]["display_name"] == "Dmitry")
        assert first["post"]["url"] == "https://t.me/acme_coffee_news/318"
        assert len(comments) == 1, "both comments are Dmitry's, under one post"
        first_msg, reply = await _messages(client, headers, first["id"])
        assert first_msg["text"] == "Is the new blend available in 250 g packs?"
        assert first_msg["parent_comment_id"] is None
        assert reply["text"] == "Great, thanks! Will they be in the Tverskaya shop too?"
        assert reply["parent_comment_id"] is not None

    async def test_blocked_bot_marks_contact_opted_out(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        from sqlalchemy import select

        from inbox.conversations.models import AccountContact

        headers = await admin_headers(client, runtime)
        tg = (await add_all_accounts(client, headers))["telegram"]["id"]
        await post_telegram(client, tg, load_payload("telegram", "message__dm_text"))
        await post_telegram(client, tg, load_payload("telegram", "my_chat_member__blocked"))
        await drain(runtime)
        async with orm_session(runtime) as session:
            state = (await session.scalars(select(AccountContact))).one()
        assert state.opted_out is True
        [conv] = await _conversations(client, headers)
        kinds = [m["sender_type"] for m in await _messages(client, headers, conv["id"])]
        assert kinds == ["contact", "system"]


class TestVk:
    async def test_dm_reply_from_vk_ui_is_outbound_agent_message(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        vk = (await add_all_accounts(client, headers))["vk"]["id"]
        for name in ("message_new", "message_reply"):
            r = await post_vk(client, vk, load_payload("vk", name))
            assert r.status_code == 200
            assert r.text == "ok"
        await drain(runtime)
        [conv] = await _conversations(client, headers, channel="vk")
        msgs = await _messages(client, headers, conv["id"])
        assert [m["direction"] for m in msgs] == ["in", "out"]
        assert [m["sender_type"] for m in msgs] == ["contact", "agent"]
        assert msgs[0]["text"] == "Good afternoon, do you deliver to Kazan?"

    async def test_wall_comment_then_delete(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        vk = (await add_all_accounts(client, headers))["vk"]["id"]
        await post_vk(client, vk, load_payload("vk", "wall_reply_new"))
        await drain(runtime)
        [conv] = await _conversations(client, headers, kind="comment")
        assert conv["post"]["id"] == "wall-229876543_318"
        [msg] = await _messages(client, headers, conv["id"])
        assert msg["text"] == "What is the price of the 1 kg bag?"
        delete = load_payload("vk", "wall_reply_delete")
        delete["object"]["id"] = 905
        delete["object"]["post_id"] = 318
        delete["object"]["owner_id"] = -229876543
        await post_vk(client, vk, delete)
        await drain(runtime)
        [msg] = await _messages(client, headers, conv["id"])
        assert msg["deleted_at"] is not None
        assert msg["text"] == ""


class TestMeta:
    async def test_batch_of_message_and_postback(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        await add_all_accounts(client, headers)
        assert (
            await post_facebook(client, load_payload("facebook", "messages__batch"))
        ).status_code == 200
        await drain(runtime)
        convs = await _conversations(client, headers, channel="facebook")
        assert len(convs) == 2
        texts = sorted(
            [m["text"] for c in convs for m in await _messages(client, headers, c["id"])]
        )
        assert texts == ["Hi! Do you ship to Tbilisi?", "Talk to an agent"]

    async def test_feed_comment_and_reply_keep_parent(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        await add_all_accounts(client, headers)
        await post_facebook(client, load_payload("facebook", "feed__comment_add"))
        await post_facebook(client, load_payload("facebook", "feed__reply_to_comment"))
        await drain(runtime)
        convs = await _conversations(client, headers, channel="facebook", kind="comment")
        assert convs
        all_msgs = [m for c in convs for m in await _messages(client, headers, c["id"])]
        replies = [m for m in all_msgs if m["parent_comment_id"]]
        assert replies, "a reply to a comment keeps its parent"
        assert convs[0]["post"]["id"] == "102030405060708_987654321012345"

    async def test_instagram_dm_and_comment(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        await add_all_accounts(client, headers)
        for name in ("messages__text", "comments"):
            r = await post_facebook(client, load_payload("instagram", name))
            assert r.status_code == 200, r.text
        await drain(runtime)
        convs = await _conversations(client, headers, channel="instagram")
        assert sorted(c["kind"] for c in convs) == ["comment", "direct"]


class TestUnicode:
    async def test_cyrillic_hangul_emoji_preserved_exactly(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        accounts = await add_all_accounts(client, headers)
        tg_payload = load_payload("telegram", "message__dm_cyrillic_hangul_emoji")
        vk_payload = load_payload("vk", "message_new__cyrillic_hangul_emoji")
        fb_payload = load_payload("facebook", "messages__cyrillic_hangul_emoji")
        await post_telegram(client, accounts["telegram"]["id"], tg_payload)
        await post_vk(client, accounts["vk"]["id"], vk_payload)
        await post_facebook(client, fb_payload)
        await drain(runtime)
        expected = {
            "telegram": tg_payload["message"]["text"],
            "vk": vk_payload["object"]["message"]["text"],
            "facebook": fb_payload["entry"][0]["messaging"][0]["message"]["text"],
        }
        for channel, text in expected.items():
            [conv] = await _conversations(client, headers, channel=channel)
            [msg] = await _messages(client, headers, conv["id"])
            assert msg["text"] == text
            assert any(ord(ch) > 0xFFFF for ch in text), "fixture must hold astral emoji"
            assert any("\uac00" <= ch <= "\ud7a3" for ch in text), "fixture must hold Hangul"
