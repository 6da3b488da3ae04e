"""CSAT end to end: resolve → the survey in the same channel → a button press rates the cycle."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from inbox.reporting.csat import QUESTIONS, THANKS
from inbox.reporting.models import Cycle
from tests.reporting.conftest import Service
from tests.support.factories import post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

pytestmark = pytest.mark.asyncio
_cycles = Cycle.__table__  # type: ignore[attr-defined]


async def _enable(svc: Service, channel: str, **body: Any) -> None:
    account = svc.accounts[channel]["id"]
    r = await svc.client.put(
        f"/api/v1/accounts/{account}/csat", json={"enabled": True, **body}, headers=svc.headers
    )
    assert r.status_code == 200, r.text


async def _resolve(svc: Service, cid: int) -> None:
    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "resolved"}, headers=svc.headers
    )
    assert r.status_code == 200, r.text


async def _cycle(svc: Service, cid: int) -> Any:
    async with svc.rt.engine.connect() as conn:
        return (await conn.execute(select(_cycles).where(_cycles.c.conversation_id == cid))).one()


async def test_telegram_survey_is_sent_once_and_the_press_rates_the_cycle(
    service: Service,
) -> None:
    svc = service
    await _enable(svc, "telegram")
    tg = svc.accounts["telegram"]["id"]
    dm = with_changes(
        load_payload("telegram", "message__dm_text"), **{"message.date": int(time.time())}
    )
    assert (await post_telegram(svc.client, tg, dm)).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _resolve(svc, conv["id"])
    await _resolve(svc, conv["id"])  # resolved again: the same cycle is not asked twice
    assert await svc.send() == 1
    [call] = svc.tg.calls_to("sendMessage")
    cycle = await _cycle(svc, conv["id"])
    keyboard = call.json_field("reply_markup")["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == [
        f"csat:{cycle.id}:{n}" for n in range(1, 6)
    ]
    assert cycle.csat_requested_at is not None
    assert cycle.csat_score is None

    press = with_changes(
        load_payload("telegram", "callback_query__button"),
        **{
            "callback_query.data": f"csat:{cycle.id}:2",
            "callback_query.from.id": dm["message"]["from"]["id"],
            "callback_query.message.chat.id": dm["message"]["chat"]["id"],
        },
    )
    r = await post_telegram(svc.client, tg, press)
    assert r.json()["method"] == "answerCallbackQuery"  # the spinner stops at once
    await svc.drain()
    cycle = await _cycle(svc, conv["id"])
    assert cycle.csat_score == 2
    [after] = await svc.conversations()
    assert after["status"] == "resolved"
    assert await svc.send() == 1  # the thank-you
    # the contact's Telegram client is Russian (language_code "ru"): asked and thanked in it
    assert call.form["text"] == QUESTIONS["ru"]
    assert svc.tg.calls_to("sendMessage")[-1].form["text"] == THANKS["ru"]


async def test_vk_survey_in_the_contacts_language_and_custom_question(service: Service) -> None:
    svc = service
    await _enable(svc, "vk", question="Как мы справились?")
    vk = svc.accounts["vk"]["id"]
    msg = with_changes(
        load_payload("vk", "message_new"), **{"object.message.date": int(time.time())}
    )
    assert (await post_vk(svc.client, vk, msg)).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _resolve(svc, conv["id"])
    assert await svc.send() == 1
    [call] = svc.vk.calls_to("messages.send")
    assert call.form["message"] == "Как мы справились?"
    # what VK sends back is the payload of the pressed button exactly as the sender made it
    five = call.json_field("keyboard")["buttons"][0][4]["action"]
    assert five["label"] == "5"
    press = with_changes(
        load_payload("vk", "message_new__button"),
        **{
            "object.message.payload": five["payload"],
            "object.message.from_id": msg["object"]["message"]["from_id"],
            "object.message.peer_id": msg["object"]["message"]["peer_id"],
        },
    )
    assert (await post_vk(svc.client, vk, press)).status_code == 200
    await svc.drain()
    assert (await _cycle(svc, conv["id"])).csat_score == 5
    assert (await svc.conversations())[0]["status"] == "resolved"


async def test_no_survey_unless_enabled_and_never_under_a_comment(service: Service) -> None:
    svc = service
    tg = svc.accounts["telegram"]["id"]
    dm = with_changes(
        load_payload("telegram", "message__dm_text"), **{"message.date": int(time.time())}
    )
    assert (await post_telegram(svc.client, tg, dm)).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _resolve(svc, conv["id"])
    assert await svc.send() == 0
    assert (await _cycle(svc, conv["id"])).csat_requested_at is None


async def test_a_forged_answer_for_an_unasked_cycle_is_ignored(service: Service) -> None:
    svc = service
    tg = svc.accounts["telegram"]["id"]
    dm = with_changes(
        load_payload("telegram", "message__dm_text"), **{"message.date": int(time.time())}
    )
    assert (await post_telegram(svc.client, tg, dm)).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _resolve(svc, conv["id"])
    cycle = await _cycle(svc, conv["id"])
    press = with_changes(
        load_payload("telegram", "callback_query__button"),
        **{
            "callback_query.data": f"csat:{cycle.id}:1",
            "callback_query.from.id": dm["message"]["from"]["id"],
            "callback_query.message.chat.id": dm["message"]["chat"]["id"],
        },
    )
    assert (await post_telegram(svc.client, tg, press)).status_code == 200
    await svc.drain()
    assert (await _cycle(svc, conv["id"])).csat_score is None  # we never asked
