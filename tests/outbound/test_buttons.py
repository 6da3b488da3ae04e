"""Buttons from ``Reply`` through the outbox row to each fake platform, and a press coming back
through the webhook as a message carrying the button's payload."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from inbox.changes import Changes
from inbox.conversations.models import SenderType
from inbox.outbound import Button
from inbox.outbox.enqueue import Reply, conversation_row, enqueue_reply
from inbox.outbox.models import OutboxRow
from tests.outbound.conftest import Service
from tests.support.factories import post_facebook, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

# button shapes per platform (the outbox itself is tested on both backends).
pytestmark = pytest.mark.one_backend

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
CSAT = tuple(Button(str(n), f"csat:12:{n}") for n in range(1, 6))
STORED = [{"text": str(n), "payload": f"csat:12:{n}"} for n in range(1, 6)]


def _fresh_meta(folder: str, name: str) -> dict[str, Any]:
    """A Meta payload stamped now: replies are allowed only within 24 h of the customer."""
    payload = load_payload(folder, name)
    now_ms = int(time.time() * 1000)
    changes: dict[str, Any] = {"entry.0.time": now_ms}
    if "messaging" in payload["entry"][0]:
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


async def _enqueue(
    svc: Service, conversation_id: int, key: str, buttons: tuple[Button, ...] = CSAT
) -> dict[str, Any]:
    """Queue a bot reply as the CSAT survey will; returns the outbox row's request."""
    reply = Reply("How did we do?", SenderType.BOT, key, buttons=buttons)
    async with svc.rt.engine.begin() as conn:
        conversation = await conversation_row(conn, conversation_id)
        changes: Changes = []
        await enqueue_reply(conn, conversation, reply, changes)
        await svc.rt.reactions.run(conn, changes)
        request = await conn.scalar(
            select(_outbox.c.request).where(_outbox.c.idempotency_key == key)
        )
    assert isinstance(request, dict)
    return request


async def _sent(svc: Service, conversation_id: int) -> dict[str, Any]:
    assert await svc.send() == 1
    [ours] = [m for m in await svc.messages(conversation_id) if m["direction"] == "out"]
    return ours


class TestValidation:
    @pytest.mark.parametrize(
        ("text", "payload", "message"),
        [
            ("5", "x" * 65, "is 65 bytes; at most 64"),
            ("5", "й" * 33, "is 66 bytes; at most 64"),  # bytes, not characters
            ("5", "", "needs a payload"),
            ("  ", "csat:1:5", "needs a label"),
            ("5", "csat:1:5\n", "control characters"),
        ],
    )
    def test_a_bad_button_is_refused(self, text: str, payload: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            Button(text, payload)

    def test_64_bytes_is_the_limit(self) -> None:
        assert Button("5", "x" * 64).payload == "x" * 64
        assert Button("5", "й" * 32).payload == "й" * 32

    def test_a_reply_carries_at_most_ten(self) -> None:
        eleven = tuple(Button(str(n), f"n:{n}") for n in range(11))
        with pytest.raises(ValueError, match="11 buttons; a message carries at most 10"):
            Reply("pick", SenderType.BOT, "k", buttons=eleven)
        assert len(Reply("pick", SenderType.BOT, "k", buttons=eleven[:10]).buttons) == 10

    def test_buttons_must_be_buttons(self) -> None:
        with pytest.raises(ValueError, match="tuple of Button"):
            Reply("pick", SenderType.BOT, "k", buttons=[Button("1", "1")])  # type: ignore[arg-type]


class TestDirectMessages:
    async def test_telegram(self, service: Service) -> None:
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        assert (await _enqueue(service, conv["id"], "csat:tg"))["buttons"] == STORED
        sent = await _sent(service, conv["id"])
        [call] = service.tg.calls_to("sendMessage")
        assert call.json_field("reply_markup") == {
            "inline_keyboard": [
                [{"text": str(n), "callback_data": f"csat:12:{n}"} for n in range(1, 6)]
            ]
        }
        assert (sent["delivery_status"], sent["text"]) == ("sent", "How did we do?")

    async def test_vk(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "message_new"))
        assert (await _enqueue(service, conv["id"], "csat:vk"))["buttons"] == STORED
        sent = await _sent(service, conv["id"])
        [call] = service.vk.calls_to("messages.send")
        assert call.json_field("keyboard") == {
            "inline": True,
            "buttons": [
                [
                    {
                        "action": {
                            "type": "text",
                            "label": str(n),
                            "payload": json.dumps({"b": f"csat:12:{n}"}),
                        }
                    }
                    for n in range(1, 6)
                ]
            ],
        }
        assert sent["delivery_status"] == "sent"

    @pytest.mark.parametrize("channel", ["facebook", "instagram"])
    async def test_meta(self, service: Service, channel: str) -> None:
        conv = await _inbound(service, channel, _fresh_meta(channel, "messages__text"))
        assert (await _enqueue(service, conv["id"], f"csat:{channel}"))["buttons"] == STORED
        sent = await _sent(service, conv["id"])
        [call] = service.graph.calls_to("POST /me/messages")
        assert call.params["message"] == {
            "text": "How did we do?",
            "quick_replies": [
                {"content_type": "text", "title": str(n), "payload": f"csat:12:{n}"}
                for n in range(1, 6)
            ],
        }
        assert sent["delivery_status"] == "sent"


class TestComments:
    """A public reply to a comment cannot carry buttons: it is sent without them."""

    async def test_telegram(self, service: Service) -> None:
        payload = load_payload("telegram", "message__discussion_comment")
        conv = await _inbound(service, "telegram", payload)
        await _enqueue(service, conv["id"], "csat:tg-comment")
        assert (await _sent(service, conv["id"]))["delivery_status"] == "sent"
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["chat_id"] == str(payload["message"]["chat"]["id"])
        assert "reply_markup" not in call.params

    async def test_vk(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "wall_reply_new"))
        await _enqueue(service, conv["id"], "csat:vk-comment")
        assert (await _sent(service, conv["id"]))["delivery_status"] == "sent"
        [call] = service.vk.calls_to("wall.createComment")
        assert "keyboard" not in call.params
        assert service.vk.calls_to("messages.send") == []

    @pytest.mark.parametrize(
        ("channel", "name", "route"),
        [
            ("facebook", "feed__comment_add", "POST /{id}/comments"),
            ("instagram", "comments", "POST /{id}/replies"),
        ],
    )
    async def test_meta(self, service: Service, channel: str, name: str, route: str) -> None:
        conv = await _inbound(service, channel, _fresh_meta(channel, name))
        await _enqueue(service, conv["id"], f"csat:{channel}-comment")
        assert (await _sent(service, conv["id"]))["delivery_status"] == "sent"
        [call] = service.graph.calls_to(route)
        assert call.params == {"message": "How did we do?"}


class TestStoredRows:
    async def test_a_row_without_buttons_still_sends(self, service: Service) -> None:
        """Rows written before buttons existed have no ``buttons`` key at all."""
        conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
        request = await _enqueue(service, conv["id"], "old-row", buttons=())
        assert "buttons" not in request
        assert (await _sent(service, conv["id"]))["delivery_status"] == "sent"
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["text"] == "How did we do?"
        assert "reply_markup" not in call.params

    async def test_a_row_with_broken_buttons_fails_without_a_call(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "message_new"))
        request = await _enqueue(service, conv["id"], "broken-row")
        async with service.rt.engine.begin() as conn:
            await conn.execute(
                update(_outbox)
                .where(_outbox.c.idempotency_key == "broken-row")
                .values(request={**request, "buttons": [{"text": "5", "payload": "x" * 65}]})
            )
        failed = await _sent(service, conv["id"])
        assert failed["delivery_status"] == "failed"
        assert "stored buttons cannot be sent" in failed["delivery_error"]
        assert "at most 64" in failed["delivery_error"]
        assert service.vk.calls == []


class TestPresses:
    async def test_telegram_press_is_answered_and_stored_with_its_payload(
        self, service: Service
    ) -> None:
        payload = load_payload("telegram", "callback_query__button")
        r = await post_telegram(service.client, service.accounts["telegram"]["id"], payload)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {
            "method": "answerCallbackQuery",
            "callback_query_id": payload["callback_query"]["id"],
        }
        await service.drain()
        [conv] = await service.conversations(channel="telegram")
        [press] = await service.messages(conv["id"])
        assert (press["kind"], press["payload"]) == ("postback", "order_status:A-1043")

    async def test_telegram_message_is_answered_with_an_empty_body(self, service: Service) -> None:
        payload = load_payload("telegram", "message__dm_text")
        r = await post_telegram(service.client, service.accounts["telegram"]["id"], payload)
        assert (r.status_code, r.content) == (200, b"")

    async def test_vk_press_is_a_message_with_the_buttons_payload(self, service: Service) -> None:
        conv = await _inbound(service, "vk", load_payload("vk", "message_new__button"))
        [press] = await service.messages(conv["id"])
        assert (press["kind"], press["text"], press["payload"]) == ("message", "5", "csat:12:5")

    @pytest.mark.parametrize(
        ("channel", "name", "expected"),
        [
            ("facebook", "messages__quick_reply", "COLOR_RED"),
            ("instagram", "messages__quick_reply", "csat:12:5"),
        ],
    )
    async def test_meta_quick_reply_carries_its_payload(
        self, service: Service, channel: str, name: str, expected: str
    ) -> None:
        conv = await _inbound(service, channel, _fresh_meta(channel, name))
        [tap] = await service.messages(conv["id"])
        assert (tap["kind"], tap["payload"]) == ("message", expected)
