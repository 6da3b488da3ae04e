"""What the worker does when processing fails, and what intake does when the queue fails.

- An event whose processing raises is retried with exponential backoff, then parked in the
  dead letters, while other events keep flowing; an admin lists and replays it, and once the
  fault is gone it is stored exactly once.
- Unsupported event types and anomalous payloads are acknowledged, counted, never retried.
- A webhook whose event the queue cannot take answers 503 (the platform retries), and the
  retry is stored once.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine

import inbox.worker.loop as worker_loop
from api.runtime import Runtime
from inbox.events import InboundEvent
from inbox.queue.base import NewEvent, QueuedEvent, QueueUnavailable
from inbox.queue.embedded import EmbeddedQueue
from inbox.queue.redis_streams import RedisStreamQueue
from inbox.users.models import Role
from tests.support.factories import (
    FB_PAGE,
    VK_GROUP,
    VK_SECRET,
    add_account,
    add_user,
    admin_headers,
    drain,
    login,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.payloads import load_payload
from tests.support.probes import Counters, counter, dead, message_count, wait_for, with_changes

TG_DM = load_payload("telegram", "message__dm_text")


def tg_dm(update_id: int, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    return with_changes(
        TG_DM,
        update_id=update_id,
        **{
            "message.message_id": message_id,
            "message.chat.id": chat_id,
            "message.from.id": chat_id,
            "message.text": text,
        },
    )


def tg_external_id(payload: dict[str, Any]) -> str:
    return f"{payload['message']['chat']['id']}:{payload['message']['message_id']}"


class Fault:
    """Make ``apply_event`` raise for events with chosen platform ids, until switched off."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *external_ids: str) -> None:
        self.external_ids = set(external_ids)
        self.on = True
        self.hits = 0
        real = worker_loop.apply_event

        async def faulty(conn: Any, account_id: int, event: InboundEvent, changes: Any) -> Any:
            if self.on and event.external_id in self.external_ids:
                self.hits += 1
                raise RuntimeError(f"poisoned {event.external_id}")
            return await real(conn, account_id, event, changes)

        monkeypatch.setattr(worker_loop, "apply_event", faulty)


class RetrySpy:
    """Record each ``queue.retry`` call (attempt number and delay) and pass it on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, rt: Runtime) -> None:
        self.calls: list[tuple[str, int, float]] = []
        real = rt.queue.retry

        async def spy(event: QueuedEvent, delay: float, error: str) -> None:
            self.calls.append((event.dedup_key, event.attempts, delay))
            await real(event, delay, error)

        monkeypatch.setattr(rt.queue, "retry", spy)


async def _telegram_account(client: httpx.AsyncClient, rt: Runtime) -> tuple[dict[str, str], int]:
    headers = await admin_headers(client, rt)
    account = await add_account(client, headers, "telegram")
    return headers, int(account["id"])


class TestPoisonEvent:
    async def test_retried_with_backoff_then_parked_while_others_flow(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _headers, tg = await _telegram_account(client, runtime)
        poison = tg_dm(900001, 6100000001, 11, "I break the worker")
        good = tg_dm(900002, 6100000002, 12, "I am fine")
        fault = Fault(monkeypatch, tg_external_id(poison))
        retries = RetrySpy(monkeypatch, runtime)
        counters = await Counters(
            client,
            counter("omnibox_events_retried_total", channel="telegram"),
            counter("omnibox_events_dead_lettered_total", channel="telegram"),
        ).snapshot()

        assert (await post_telegram(client, tg, poison)).status_code == 200
        assert (await post_telegram(client, tg, good)).status_code == 200
        worker = runtime.make_worker()
        assert await worker.run_once() == 2
        assert await message_count(runtime, tg_external_id(good)) == 1  # not held back
        assert await message_count(runtime, tg_external_id(poison)) == 0
        assert await runtime.queue.depth() == 1  # the poison waits for its retry
        assert await dead(runtime) == []

        async def step() -> int:
            await worker.run_once()
            return len(await dead(runtime))

        await wait_for(step, what="the poisoned event to be parked")

        # make_settings: max_attempts 3, backoff base 0.05 s doubling, capped at 0.2 s.
        key = str(poison["update_id"])
        assert retries.calls == [(key, 1, 0.05), (key, 2, 0.1)]
        # Applied in the first batch, then alone after that batch rolled back; then alone at
        # each of the two retries.
        assert fault.hits == 4
        assert await counters.deltas() == [2, 1]
        [parked] = await dead(runtime)
        assert parked.dedup_key == key
        assert parked.attempts == 3
        assert "RuntimeError: poisoned" in parked.error
        assert await runtime.queue.depth() == 0

        later = tg_dm(900003, 6100000003, 13, "after the poison was parked")
        assert (await post_telegram(client, tg, later)).status_code == 200
        await drain(runtime)
        assert await message_count(runtime, tg_external_id(later)) == 1
        assert await message_count(runtime) == 2

    async def test_admin_lists_and_replays_it_and_it_is_stored_once(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        headers, tg = await _telegram_account(client, runtime)
        poison = tg_dm(900011, 6100000011, 21, "Привет, 안녕 🙂")
        fault = Fault(monkeypatch, tg_external_id(poison))
        assert (await post_telegram(client, tg, poison)).status_code == 200
        worker = runtime.make_worker()

        async def step() -> int:
            await worker.run_once()
            return len(await dead(runtime))

        await wait_for(step, what="the poisoned event to be parked")

        r = await client.get("/api/v1/dead-letters", headers=headers)
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        assert item["channel"] == "telegram"
        assert item["account_id"] == tg
        assert item["dedup_key"] == str(poison["update_id"])
        assert item["attempts"] == 3
        assert "RuntimeError: poisoned" in item["error"]
        assert orjson.loads(item["payload"]) == poison

        await add_user(runtime, "agent@example.com", Role.AGENT)
        agent = await login(client, "agent@example.com")
        assert (await client.get("/api/v1/dead-letters", headers=agent)).status_code == 403
        replay_url = f"/api/v1/dead-letters/{item['id']}/replay"
        assert (await client.post(replay_url, headers=agent)).status_code == 403
        assert (await client.get("/api/v1/dead-letters")).status_code == 401

        fault.on = False
        r = await client.post(replay_url, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"replayed": 1}
        assert (await client.get("/api/v1/dead-letters", headers=headers)).json()["items"] == []
        assert (await client.post(replay_url, headers=headers)).status_code == 404
        assert await runtime.queue.depth() == 1

        await drain(runtime)
        assert await message_count(runtime, tg_external_id(poison)) == 1
        assert await message_count(runtime) == 1
        assert await runtime.queue.depth() == 0
        assert await dead(runtime) == []

        # Telegram redelivering the same update afterwards changes nothing.
        assert (await post_telegram(client, tg, poison)).status_code == 200
        await drain(runtime)
        assert await message_count(runtime) == 1

    async def test_event_of_a_deleted_account_is_parked_not_lost(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        """No account row: the worker cannot normalise it, so it fails and is kept, not dropped."""
        await runtime.queue.enqueue_many(
            [NewEvent("telegram", 424242, "1", orjson.dumps(TG_DM), 1737450000.0)]
        )
        worker = runtime.make_worker()

        async def step() -> int:
            await worker.run_once()
            return len(await dead(runtime))

        await wait_for(step, what="the orphan event to be parked")
        [parked] = await dead(runtime)
        assert parked.account_id == 424242
        assert "no longer exists" in parked.error
        assert await message_count(runtime) == 0


def _vk(event_type: str, event_id: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "group_id": VK_GROUP,
        "type": event_type,
        "event_id": event_id,
        "v": "5.199",
        "object": obj,
        "secret": VK_SECRET,
    }


class TestUnprocessable:
    async def test_unsupported_events_are_acknowledged_counted_not_retried(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        headers, tg = await _telegram_account(client, runtime)
        vk = (await add_account(client, headers, "vk"))["id"]
        retries = RetrySpy(monkeypatch, runtime)
        counters = await Counters(
            client,
            counter("omnibox_events_unsupported_total", channel="telegram", event="chat_boost"),
            counter("omnibox_events_unsupported_total", channel="vk", event="group_join"),
            counter("omnibox_events_processed_total", channel="telegram"),
        ).snapshot()

        boost = {
            "update_id": 804519001,
            "chat_boost": {"chat": {"id": -1002000000001, "type": "channel"}, "boost": {}},
        }
        join = _vk("group_join", "aa" * 20, {"user_id": 512345678, "join_type": "join"})
        assert (await post_telegram(client, tg, boost)).status_code == 200
        r = await post_vk(client, vk, join)
        assert (r.status_code, r.text) == (200, "ok")
        # A Telegram channel post is known and deliberately kept out of the inbox.
        channel_post = load_payload("telegram", "channel_post__text")
        assert (await post_telegram(client, tg, channel_post)).status_code == 200

        assert await drain(runtime) == 3  # each taken exactly once
        assert await counters.deltas() == [1, 1, 1]
        assert retries.calls == []
        assert await dead(runtime) == []
        assert await runtime.queue.depth() == 0
        assert await message_count(runtime) == 0

    async def test_anomalous_payloads_are_acknowledged_counted_not_retried(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        headers, tg = await _telegram_account(client, runtime)
        vk = (await add_account(client, headers, "vk"))["id"]
        await add_account(client, headers, "facebook")
        retries = RetrySpy(monkeypatch, runtime)
        counters = await Counters(
            client,
            counter("omnibox_events_anomalous_total", channel="telegram"),
            counter("omnibox_events_anomalous_total", channel="vk"),
            counter("omnibox_events_anomalous_total", channel="facebook"),
        ).snapshot()

        two_fields = {**TG_DM, "update_id": 804519101, "edited_message": TG_DM["message"]}
        bad_message = with_changes(TG_DM, update_id=804519102, **{"message.chat": "nope"})
        vk_no_message = _vk("message_new", "bb" * 20, {"client_info": {}})
        fb_empty_entry = {"object": "page", "entry": [{"id": FB_PAGE, "time": 1737452000123}]}
        for payload in (two_fields, bad_message):
            assert (await post_telegram(client, tg, payload)).status_code == 200
        assert (await post_vk(client, vk, vk_no_message)).status_code == 200
        assert (await post_facebook(client, fb_empty_entry)).status_code == 200

        assert await drain(runtime) == 4
        assert await counters.deltas() == [2, 1, 1]
        assert retries.calls == []
        assert await dead(runtime) == []
        assert await runtime.queue.depth() == 0
        assert await message_count(runtime) == 0


class TestQueueUnavailable:
    async def test_webhook_answers_503_and_the_platform_retry_is_stored_once(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _headers, tg = await _telegram_account(client, runtime)
        update = tg_dm(900021, 6100000021, 31, "sent while the queue was down")

        async def refuse(events: Any) -> list[bool]:
            raise QueueUnavailable("simulated outage")

        with monkeypatch.context() as patch:
            patch.setattr(runtime.queue, "enqueue_many", refuse)
            r = await post_telegram(client, tg, update)
            assert r.status_code == 503, r.text
            assert (await post_telegram(client, tg, update)).status_code == 503
        assert await runtime.queue.depth() == 0  # nothing half-stored

        assert (await post_telegram(client, tg, update)).status_code == 200
        assert (await post_telegram(client, tg, update)).status_code == 200  # a late duplicate
        assert await drain(runtime) == 1
        assert await message_count(runtime, tg_external_id(update)) == 1
        assert await message_count(runtime) == 1

    async def test_unexpected_queue_error_is_also_a_503(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _headers, tg = await _telegram_account(client, runtime)
        update = tg_dm(900031, 6100000031, 41, "a bug, not an outage")

        async def crash(events: Any) -> list[bool]:
            raise KeyError("unexpected")

        with monkeypatch.context() as patch:
            patch.setattr(runtime.queue, "enqueue_many", crash)
            assert (await post_telegram(client, tg, update)).status_code == 503
        assert (await post_telegram(client, tg, update)).status_code == 200
        await drain(runtime)
        assert await message_count(runtime) == 1

    async def test_a_real_backend_outage_is_a_503_on_every_channel(
        self, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The driver's own error (no database file / Redis refusing connections) becomes 503."""
        headers, tg = await _telegram_account(client, runtime)
        vk = (await add_account(client, headers, "vk"))["id"]
        await add_account(client, headers, "facebook")
        update = tg_dm(900041, 6100000041, 51, "during the outage")
        vk_event = load_payload("vk", "message_new")
        fb_batch = load_payload("facebook", "messages__text")
        queue = runtime.queue
        broken_engine = create_async_engine("sqlite+aiosqlite:////nonexistent-omnibox-dir/x.db")
        broken_redis = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
        try:
            with monkeypatch.context() as patch:
                if isinstance(queue, EmbeddedQueue):
                    patch.setattr(queue, "_engine", broken_engine)
                else:
                    assert isinstance(queue, RedisStreamQueue)
                    patch.setattr(queue, "_redis", broken_redis)
                assert (await post_telegram(client, tg, update)).status_code == 503
                assert (await post_vk(client, vk, vk_event)).status_code == 503
                assert (await post_facebook(client, fb_batch)).status_code == 503
        finally:
            await broken_engine.dispose()
            await broken_redis.aclose()

        assert await queue.depth() == 0
        assert (await post_telegram(client, tg, update)).status_code == 200
        assert (await post_vk(client, vk, vk_event)).text == "ok"
        assert (await post_facebook(client, fb_batch)).status_code == 200
        assert await drain(runtime) == 3
        assert await message_count(runtime) == 3
        assert await message_count(runtime, tg_external_id(update)) == 1
