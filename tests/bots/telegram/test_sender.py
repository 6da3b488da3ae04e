"""TelegramSender through real aiogram against the fake Bot API."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.registry import build_senders
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.sender import TelegramSender
from fakes import FakeTelegram
from inbox.channels import RateLimited, RecipientGone, Refused, TransientError
from inbox.events import ThreadKind
from inbox.outbound import AccountAuth, Delivered, Outbound, OutboundAction
from tests.support.payloads import load_payload

BOT_ID = "7000000001"
TOKEN = f"{BOT_ID}:AAFakeTokenForTests"
ACCOUNT = AccountAuth(id=1, channel=Channel.TELEGRAM, external_id=BOT_ID, token=TOKEN)
ALINA = "5123456789"  # the customer in the DM fixtures
GROUP = "-1002000000002"  # the discussion group in the comment fixtures
DMITRY = "6234567890"
UNICODE = "Здравствуйте! 안녕하세요 👨‍👩‍👧‍👦 заказ 🇰🇷 감사합니다 👍🏽"


def dm(text: str = "Your order ships today.", **kw: Any) -> Outbound:
    return Outbound(1, "tg-1", ACCOUNT, OutboundAction.SEND, ThreadKind.DIRECT, ALINA, text, **kw)


def comment(action: OutboundAction = OutboundAction.SEND, **kw: Any) -> Outbound:
    fields: dict[str, Any] = {
        "text": "Yes, they will!",
        "target_external_id": f"{GROUP}:1213",
        "post_id": f"{GROUP}:1207",
        "recipient_id": DMITRY,
    }
    fields.update(kw)
    return Outbound(2, "tg-2", ACCOUNT, action, ThreadKind.COMMENT, GROUP, **fields)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def sender(fake: FakeTelegram) -> AsyncIterator[TelegramSender]:
    sender = TelegramSender(fake.base_url)
    yield sender
    await sender.close()


def sent_id(fake: FakeTelegram) -> int:
    answer = fake.calls[-1].answer
    assert answer["ok"] is True
    return int(answer["result"]["message_id"])


def normalised_reply_to(name: str, replied_id: int) -> str | None:
    """A customer's answer to our message, as the normaliser keys the message it answers."""
    payload = copy.deepcopy(load_payload("telegram", name))
    payload["message"]["reply_to_message"]["message_id"] = replied_id
    [event] = TelegramAdapter().normalise(payload, BOT_ID)
    return event.reply_to_external_id


class TestSend:
    async def test_direct_message(self, fake: FakeTelegram, sender: TelegramSender) -> None:
        delivered = await sender.deliver(dm())
        [call] = fake.calls_to("sendMessage")
        assert call.token == TOKEN
        assert call.form["chat_id"] == ALINA
        assert call.form["text"] == "Your order ships today."
        assert "reply_parameters" not in call.form
        assert "parse_mode" not in call.form  # customer-facing text is never markup
        # When Alina answers this message, the normaliser names it with the same key.
        assert delivered.external_id == f"{ALINA}:{sent_id(fake)}"
        assert delivered.external_id == normalised_reply_to("message__dm_reply", sent_id(fake))

    async def test_public_reply_to_a_comment(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        delivered = await sender.deliver(comment())
        [call] = fake.calls_to("sendMessage")
        assert call.form["chat_id"] == GROUP
        reply = call.json_field("reply_parameters")
        assert reply == {"message_id": 1213, "allow_sending_without_reply": True}
        assert delivered.external_id == f"{GROUP}:{sent_id(fake)}"
        replied = normalised_reply_to("message__discussion_reply_to_comment", sent_id(fake))
        assert delivered.external_id == replied

    async def test_reply_without_a_target_answers_the_post(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(comment(target_external_id=None))
        [call] = fake.calls_to("sendMessage")
        assert call.json_field("reply_parameters")["message_id"] == 1207

    async def test_private_reply_goes_to_the_commenter(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        delivered = await sender.deliver(comment(private=True))
        [call] = fake.calls_to("sendMessage")
        assert call.form["chat_id"] == DMITRY
        assert "reply_parameters" not in call.form
        assert delivered.external_id == f"{DMITRY}:{sent_id(fake)}"

    async def test_unicode_arrives_exactly(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(dm(UNICODE))
        [call] = fake.calls_to("sendMessage")
        assert call.form["text"] == UNICODE

    async def test_one_bot_per_token_keeps_its_connection(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        await sender.deliver(dm())
        await sender.deliver(dm())
        first, second = fake.calls
        assert first.client_port == second.client_port

    @pytest.mark.parametrize(
        ("item", "reason"),
        [
            (dm(""), "empty"),
            (dm("x" * 4097), "text is 4097 characters; Telegram takes at most 4096"),
            (comment(target_external_id=None, post_id=None), "comment or post to answer"),
            (comment(target_external_id="-100999:5"), "not in the discussion group"),
            (comment(private=True, recipient_id=None), "commenter's user id"),
        ],
    )
    async def test_refused_before_calling(
        self, fake: FakeTelegram, sender: TelegramSender, item: Outbound, reason: str
    ) -> None:
        with pytest.raises(Refused, match=reason):
            await sender.deliver(item)
        assert fake.calls == []


class TestModeration:
    async def test_delete(self, fake: FakeTelegram, sender: TelegramSender) -> None:
        delivered = await sender.deliver(comment(OutboundAction.DELETE))
        [call] = fake.calls_to("deleteMessage")
        assert (call.form["chat_id"], call.form["message_id"]) == (GROUP, "1213")
        assert delivered == Delivered()

    @pytest.mark.parametrize("action", [OutboundAction.HIDE, OutboundAction.UNHIDE])
    async def test_hide_is_refused(
        self, fake: FakeTelegram, sender: TelegramSender, action: OutboundAction
    ) -> None:
        with pytest.raises(Refused, match="Telegram cannot hide messages; delete"):
            await sender.deliver(comment(action))
        assert fake.calls == []


class TestErrors:
    async def test_429_is_rate_limited_with_retry_after(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script_error("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        with pytest.raises(RateLimited) as caught:
            await sender.deliver(dm())
        assert caught.value.retry_after == 7
        assert (await sender.deliver(dm())).external_id  # only the scripted call failed

    async def test_blocked_bot_is_recipient_gone(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        with pytest.raises(RecipientGone, match="Telegram 403: Forbidden: bot was blocked"):
            await sender.deliver(dm())

    async def test_private_reply_to_someone_who_never_started_the_bot_is_refused(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script_error("sendMessage", 403, "Forbidden: bot can't initiate conversation")
        with pytest.raises(Refused, match="never started a chat with the bot"):
            await sender.deliver(comment(private=True))

    async def test_private_reply_to_someone_who_blocked_the_bot_is_recipient_gone(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        with pytest.raises(RecipientGone):
            await sender.deliver(comment(private=True))

    async def test_403_in_the_group_is_refused_not_the_commenter(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script_error("sendMessage", 403, "Forbidden: bot was kicked from the supergroup")
        with pytest.raises(Refused, match="may not post"):
            await sender.deliver(comment())

    async def test_400_is_refused(self, fake: FakeTelegram, sender: TelegramSender) -> None:
        fake.script_error("deleteMessage", 400, "Bad Request: message can't be deleted")
        with pytest.raises(Refused, match="Telegram 400: Bad Request: message can't be deleted"):
            await sender.deliver(comment(OutboundAction.DELETE))

    async def test_5xx_is_transient(self, fake: FakeTelegram, sender: TelegramSender) -> None:
        fake.script_error("sendMessage", 500, "Internal Server Error")
        with pytest.raises(TransientError):
            await sender.deliver(dm())

    async def test_non_json_gateway_error_is_transient(
        self, fake: FakeTelegram, sender: TelegramSender
    ) -> None:
        fake.script("sendMessage", status=502, text="<html>502 Bad Gateway</html>")
        with pytest.raises(TransientError):
            await sender.deliver(dm())

    async def test_timeout_is_transient(self, fake: FakeTelegram) -> None:
        fake.script("sendMessage", body={"ok": True, "result": True}, delay=1)
        sender = TelegramSender(fake.base_url, timeout=0.1)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm())
        finally:
            await sender.close()

    async def test_closed_port_is_transient(self) -> None:
        async with FakeTelegram() as gone:
            base = gone.base_url
        sender = TelegramSender(base)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm())
        finally:
            await sender.close()

    async def test_fake_rate_cap_reaches_the_sender(self) -> None:
        async with FakeTelegram(rate_limit=1) as fake:
            sender = TelegramSender(fake.base_url)
            try:
                await sender.deliver(dm())
                with pytest.raises(RateLimited) as caught:
                    await sender.deliver(dm())
            finally:
                await sender.close()
        assert caught.value.retry_after == 1
        assert [c.rate_limited for c in fake.calls] == [False, True]

    async def test_malformed_token_is_refused(self, fake: FakeTelegram) -> None:
        sender = TelegramSender(fake.base_url)
        bad = AccountAuth(id=2, channel=Channel.TELEGRAM, external_id="1", token="not a token")
        item = Outbound(1, "k", bad, OutboundAction.SEND, ThreadKind.DIRECT, ALINA, "hi")
        with pytest.raises(Refused, match="malformed"):
            await sender.deliver(item)
        assert fake.calls == []


async def test_build_senders_wires_telegram(fake: FakeTelegram) -> None:
    senders = build_senders(fake.base_url, "http://vk.invalid", "http://graph.invalid", "v25.0")
    try:
        assert isinstance(senders["telegram"], TelegramSender)
        assert {name: s.channel.value for name, s in senders.items()} == {
            "telegram": "telegram",
            "vk": "vk",
            "facebook": "facebook",
            "instagram": "instagram",
        }
        await senders["telegram"].deliver(dm())
        assert len(fake.calls_to("sendMessage")) == 1
    finally:
        for sender in senders.values():
            await sender.close()
