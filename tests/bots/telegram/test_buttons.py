"""Buttons through real aiogram to the fake Bot API, and a press of one coming back."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.sender import TelegramSender
from bots.telegram.webhook_answer import webhook_answer
from fakes import FakeTelegram
from inbox.events import EventKind, ThreadKind
from inbox.outbound import AccountAuth, Button, Outbound, OutboundAction
from tests.support.payloads import load_payload

BOT_ID = "7000000001"
ACCOUNT = AccountAuth(1, Channel.TELEGRAM, BOT_ID, f"{BOT_ID}:AAFakeTokenForTests")
ALINA = "5123456789"
GROUP = "-1002000000002"
DMITRY = "6234567890"
CSAT = tuple(Button(str(n), f"csat:12:{n}") for n in range(1, 6))


def dm(buttons: tuple[Button, ...]) -> Outbound:
    return Outbound(
        1, "tg-1", ACCOUNT, OutboundAction.SEND, ThreadKind.DIRECT, ALINA, "How did we do?",
        buttons=buttons,
    )  # fmt: skip


def comment(*, private: bool) -> Outbound:
    return Outbound(
        2, "tg-2", ACCOUNT, OutboundAction.SEND, ThreadKind.COMMENT, GROUP, "How did we do?",
        target_external_id=f"{GROUP}:1213", post_id=f"{GROUP}:1207", recipient_id=DMITRY,
        private=private, buttons=CSAT,
    )  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def sender(fake: FakeTelegram) -> AsyncIterator[TelegramSender]:
    sender = TelegramSender(fake.base_url)
    yield sender
    await sender.close()


def _button(text: str, data: str) -> dict[str, Any]:
    return {"text": text, "callback_data": data}


class TestInlineKeyboard:
    async def test_five_buttons_are_one_row(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(dm(CSAT))
        [call] = fake.calls_to("sendMessage")
        assert call.json_field("reply_markup") == {
            "inline_keyboard": [[_button(str(n), f"csat:12:{n}") for n in range(1, 6)]]
        }
        assert call.status == 200  # the fake, like Telegram, took the keyboard

    async def test_more_than_five_wrap_to_rows_of_five(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        buttons = tuple(Button(f"Option {n}", f"opt:{n}") for n in range(7))
        await sender.deliver(dm(buttons))
        rows = fake.calls_to("sendMessage")[0].json_field("reply_markup")["inline_keyboard"]
        assert [[b["callback_data"] for b in row] for row in rows] == [
            ["opt:0", "opt:1", "opt:2", "opt:3", "opt:4"],
            ["opt:5", "opt:6"],
        ]

    async def test_no_buttons_no_markup(self, fake: FakeTelegram, sender: TelegramSender) -> None:
        await sender.deliver(dm(()))
        assert "reply_markup" not in fake.calls_to("sendMessage")[0].form

    async def test_a_64_byte_multibyte_payload_is_taken(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        payload = "й" * 32  # 64 bytes in UTF-8, 32 characters
        await sender.deliver(dm((Button("Да", payload),)))
        [call] = fake.calls_to("sendMessage")
        assert call.status == 200
        assert call.json_field("reply_markup")["inline_keyboard"][0][0]["callback_data"] == payload

    async def test_public_comment_reply_goes_without_buttons(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        delivered = await sender.deliver(comment(private=False))
        [call] = fake.calls_to("sendMessage")
        assert call.form["chat_id"] == GROUP
        assert "reply_markup" not in call.form
        assert delivered.external_id is not None

    async def test_private_reply_to_a_commenter_has_them(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(comment(private=True))
        [call] = fake.calls_to("sendMessage")
        assert call.form["chat_id"] == DMITRY
        assert len(call.json_field("reply_markup")["inline_keyboard"][0]) == 5


class TestPress:
    async def test_the_pressed_buttons_callback_data_is_the_events_payload(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(dm(CSAT))
        [call] = fake.calls_to("sendMessage")
        sent = call.answer["result"]
        pressed = call.json_field("reply_markup")["inline_keyboard"][0][3]
        update = copy.deepcopy(load_payload("telegram", "callback_query__button"))
        query = update["callback_query"]
        query["message"] = {**sent, "chat": {**query["message"]["chat"], "id": int(ALINA)}}
        query["data"] = pressed["callback_data"]

        [event] = TelegramAdapter().normalise(update, BOT_ID)

        assert event.kind is EventKind.POSTBACK
        assert event.payload == "csat:12:4"
        assert event.reply_to_external_id == f"{ALINA}:{sent['message_id']}"

    def test_a_press_is_answered_in_the_webhook_reply(self) -> None:
        update = load_payload("telegram", "callback_query__button")
        assert webhook_answer(update) == {
            "method": "answerCallbackQuery",
            "callback_query_id": "2200000000000000001",
        }

    @pytest.mark.parametrize(
        "update",
        [
            {"update_id": 1, "message": {"message_id": 1}},
            {"update_id": 1, "callback_query": {"id": ""}},
            {"update_id": 1, "callback_query": {"id": 7}},
            {"update_id": 1, "callback_query": "x"},
        ],
    )
    def test_nothing_else_is_answered(self, update: dict[str, Any]) -> None:
        assert webhook_answer(update) is None
