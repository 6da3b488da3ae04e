"""The outbound buckets: a slot now or the wait until one; shared through Redis when set up."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar

import pytest
from redis.asyncio import Redis

from inbox.ratelimit import (
    Gate,
    Limit,
    LocalRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    Reservation,
)
from tests.support.backends import REDIS_URL


@pytest.fixture(params=["local", "redis"] if REDIS_URL else ["local"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "local":
        yield LocalRateLimiter()
        return
    redis = Redis.from_url(REDIS_URL)
    prefix = f"omnibox-test:{uuid.uuid4().hex[:8]}:"
    try:
        yield RedisRateLimiter(redis, prefix)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_burst_then_a_wait_of_about_one_interval(limiter: RateLimiter) -> None:
    limit = Limit("chat:1", per_second=2.0, burst=3)
    assert [await limiter.try_acquire(limit) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.try_acquire(limit)
    assert 0.3 < wait <= 0.5  # the fourth waits for the next half-second slot


async def test_keys_are_independent(limiter: RateLimiter) -> None:
    a, b = Limit("chat:a", 1.0), Limit("chat:b", 1.0)
    assert await limiter.try_acquire(a) == 0.0
    assert await limiter.try_acquire(a) > 0
    assert await limiter.try_acquire(b) == 0.0


async def test_a_platform_retry_after_closes_the_bucket_for_that_long(
    limiter: RateLimiter,
) -> None:
    limit = Limit("bot:7", per_second=30.0, burst=30)
    await limiter.penalise(limit.key, 5.0)
    wait = await limiter.try_acquire(limit)
    assert 3.9 < wait <= 5.0  # minus the burst allowance of 29 slots of 1/30 s


async def test_redis_buckets_are_shared_between_processes() -> None:
    if not REDIS_URL:
        pytest.skip("needs OMNIBOX_TEST_REDIS_URL")
    prefix = f"omnibox-test:{uuid.uuid4().hex[:8]}:"
    r1, r2 = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    try:
        one, two = RedisRateLimiter(r1, prefix), RedisRateLimiter(r2, prefix)
        limit = Limit("vk:1", per_second=1.0)
        assert await one.try_acquire(limit) == 0.0
        assert await two.try_acquire(limit) > 0.5  # the other "process" sees the taken slot
    finally:
        keys = [k async for k in r1.scan_iter(match=f"{prefix}*")]
        if keys:
            await r1.delete(*keys)
        await r1.aclose()
        await r2.aclose()


_waiter: ContextVar[int] = ContextVar("waiter")


class _Counting:
    """A limiter that counts the questions put to it, and notes which waiter (the ``_waiter``
    of the asking task) got each slot, in the order the slots were handed out."""

    def __init__(self, inner: RateLimiter) -> None:
        self.inner, self.asked = inner, 0
        self.slots_to: list[int] = []

    async def reserve(self, limit: Limit, lead: float = 0.0) -> Reservation:
        self.asked += 1
        got = await self.inner.reserve(limit, lead)
        if got.taken:
            self.slots_to.append(_waiter.get())
        return got

    async def try_acquire(self, limit: Limit) -> float:
        self.asked += 1
        return await self.inner.try_acquire(limit)

    async def penalise(self, key: str, seconds: float) -> None:
        await self.inner.penalise(key, seconds)

    async def shift(self, key: str, seconds: float) -> None:
        await self.inner.shift(key, seconds)


async def test_the_gate_lets_many_waiters_through_in_turn_asking_once_or_twice_each(
    limiter: RateLimiter,
) -> None:
    counting = _Counting(limiter)
    gate = Gate(counting)
    limit = Limit(f"bot:{uuid.uuid4().hex[:6]}", per_second=400.0)
    through: list[int] = []

    async def send(n: int) -> None:
        _waiter.set(n)
        await gate.acquire(limit)
        through.append(n)

    await asyncio.gather(*(send(n) for n in range(60)))
    # First come, first served: the slots went out in arrival order. (The moments the callers
    # wake up at their slots, 2.5 ms apart, may swap on a busy machine: that order is the
    # event loop's, not the gate's, so it is not asserted.)
    assert counting.slots_to == list(range(60))
    assert sorted(through) == list(range(60))
    # Without the gate every waiter polls the bucket at every free slot (~60 * 30 questions).
    assert counting.asked <= 3 * 60
    assert gate._locks == {}  # nothing kept for keys nobody waits on


async def test_a_reserved_slot_is_taken_ahead_and_the_bucket_keeps_its_pace(
    limiter: RateLimiter,
) -> None:
    limit = Limit(f"bot:{uuid.uuid4().hex[:6]}", per_second=10.0)
    first = await limiter.reserve(limit, lead=0.1)
    assert first == Reservation(True, 0.0)
    second = await limiter.reserve(limit, lead=0.1)  # the next slot, 0.1 s away: reserved
    assert second.taken
    assert 0 < second.seconds <= 0.1
    third = await limiter.reserve(limit, lead=0.1)  # 0.2 s away: ask again in ~0.1 s
    assert not third.taken
    assert 0 < third.seconds <= 0.1


async def test_gated_calls_leave_at_their_slots_never_before(limiter: RateLimiter) -> None:
    gate = Gate(limiter)
    limit = Limit(f"bot:{uuid.uuid4().hex[:6]}", per_second=50.0)
    loop = asyncio.get_running_loop()
    left: list[float] = []

    async def call() -> None:
        await gate.acquire(limit)
        left.append(loop.time())

    await asyncio.gather(*(call() for _ in range(26)))
    # Slots are reserved ahead, yet each caller leaves at its own: 26 slots at 50/s span
    # half a second from the first to the last (the first leaves at once).
    assert left[-1] - left[0] >= 0.5 - 0.005


async def test_a_shift_moves_the_next_slot_later(limiter: RateLimiter) -> None:
    limit = Limit(f"bot:{uuid.uuid4().hex[:6]}", per_second=10.0)
    assert (await limiter.reserve(limit)).taken
    await limiter.shift(limit.key, 0.5)
    got = await limiter.reserve(limit)
    assert not got.taken
    assert 0.45 < got.seconds <= 0.6  # one interval (0.1 s) plus the shift, less the time since
