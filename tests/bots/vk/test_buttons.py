"""Buttons through real vkbottle to the fake VK API, and a press of one coming back."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.vk import normalise
from bots.vk.keyboard import button_payload
from bots.vk.sender import VkSender
from fakes import FakeVk
from inbox.events import EventKind, ThreadKind
from inbox.outbound import AccountAuth, Button, Outbound, OutboundAction
from tests.bots.vk._expect import GROUP, USER, dm, event, ts
from tests.support.payloads import load_payload

ACCOUNT = AccountAuth(id=2, channel=Channel.VK, external_id=GROUP, token="vk1.a.community-token")
WALL_POST = f"wall-{GROUP}_318"
CSAT = tuple(Button(str(n), f"csat:12:{n}") for n in range(1, 6))


def direct(buttons: tuple[Button, ...]) -> Outbound:
    return Outbound(
        1, "vk-1", ACCOUNT, OutboundAction.SEND, ThreadKind.DIRECT, str(USER), "How did we do?",
        buttons=buttons,
    )  # fmt: skip


def comment(*, private: bool) -> Outbound:
    return Outbound(
        7, "outbox-7-key", ACCOUNT, OutboundAction.SEND, ThreadKind.COMMENT, WALL_POST,
        "How did we do?", target_external_id=f"wall_comment-{GROUP}_905", post_id=WALL_POST,
        recipient_id=str(USER), private=private, buttons=CSAT,
    )  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeVk]:
    async with FakeVk() as server:
        yield server


@pytest.fixture
async def sender(fake: FakeVk) -> AsyncIterator[VkSender]:
    sender = VkSender(fake.base_url)
    yield sender
    await sender.close()


def _text(label: str, payload: str) -> dict[str, Any]:
    return {"action": {"type": "text", "label": label, "payload": json.dumps({"b": payload})}}


class TestInlineKeyboard:
    async def test_text_buttons_in_one_row(self, fake: FakeVk, sender: VkSender) -> None:
        delivered = await sender.deliver(direct(CSAT))
        [call] = fake.calls_to("messages.send")
        assert call.json_field("keyboard") == {
            "inline": True,
            "buttons": [[_text(str(n), f"csat:12:{n}") for n in range(1, 6)]],
        }
        assert delivered.external_id is not None  # the fake, like VK, took the keyboard

    async def test_rows_of_five_and_long_labels_cut_to_forty(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        label = "Оцените нашу работу, пожалуйста, от 1 до 10 баллов"
        buttons = tuple(Button(f"{label} {n}", f"opt:{n}") for n in range(7))
        await sender.deliver(direct(buttons))
        rows = fake.calls_to("messages.send")[0].json_field("keyboard")["buttons"]
        assert [len(row) for row in rows] == [5, 2]
        assert {len(b["action"]["label"]) for row in rows for b in row} == {40}
        assert rows[1][1]["action"]["payload"] == '{"b": "opt:6"}'

    async def test_payload_is_a_json_string_within_255(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        worst = '"\\' * 32  # 64 bytes, every one escaped in JSON
        await sender.deliver(direct((Button("x", worst),)))
        [call] = fake.calls_to("messages.send")
        payload = call.json_field("keyboard")["buttons"][0][0]["action"]["payload"]
        assert isinstance(payload, str)
        assert len(payload) <= 255
        assert json.loads(payload) == {"b": worst}
        assert isinstance(call.answer["response"], list)  # not VK's 911

    async def test_no_buttons_no_keyboard(self, fake: FakeVk, sender: VkSender) -> None:
        await sender.deliver(direct(()))
        assert "keyboard" not in fake.calls_to("messages.send")[0].params

    async def test_public_comment_reply_goes_without_buttons(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        delivered = await sender.deliver(comment(private=False))
        [call] = fake.calls_to("wall.createComment")
        assert "keyboard" not in call.params
        assert call.params["message"] == "How did we do?"
        assert (
            delivered.external_id == f"wall_comment-{GROUP}_{call.answer['response']['comment_id']}"
        )

    async def test_private_reply_to_a_commenter_has_them(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        await sender.deliver(comment(private=True))
        [call] = fake.calls_to("messages.send")
        assert call.params["peer_ids"] == str(USER)
        assert len(call.json_field("keyboard")["buttons"][0]) == 5


class TestPress:
    def test_a_pressed_text_button_is_a_message_with_its_payload(self) -> None:
        assert normalise(load_payload("vk", "message_new__button"), GROUP) == [
            event(
                "message_new",
                EventKind.MESSAGE,
                dm(USER),
                USER,
                f"msg:{USER}:44",
                ts(1737453000),
                text="5",
                payload="csat:12:5",
            )
        ]

    async def test_the_sent_payload_comes_back_exactly(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        await sender.deliver(direct(CSAT))
        pressed = fake.calls_to("messages.send")[0].json_field("keyboard")["buttons"][0][1]
        payload = copy.deepcopy(load_payload("vk", "message_new__button"))
        payload["object"]["message"]["payload"] = pressed["action"]["payload"]
        payload["object"]["message"]["text"] = pressed["action"]["label"]
        [press] = normalise(payload, GROUP)
        assert (press.text, press.payload) == ("2", "csat:12:2")

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ('{"b":"csat:12:5"}', "csat:12:5"),
            ('{"command":"start"}', '{"command":"start"}'),  # VK's own Start button
            ('{"b":5}', '{"b":5}'),  # not our shape
            ('["b"]', '["b"]'),
            ("not json", "not json"),
            (None, None),
        ],
    )
    def test_payloads_not_ours_are_kept_as_sent(
        self, raw: str | None, expected: str | None
    ) -> None:
        assert button_payload(raw) == expected
