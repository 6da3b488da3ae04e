"""An agent's reply through the API reaches the right platform method, once, and its delivery
state follows; failures are marked with their reason."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from inbox.accounts.models import Account
from inbox.conversations.models import AccountContact
from inbox.outbox.models import OutboxRow
from inbox.types import utcnow
from tests.outbound.conftest import Service
from tests.support.factories import post_facebook, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

_account_contacts = AccountContact.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]


def _fresh_meta(folder: str, name: str) -> dict[str, Any]:
    """A Meta payload stamped now: replies are allowed only within 24 h of the customer."""
    payload = load_payload(folder, name)
    now_ms = int(time.time() * 1000)
    entry = payload["entry"][0]
    changes: dict[str, Any] = {"entry.0.time": now_ms}
    if "messaging" in entry:
        changes["entry.0.messaging.0.timestamp"] = now_ms
    return with_changes(payload, **changes)


async def _inbound(svc: Service, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
    account_id = svc.accounts[channel]["id"]
    if channel == "telegram":
        r = await post_telegram(svc.client, account_id, payload)
    elif channel == "vk":
        r = await post_vk(svc.client, account_id, payload)
    else:
        r = await post_facebook(svc.client, payload)
    assert r.status_code == 200, r.text
    await svc.drain()
    [conversation] = await svc.conversations(channel=channel)
    return conversation


async def _reply_and_send(svc: Service, conversation: dict[str, Any], text: str) -> dict[str, Any]:
    r = await svc.reply(conversation["id"], text)
    assert r.status_code == 201, r.text
    queued = r.json()
    assert queued["delivery_status"] == "queued"
    assert queued["direction"] == "out"
    assert queued["sender_type"] == "agent"
    assert await svc.send() == 1
    [sent] = [m for m in await svc.messages(conversation["id"]) if m["id"] == queued["id"]]
    return sent


class TestDirectMessages:
    async def test_telegram(self, service: Service) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        sent = await _reply_and_send(service, conv, "Здравствуйте! 안녕하세요 👋")
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["chat_id"] == "5123456789"
        assert call.params["text"] == "Здравствуйте! 안녕하세요 👋"
        assert sent["delivery_status"] == "sent"
        assert sent["external_id"].startswith("5123456789:")

    async def test_vk(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "message_new"))
        sent = await _reply_and_send(service, conv, "Спасибо за вопрос")
        [call] = service.vk.calls_to("messages.send")
        assert call.params["peer_ids"] == "512345678"
        assert call.params["message"] == "Спасибо за вопрос"
        assert int(call.params["random_id"]) != 0
        assert sent["delivery_status"] == "sent"

    @pytest.mark.parametrize("channel", ["facebook", "instagram"])
    async def test_meta(self, service: Service, channel: str) -> None:
        conv = await _inbound(service, channel, _fresh_meta(channel, "messages__text"))
        sent = await _reply_and_send(service, conv, "Yes, we do")
        [call] = service.graph.calls_to("POST /me/messages")
        assert call.params["recipient"] == {"id": conv["contact"]["external_id"]}
        assert call.params["message"] == {"text": "Yes, we do"}
        assert call.params["messaging_type"] == "RESPONSE"
        assert sent["delivery_status"] == "sent"
        assert sent["external_id"]


class TestComments:
    async def test_telegram_discussion_reply(self, service: Service) -> None:
        payload = load_payload("telegram", "message__discussion_comment")
        conv = await _inbound(service, "telegram", payload)
        await _reply_and_send(service, conv, "Thanks for the comment")
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["chat_id"] == str(payload["message"]["chat"]["id"])
        assert call.json_field("reply_parameters")["message_id"] == payload["message"]["message_id"]

    async def test_vk_wall_reply(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "wall_reply_new"))
        await _reply_and_send(service, conv, "1 кг стоит 900 ₽")
        [call] = service.vk.calls_to("wall.createComment")
        assert call.params["owner_id"] == "-229876543"
        assert call.params["post_id"] == "318"
        assert call.params["reply_to_comment"] == "905"
        assert call.params["from_group"] == "229876543"
        assert call.params["message"] == "1 кг стоит 900 ₽"
        assert call.params["guid"]

    async def test_facebook_comment_reply(self, service: Service) -> None:
        payload = _fresh_meta("facebook", "feed__comment_add")
        conv = await _inbound(service, "facebook", payload)
        await _reply_and_send(service, conv, "See you soon")
        comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
        [call] = service.graph.calls_to("POST /{id}/comments")
        assert call.path.endswith(f"/{comment_id}/comments")
        assert call.params["message"] == "See you soon"

    async def test_instagram_comment_reply(self, service: Service) -> None:
        payload = _fresh_meta("instagram", "comments")
        conv = await _inbound(service, "instagram", payload)
        await _reply_and_send(service, conv, "DM us")
        comment_id = payload["entry"][0]["changes"][0]["value"]["id"]
        [call] = service.graph.calls_to("POST /{id}/replies")
        assert call.path.endswith(f"/{comment_id}/replies")


class TestPrivateReplies:
    async def test_facebook_private_reply_to_a_comment(self, service: Service) -> None:
        payload = _fresh_meta("facebook", "feed__comment_add")
        conv = await _inbound(service, "facebook", payload)
        r = await service.reply(conv["id"], "Sent you the details", private_reply=True)
        assert r.status_code == 201, r.text
        await service.send()
        comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
        [call] = service.graph.calls_to("POST /me/messages")
        assert call.params["recipient"] == {"comment_id": comment_id}
        assert service.graph.calls_to("POST /{id}/comments") == []

    async def test_telegram_private_reply_goes_to_the_commenters_chat(
        self, service: Service
    ) -> None:
        payload = load_payload("telegram", "message__discussion_comment")
        conv = await _inbound(service, "telegram", payload)
        await service.reply(conv["id"], "Написал вам в личку", private_reply=True)
        await service.send()
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["chat_id"] == str(payload["message"]["from"]["id"])


class TestDeliveryOutcomes:
    async def test_rate_limited_then_sent_once_after_retry_after(self, service: Service) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        service.tg.script_error(
            "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1
        )
        r = await service.reply(conv["id"], "hello")
        assert await service.send() == 1
        [queued] = [m for m in await service.messages(conv["id"]) if m["id"] == r.json()["id"]]
        assert queued["delivery_status"] == "queued"
        assert await service.send() == 0  # not due before retry_after
        deadline = time.monotonic() + 10
        while await service.send() == 0:
            assert time.monotonic() < deadline, "the rescheduled reply never came due"
            await asyncio.sleep(0.1)
        calls = service.tg.calls_to("sendMessage")
        assert [c.status for c in calls] == [429, 200]
        [sent] = [m for m in await service.messages(conv["id"]) if m["id"] == r.json()["id"]]
        assert sent["delivery_status"] == "sent"

    async def test_blocked_bot_fails_and_marks_the_contact_unreachable(
        self, service: Service
    ) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        service.tg.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        r = await service.reply(conv["id"], "hello?")
        await service.send()
        [failed] = [m for m in await service.messages(conv["id"]) if m["id"] == r.json()["id"]]
        assert failed["delivery_status"] == "failed"
        assert "blocked" in failed["delivery_error"]
        assert await service.send() == 0  # never retried
        assert len(service.tg.calls_to("sendMessage")) == 1
        async with service.rt.engine.connect() as conn:
            unreachable = await conn.scalar(
                select(_account_contacts.c.unreachable).where(
                    _account_contacts.c.contact_id == conv["contact"]["id"]
                )
            )
        assert unreachable is True

    async def test_meta_reply_outside_24h_is_refused_before_any_call(
        self, service: Service
    ) -> None:
        conv = await _inbound(service, "facebook", load_payload("facebook", "messages__text"))
        r = await service.reply(conv["id"], "late answer")
        await service.send()
        [failed] = [m for m in await service.messages(conv["id"]) if m["id"] == r.json()["id"]]
        assert failed["delivery_status"] == "failed"
        assert "24-hour window" in failed["delivery_error"]
        assert service.graph.calls_to("POST /me/messages") == []

    async def test_human_agent_tag_within_7_days_when_the_account_allows_it(
        self, service: Service
    ) -> None:
        conv = await _inbound(service, "facebook", _fresh_meta("facebook", "messages__text"))
        accounts = Account.__table__  # type: ignore[attr-defined]
        async with service.rt.engine.begin() as conn:
            await conn.execute(
                update(accounts)
                .where(accounts.c.id == conv["account_id"])
                .values(options={"allow_human_agent": True})
            )
            await conn.execute(
                update(_account_contacts).values(last_inbound_at=utcnow() - timedelta(days=3))
            )
        service.rt.accounts.forget()  # changed behind the service's back, not by an admin route
        await service.reply(conv["id"], "following up")
        await service.send()
        [call] = service.graph.calls_to("POST /me/messages")
        assert call.params["messaging_type"] == "MESSAGE_TAG"
        assert call.params["tag"] == "HUMAN_AGENT"

    async def test_private_note_never_leaves(self, service: Service) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        r = await service.reply(conv["id"], "internal: VIP customer", private=True)
        assert r.status_code == 201
        note = r.json()
        assert note["private"] is True
        assert note["kind"] == "note"
        assert note["delivery_status"] is None
        assert await service.send() == 0
        assert service.tg.calls == []

    async def test_same_idempotency_key_is_one_message_and_one_call(self, service: Service) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        first = await service.reply(conv["id"], "once", idempotency_key="k-1")
        again = await service.reply(conv["id"], "once", idempotency_key="k-1")
        assert first.json()["id"] == again.json()["id"]
        await service.send()
        assert len(service.tg.calls_to("sendMessage")) == 1

    async def test_unknown_conversation_and_blank_text(self, service: Service) -> None:
        assert (await service.reply(999999, "x")).status_code == 404
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        assert (await service.reply(conv["id"], "   ")).status_code == 422


class TestEchoesOfOurOwnReplies:
    async def test_vk_echo_of_a_sent_reply_is_the_same_message(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "message_new"))
        sent = await _reply_and_send(service, conv, "Доставим завтра")
        _msg, peer, cmid = sent["external_id"].split(":")
        echo = with_changes(
            load_payload("vk", "message_reply"),
            event_id="e" * 40,
            **{
                "object.peer_id": int(peer),
                "object.conversation_message_id": int(cmid),
                "object.text": "Доставим завтра",
            },
        )
        assert (
            await post_vk(service.client, service.accounts["vk"]["id"], echo)
        ).status_code == 200
        await service.drain()
        outbound = [m for m in await service.messages(conv["id"]) if m["direction"] == "out"]
        assert [(m["sender_type"], m["text"]) for m in outbound] == [("agent", "Доставим завтра")]

    async def test_an_echo_that_arrives_before_the_send_is_recorded_is_merged(
        self, service: Service
    ) -> None:
        """Meta can echo a message before the Send API's answer is written down."""
        conv = await _inbound(service, "facebook", _fresh_meta("facebook", "messages__text"))
        r = await service.reply(conv["id"], "On its way")
        mid = "m_echo_first_0001"
        service.graph.answer(
            "POST /me/messages",
            200,
            {"recipient_id": conv["contact"]["external_id"], "message_id": mid},
        )
        echo = _fresh_meta("facebook", "message_echoes")
        echo = with_changes(
            echo,
            **{
                "entry.0.messaging.0.message.mid": mid,
                "entry.0.messaging.0.message.text": "On its way",
                "entry.0.messaging.0.recipient.id": conv["contact"]["external_id"],
            },
        )
        assert (await post_facebook(service.client, echo)).status_code == 200
        await service.drain()  # the echo is stored first, as an agent message
        await service.send()  # then the send is recorded: the echo row is the same message
        outbound = [m for m in await service.messages(conv["id"]) if m["direction"] == "out"]
        assert [(m["id"], m["external_id"], m["delivery_status"]) for m in outbound] == [
            (r.json()["id"], mid, "sent")
        ]
