"""Every opt-in / opt-out signal, through the webhook and the worker, into the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from tests.newsletters.conftest import Service
from tests.newsletters.helpers import ledger, state, subscribers
from tests.support.factories import post_facebook, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes


async def _tg(svc: Service, payload: dict[str, Any]) -> None:
    r = await post_telegram(svc.client, svc.accounts["telegram"]["id"], payload)
    assert r.status_code == 200, r.text
    await svc.drain()


async def _vk(svc: Service, payload: dict[str, Any]) -> None:
    r = await post_vk(svc.client, svc.accounts["vk"]["id"], payload)
    assert r.status_code == 200, r.text
    await svc.drain()


async def _meta(svc: Service, payload: dict[str, Any]) -> None:
    r = await post_facebook(svc.client, payload)
    assert r.status_code == 200, r.text
    await svc.drain()


def _command(text: str, date: int = 1737449000) -> dict[str, Any]:
    head = text.split(" ", 1)[0]
    return with_changes(
        load_payload("telegram", "message__dm_start"),
        **{
            "message.text": text,
            "message.date": date,
            "message.entities": [{"offset": 0, "length": len(head), "type": "bot_command"}],
        },
    )


class TestTelegram:
    async def test_start_with_a_deep_link_param_subscribes_from_that_source(
        self, service: Service
    ) -> None:
        await _tg(service, load_payload("telegram", "message__dm_start"))
        assert await state(service, "telegram") == ("subscribed", "telegram_start")
        assert await ledger(service, "telegram") == [("opt_in", "telegram_start", "spring_promo")]
        [item] = await subscribers(service, "telegram")
        assert item["name"] == "Alina Petrova"
        assert item["channel"] == "telegram"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("/start", ("opt_in", "telegram_start", None)),
            ("/subscribe", ("opt_in", "command", "/subscribe")),
            ("/stop", ("opt_out", "command", "/stop")),
            ("/unsubscribe@acme_support_example_bot", ("opt_out", "command", "/unsubscribe")),
        ],
    )
    async def test_commands(
        self, service: Service, text: str, expected: tuple[str, str, str | None]
    ) -> None:
        await _tg(service, _command(text))
        status = "subscribed" if expected[0] == "opt_in" else "unsubscribed"
        assert await state(service, "telegram") == (status, expected[1])
        assert await ledger(service, "telegram") == [expected]

    async def test_unknown_command_or_plain_text_is_no_signal(self, service: Service) -> None:
        await _tg(service, _command("/help"))
        await _tg(service, load_payload("telegram", "message__dm_text"))
        assert await state(service, "telegram") is None
        assert await ledger(service, "telegram") == []

    async def test_blocking_then_unblocking_the_bot(self, service: Service) -> None:
        await _tg(service, load_payload("telegram", "my_chat_member__blocked"))
        assert await state(service, "telegram") == ("unsubscribed", "telegram_blocked")
        await _tg(service, load_payload("telegram", "my_chat_member__unblocked"))
        assert await state(service, "telegram") == ("subscribed", "telegram_unblocked")
        assert await ledger(service, "telegram") == [
            ("opt_out", "telegram_blocked", None),
            ("opt_in", "telegram_unblocked", None),
        ]

    async def test_an_older_signal_arriving_late_does_not_flip_a_newer_one(
        self, service: Service
    ) -> None:
        # Unblocked at 1737470000; the block of 1737460000 is delivered only afterwards.
        await _tg(service, load_payload("telegram", "my_chat_member__unblocked"))
        await _tg(service, load_payload("telegram", "my_chat_member__blocked"))
        assert await state(service, "telegram") == ("subscribed", "telegram_unblocked")
        assert len(await ledger(service, "telegram")) == 2  # recorded all the same
        [contact_id] = [s["contact_id"] for s in await subscribers(service, "telegram")]
        r = await service.client.get(f"/api/v1/contacts/{contact_id}", headers=service.headers)
        [pair] = r.json()["subscriptions"]
        assert pair["opted_out"] is False  # the mirror follows the subscription, not arrival

    async def test_a_late_start_does_not_undo_a_newer_stop(self, service: Service) -> None:
        stop = with_changes(
            _command("/stop", 1737449500), update_id=804512031, **{"message.message_id": 4402}
        )
        await _tg(service, stop)
        await _tg(service, _command("/start", 1737449000))
        assert await state(service, "telegram") == ("unsubscribed", "command")
        assert await ledger(service, "telegram") == [
            ("opt_out", "command", "/stop"),
            ("opt_in", "telegram_start", None),
        ]

    async def test_a_command_in_a_discussion_comment_does_nothing(self, service: Service) -> None:
        comment = load_payload("telegram", "message__discussion_comment")
        await _tg(service, with_changes(comment, **{"message.text": "stop"}))
        assert await service.conversations(channel="telegram")  # stored as a comment
        assert await state(service, "telegram") is None
        assert await ledger(service, "telegram") == []


class TestVk:
    async def test_message_allow_and_deny_carry_the_key(self, service: Service) -> None:
        await _vk(service, load_payload("vk", "message_allow"))
        assert await state(service, "vk") == ("subscribed", "vk_message_allow")
        await _vk(service, load_payload("vk", "message_deny"))
        assert await state(service, "vk") == ("unsubscribed", "vk_message_deny")
        assert await ledger(service, "vk") == [
            ("opt_in", "vk_message_allow", "spring_promo_widget"),
            ("opt_out", "vk_message_deny", None),
        ]

    async def test_a_keyword_in_a_wall_comment_does_nothing(self, service: Service) -> None:
        comment = load_payload("vk", "wall_reply_new")
        await _vk(service, with_changes(comment, **{"object.text": "Отписаться"}))
        assert await service.conversations(channel="vk")
        assert await state(service, "vk") is None


class TestKeywords:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Стоп!", ("opt_out", "стоп")),
            ("  UNSUBSCRIBE. ", ("opt_out", "unsubscribe")),
            ("구독  취소", ("opt_out", "구독 취소")),
            ("수신거부", ("opt_out", "수신거부")),
            ("Подписаться", ("opt_in", "подписаться")),
            ("구독!", ("opt_in", "구독")),
        ],
    )
    async def test_default_keywords_in_any_language(
        self, service: Service, text: str, expected: tuple[str, str]
    ) -> None:
        dm = load_payload("vk", "message_new")
        await _vk(service, with_changes(dm, **{"object.message.text": text}))
        status = "subscribed" if expected[0] == "opt_in" else "unsubscribed"
        assert await state(service, "vk") == (status, "keyword")
        assert await ledger(service, "vk") == [(expected[0], "keyword", expected[1])]

    async def test_a_keyword_inside_a_sentence_is_not_a_signal(self, service: Service) -> None:
        dm = load_payload("vk", "message_new")
        await _vk(service, with_changes(dm, **{"object.message.text": "please don't stop"}))
        assert await state(service, "vk") is None

    async def test_the_accounts_own_keywords_replace_the_defaults(self, service: Service) -> None:
        account = service.accounts["facebook"]["id"]
        r = await service.client.put(
            f"/api/v1/accounts/{account}/newsletter-keywords",
            json={"subscribe_keywords": ["Ja, bitte"], "unsubscribe_keywords": ["Basta"]},
            headers=service.headers,
        )
        assert r.status_code == 200, r.text
        dm = load_payload("facebook", "messages__text")
        path = "entry.0.messaging.0.message"
        await _meta(service, with_changes(dm, **{f"{path}.text": "stop", f"{path}.mid": "m_1"}))
        assert await state(service, "facebook") is None
        later = {"entry.0.messaging.0.timestamp": dm["entry"][0]["messaging"][0]["timestamp"] + 1}
        await _meta(
            service,
            with_changes(dm, **{f"{path}.text": "BASTA!", f"{path}.mid": "m_2", **later}),
        )
        assert await state(service, "facebook") == ("unsubscribed", "keyword")
        assert await ledger(service, "facebook") == [("opt_out", "keyword", "basta")]


class TestMetaButtons:
    async def test_messenger_postback_subscribes_and_quick_reply_unsubscribes(
        self, service: Service
    ) -> None:
        postback = load_payload("facebook", "messaging_postbacks")
        await _meta(
            service, with_changes(postback, **{"entry.0.messaging.0.postback.payload": "SUBSCRIBE"})
        )
        assert await state(service, "facebook") == ("subscribed", "button")
        quick = with_changes(
            load_payload("facebook", "messages__quick_reply"),
            **{
                "entry.0.messaging.0.message.quick_reply.payload": "UNSUBSCRIBE",
                "entry.0.messaging.0.timestamp": 1737452700000,  # after the postback
            },
        )
        await _meta(service, quick)
        assert await state(service, "facebook") == ("unsubscribed", "button")
        assert await ledger(service, "facebook") == [
            ("opt_in", "button", "SUBSCRIBE"),
            ("opt_out", "button", "UNSUBSCRIBE"),
        ]

    async def test_instagram_postback(self, service: Service) -> None:
        postback = load_payload("instagram", "messaging_postbacks")
        await _meta(
            service,
            with_changes(postback, **{"entry.0.messaging.0.postback.payload": "UNSUBSCRIBE"}),
        )
        assert await state(service, "instagram") == ("unsubscribed", "button")

    async def test_other_button_payloads_are_no_signal(self, service: Service) -> None:
        await _meta(service, load_payload("facebook", "messaging_postbacks"))  # GET_STARTED
        assert await state(service, "facebook") is None


class TestSendFailures:
    async def test_a_blocked_bot_unsubscribes_a_subscriber(self, service: Service) -> None:
        await _tg(service, load_payload("telegram", "message__dm_start"))
        [conv] = await service.conversations(channel="telegram")
        service.tg.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        r = await service.reply(conv["id"], "hello?")
        assert r.status_code in (200, 201), r.text
        await service.send()
        assert await state(service, "telegram") == ("unsubscribed", "send_failure")
        [_start, (action, method, source)] = await ledger(service, "telegram")
        assert (action, method) == ("opt_out", "send_failure")
        assert "blocked" in source

    async def test_someone_never_subscribed_leaves_no_ledger_row(self, service: Service) -> None:
        await _tg(service, load_payload("telegram", "message__dm_text"))
        [conv] = await service.conversations(channel="telegram")
        service.tg.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await service.reply(conv["id"], "hello?")
        await service.send()
        assert await state(service, "telegram") is None
        assert await ledger(service, "telegram") == []


class TestRules:
    async def test_rules_see_the_subscription_and_their_subscribe_action_is_ledgered(
        self, service: Service
    ) -> None:
        for body in (
            {
                "name": "Tag subscribers",
                "when": "message_received",
                "if": {"subscribed": True},
                "then": [{"add_label": ["subscriber"]}],
            },
            {
                "name": "Complaint ends the newsletter",
                "when": "message_received",
                "if": {"text_has_any": ["arrived"]},
                "then": [{"subscribe": False}],
            },
        ):
            r = await service.client.post("/api/v1/rules", json=body, headers=service.headers)
            assert r.status_code == 201, r.text
        await _tg(service, load_payload("telegram", "message__dm_start"))
        [conv] = await service.conversations(channel="telegram")
        assert conv["labels"] == ["subscriber"]
        await _tg(service, load_payload("telegram", "message__dm_text"))  # "...not arrived yet"
        assert await state(service, "telegram") == ("unsubscribed", "rule")
        [_start, (action, method, source)] = await ledger(service, "telegram")
        assert (action, method) == ("opt_out", "rule")
        assert str(source).startswith("rule:")
