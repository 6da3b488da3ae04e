"""The buses themselves: bounded per-subscriber queues, closing, and Redis fan-out."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisDown

from inbox.live import (
    LiveEvent,
    LocalLiveBus,
    RedisLiveBus,
    SubscriptionEnded,
    conversation_changed,
    publish_quietly,
)
from inbox.live.events import decode, encode
from tests.support.backends import Backend


async def test_a_slow_subscriber_is_dropped_and_never_blocks_the_publisher() -> None:
    bus = LocalLiveBus(queue_size=3)
    async with bus.subscribe() as slow, bus.subscribe() as quick:
        for n in range(3):
            await bus.publish(conversation_changed(n, "message"))
            assert await quick.get(within=1) == conversation_changed(n, "message")
        await asyncio.wait_for(bus.publish(conversation_changed(3, "message")), timeout=0.1)
        assert slow.dropped
        with pytest.raises(SubscriptionEnded):
            await slow.get(within=1)
        assert await quick.get(within=1) == conversation_changed(3, "message")
        assert len(bus.fanout) == 1


async def test_closing_ends_every_subscription() -> None:
    bus = LocalLiveBus()
    async with bus.subscribe() as sub:
        waiting = asyncio.create_task(sub.get())
        await asyncio.sleep(0)
        await bus.close()
        with pytest.raises(SubscriptionEnded):
            await asyncio.wait_for(waiting, timeout=1)
    async with bus.subscribe() as late:  # after close: ends at once
        with pytest.raises(SubscriptionEnded):
            await late.get(within=1)


def test_the_wire_format_skips_what_it_does_not_know() -> None:
    events = [conversation_changed(1, "delivery"), LiveEvent("presence", 2, {"viewers": []})]
    assert decode(encode(events)) == events
    assert decode(b"not json") == []
    assert decode(b'{"kind": "conversation"}') == []
    assert decode(b'[{"kind": "other", "conversation_id": 1, "data": {}}, 3]') == []


async def test_redis_fans_out_to_every_process(backend: Backend) -> None:
    if backend.redis_url is None:
        pytest.skip("the Redis bus needs Redis")
    channel = f"{backend.queue_prefix}live"
    one, two = Redis.from_url(backend.redis_url), Redis.from_url(backend.redis_url)
    a, b = RedisLiveBus(one, channel), RedisLiveBus(two, channel)
    try:
        async with a.subscribe() as on_a, b.subscribe() as on_b:
            await a.publish(conversation_changed(7, "message"), conversation_changed(8, "update"))
            for sub in (on_a, on_b):  # the publisher's own subscribers hear it once, via Redis
                assert await sub.get(within=2) == conversation_changed(7, "message")
                assert await sub.get(within=2) == conversation_changed(8, "update")
                assert await sub.get(within=0.2) is None
            await two.publish(channel, b"garbage")  # another writer's noise is ignored
            await b.publish(conversation_changed(9, "delivery"))
            assert await on_a.get(within=2) == conversation_changed(9, "delivery")
            await a.close()
            with pytest.raises(SubscriptionEnded):
                await on_a.get(within=1)
        await a.publish(conversation_changed(10, "message"))  # publishing outlives close()
    finally:
        await b.close()
        await one.aclose()
        await two.aclose()


async def test_without_redis_streams_are_refused_and_publishers_carry_on() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    bus = RedisLiveBus(dead, "nowhere:live")
    try:
        with pytest.raises(RedisDown):
            async with bus.subscribe():
                pass
        await asyncio.wait_for(
            publish_quietly(bus, [conversation_changed(1, "message")]), timeout=10
        )  # logged, not raised: the data it announces is already committed
    finally:
        await bus.close()
        await dead.aclose()
