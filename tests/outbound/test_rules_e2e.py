"""The rules engine end to end: a webhook comes in, a rule decides, the fake platform receives
exactly what the rule said — once. Driven by docs/rules.example.yaml, the file the README shows.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import update

from inbox.accounts.models import Account
from inbox.outbox.models import OutboxRow
from inbox.types import utcnow
from inbox.users.models import Role
from tests.outbound.conftest import Service
from tests.outbound.test_agent_replies import _fresh_meta
from tests.support.factories import add_user, login, post_facebook, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "rules.example.yaml"
_accounts = Account.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]


async def _setup(svc: Service) -> dict[str, Any]:
    agent = await add_user(svc.rt, "courier@example.com", Role.AGENT)
    r = await svc.client.post(
        "/api/v1/teams", json={"name": "Delivery", "member_ids": [agent]}, headers=svc.headers
    )
    assert r.status_code == 201, r.text
    r = await svc.client.put(
        "/api/v1/rules/import",
        content=EXAMPLE.read_text(encoding="utf-8").encode(),
        headers={**svc.headers, "Content-Type": "application/yaml"},
    )
    assert r.status_code == 200, r.text
    assert r.json()[0]["name"] == "Greet new Telegram users"
    [team] = (await svc.client.get("/api/v1/teams", headers=svc.headers)).json()
    return {"team_id": team["id"], "agent": agent}


async def _set_options(svc: Service, channel: str, options: dict[str, Any]) -> None:
    async with svc.rt.engine.begin() as conn:
        await conn.execute(
            update(_accounts)
            .where(_accounts.c.id == svc.accounts[channel]["id"])
            .values(options=options)
        )


async def _rule(svc: Service, body: dict[str, Any]) -> dict[str, Any]:
    r = await svc.client.post("/api/v1/rules", json=body, headers=svc.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _labels(svc: Service, channel: str) -> list[list[str]]:
    return [c["labels"] for c in await svc.conversations(channel=channel)]


class TestExampleRuleFile:
    async def test_greets_a_new_telegram_user_once_though_the_webhook_came_five_times(
        self, service: Service
    ) -> None:
        await _setup(service)
        dm = load_payload("telegram", "message__dm_text")
        tg = service.accounts["telegram"]["id"]
        statuses = await asyncio.gather(*(post_telegram(service.client, tg, dm) for _ in range(5)))
        assert {r.status_code for r in statuses} == {200}
        await service.drain()
        await service.send()
        [call] = service.tg.calls_to("sendMessage")
        assert call.params["chat_id"] == "5123456789"
        assert call.params["text"].startswith("Hi Alina! Thanks for writing")
        [conv] = await service.conversations(channel="telegram")
        bot = [m for m in await service.messages(conv["id"]) if m["sender_type"] == "bot"]
        assert [m["delivery_status"] for m in bot] == ["sent"]

        # The same person writing again is not new: no second greeting.
        again = with_changes(dm, update_id=dm["update_id"] + 1, **{"message.message_id": 4411})
        await post_telegram(service.client, tg, again)
        await service.drain()
        await service.send()
        assert len(service.tg.calls_to("sendMessage")) == 1

    async def test_vk_comment_about_delivery_goes_to_the_team_with_a_label(
        self, service: Service
    ) -> None:
        setup = await _setup(service)
        vk = service.accounts["vk"]["id"]
        comment = with_changes(
            load_payload("vk", "wall_reply_new"), **{"object.text": "Где моя доставка?"}
        )
        assert (await post_vk(service.client, vk, comment)).status_code == 200
        other = with_changes(
            load_payload("vk", "wall_reply_new"),
            event_id="f" * 40,
            **{"object.id": 906, "object.from_id": 512345679, "object.text": "Недоставкаы тут"},
        )
        assert (await post_vk(service.client, vk, other)).status_code == 200
        await service.drain()
        convs = {c["contact"]["external_id"]: c for c in await service.conversations(channel="vk")}
        routed = convs["512345678"]
        assert routed["team_id"] == setup["team_id"]
        assert routed["assignee_id"] == setup["agent"]
        assert routed["labels"] == ["delivery"]
        assert convs["512345679"]["team_id"] is None
        assert convs["512345679"]["labels"] == []

    async def test_facebook_comment_with_a_banned_word_is_hidden(self, service: Service) -> None:
        await _setup(service)
        payload = _fresh_meta("facebook", "feed__comment_add")
        payload = with_changes(payload, **{"entry.0.changes.0.value.message": "Best CASINO bonus"})
        assert (await post_facebook(service.client, payload)).status_code == 200
        await service.drain()
        await service.send()
        comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
        [hide] = service.graph.calls_to("POST /{id}")
        assert hide.path.endswith(f"/{comment_id}")
        assert hide.params["is_hidden"] is True
        assert await _labels(service, "facebook") == [["spam"]]

    async def test_answers_outside_business_hours(self, service: Service) -> None:
        await _setup(service)
        today = utcnow().date().isoformat()
        await _set_options(
            service,
            "facebook",
            {"calendar": {"timezone": "UTC", "weekly": {}, "holidays": [today]}},
        )
        assert (
            await post_facebook(service.client, _fresh_meta("facebook", "messages__text"))
        ).status_code == 200
        await service.drain()
        await service.send()
        [call] = service.graph.calls_to("POST /me/messages")
        assert call.params["message"]["text"].startswith("We're closed right now")


class TestRuleBehaviour:
    async def test_monitor_mode_sends_nothing_and_leaves_a_trace(self, service: Service) -> None:
        await _rule(
            service,
            {
                "name": "Try a greeting",
                "mode": "monitor",
                "when": "message_received",
                "then": [{"reply": {"text": "hello"}}],
            },
        )
        await post_telegram(
            service.client,
            service.accounts["telegram"]["id"],
            load_payload("telegram", "message__dm_text"),
        )
        await service.drain()
        assert await service.send() == 0
        assert service.tg.calls == []
        [conv] = await service.conversations(channel="telegram")
        [message] = await service.messages(conv["id"])
        r = await service.client.get(
            f"/api/v1/messages/{message['id']}/rule-traces", headers=service.headers
        )
        [trace] = r.json()
        [entry] = [e for e in trace["trace"] if e.get("rule_name") == "Try a greeting"]
        assert entry["mode"] == "monitor"
        assert entry["matched"] is True
        assert entry["actions"]  # what it would have done

    @pytest.mark.parametrize(
        ("text", "labelled"),
        [("배송 언제 와요?", True), ("배송비 얼마예요?", False), ("Где ДОСТАВКА?", True)],
    )
    async def test_keywords_match_whole_words_in_any_script(
        self, service: Service, text: str, labelled: bool
    ) -> None:
        await _rule(
            service,
            {
                "name": "Shipping",
                "when": "message_received",
                "if": {"text_has_any": ["배송", "доставка"]},
                "then": [{"add_label": ["shipping"]}],
            },
        )
        dm = with_changes(load_payload("telegram", "message__dm_text"), **{"message.text": text})
        await post_telegram(service.client, service.accounts["telegram"]["id"], dm)
        await service.drain()
        assert await _labels(service, "telegram") == [["shipping"] if labelled else []]

    async def test_echoes_of_our_own_replies_never_fire_rules(self, service: Service) -> None:
        await _rule(
            service,
            {
                "name": "Label everything",
                "when": "message_received",
                "then": [{"add_label": ["seen"]}],
            },
        )
        await post_vk(
            service.client, service.accounts["vk"]["id"], load_payload("vk", "message_reply")
        )
        await service.drain()
        assert await _labels(service, "vk") == [[]]

    async def test_automatic_replies_are_capped_per_conversation_per_hour(
        self, service: Service
    ) -> None:
        await _rule(
            service,
            {"name": "Echo", "when": "message_received", "then": [{"reply": {"text": "got it"}}]},
        )
        tg = service.accounts["telegram"]["id"]
        dm = load_payload("telegram", "message__dm_text")
        for n in range(5):
            update_ = with_changes(
                dm, update_id=dm["update_id"] + n, **{"message.message_id": 5000 + n}
            )
            await post_telegram(service.client, tg, update_)
            await service.drain()
        while await service.send():
            pass
        assert len(service.tg.calls_to("sendMessage")) == service.rt.settings.auto_replies_per_hour

    async def test_invalid_rules_are_refused_with_the_place_of_the_error(
        self, service: Service
    ) -> None:
        for body, where in (
            (
                {
                    "name": "x",
                    "when": "message_received",
                    "then": [{"assign_team": {"team": "Nope"}}],
                },
                "Nope",
            ),
            (
                {
                    "name": "x",
                    "when": "message_received",
                    "if": {"text_matches": "(unclosed"},
                    "then": [{"add_label": ["a"]}],
                },
                "text_matches",
            ),
            (
                {
                    "name": "x",
                    "when": "message_received",
                    "then": [{"add_label": ["a"]}],
                    "colour": "red",
                },
                "colour",
            ),
        ):
            r = await service.client.post("/api/v1/rules", json=body, headers=service.headers)
            assert r.status_code == 422, r.text
            assert where in r.text
        assert (await service.client.get("/api/v1/rules", headers=service.headers)).json() == []

    async def test_dry_run_says_what_would_happen_and_does_nothing(self, service: Service) -> None:
        await _setup(service)
        r = await service.client.post(
            "/api/v1/rules/test",
            json={"channel": "vk", "kind": "comment", "text": "когда доставка?"},
            headers=service.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        matched = [e["rule_name"] for e in body["trace"] if e["matched"]]
        assert matched == ["VK comments about delivery go to the Delivery team"]
        assert any("assign_team" in str(a) or "AssignTeam" in str(a) for a in body["would_do"])
        assert service.vk.calls == []

    async def test_agents_cannot_change_rules(self, service: Service) -> None:
        await add_user(service.rt, "agent@example.com", Role.AGENT)
        agent = await login(service.client, "agent@example.com")
        assert (await service.client.get("/api/v1/rules", headers=agent)).status_code == 403


class TestCrashBetweenOutboxAndSend:
    async def test_a_reply_queued_before_a_crash_is_sent_once_after_restart(
        self, service: Service
    ) -> None:
        await _setup(service)
        await post_telegram(
            service.client,
            service.accounts["telegram"]["id"],
            load_payload("telegram", "message__dm_text"),
        )
        await service.drain()  # the worker wrote the reply's outbox row ... and "died"
        restarted = service.rt.make_sender()  # a new process's sender
        assert await restarted.run_once() == 1
        assert await restarted.run_once() == 0
        assert len(service.tg.calls_to("sendMessage")) == 1

    async def test_a_telegram_send_cut_off_mid_call_is_not_repeated(self, service: Service) -> None:
        await _setup(service)
        await post_telegram(
            service.client,
            service.accounts["telegram"]["id"],
            load_payload("telegram", "message__dm_text"),
        )
        await service.drain()
        async with service.rt.engine.begin() as conn:  # a sender took it and died during the call
            await conn.execute(
                update(_outbox).values(
                    status="sending", lease_until=utcnow() - timedelta(seconds=1)
                )
            )
        await service.send()
        assert service.tg.calls_to("sendMessage") == []
        [conv] = await service.conversations(channel="telegram")
        [reply] = [m for m in await service.messages(conv["id"]) if m["sender_type"] == "bot"]
        assert reply["delivery_status"] == "failed"
        assert "may have reached" in reply["delivery_error"]


class TestOutgoingWebhook:
    async def test_a_rule_posts_a_signed_event_once(self, service: Service) -> None:
        received: list[tuple[bytes, dict[str, str]]] = []

        async def hook(request: web.Request) -> web.Response:
            received.append((await request.read(), dict(request.headers)))
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            await _rule(
                service,
                {
                    "name": "Tell the CRM",
                    "when": "message_received",
                    "then": [{"webhook": {"url": f"http://127.0.0.1:{port}/hook", "secret": "s3"}}],
                },
            )
            dm = load_payload("telegram", "message__dm_text")
            for _ in range(3):  # redeliveries
                await post_telegram(service.client, service.accounts["telegram"]["id"], dm)
            await service.drain()
            await service.send()
        finally:
            await runner.cleanup()
        [(body, headers)] = received
        expected = "sha256=" + hmac.new(b"s3", body, hashlib.sha256).hexdigest()
        assert headers["X-Omnibox-Signature"] == expected
        event = json.loads(body)
        assert event["event"] == "message_received"
        assert event["message"]["text"] == dm["message"]["text"]
        assert headers["X-Omnibox-Delivery"].startswith("rule:")
