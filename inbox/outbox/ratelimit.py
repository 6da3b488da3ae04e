"""Rate limits for platform calls: GCRA buckets per account and per chat.

GCRA keeps one number per key (the theoretical arrival time of the next call), so a limit is a
single read-modify-write: in a dict for one process, or in one Lua call on Redis so that every
sender process of a deployment shares the same buckets. A platform's own "retry after" is fed
back with :meth:`RateLimiter.penalise`, pushing the bucket past that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    per_second: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        return self.interval * (self.burst - 1)


class RateLimiter(Protocol):
    async def try_acquire(self, limit: Limit) -> float:
        """Take a slot now (0.0) or say how many seconds until one is free (taking nothing)."""
        ...

    async def penalise(self, key: str, seconds: float) -> None:
        """No slot on ``key`` for ``seconds`` (the platform said so)."""
        ...


class GateClosed(Exception):
    """The sender is stopping: a call that has not got its slot yet is not made."""


class Gate:
    """Waits for slots in turn: one waiter per bucket asks the limiter, the others queue.

    Hundreds of concurrent sends of one bot would otherwise all poll the same bucket at each
    free slot (a Redis call each) and take the slots in random order; behind a per-key lock
    they ask one at a time, first come first served. :meth:`close` turns every waiter away.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # key -> lock, [users]
        self._closed = asyncio.Event()

    def close(self) -> None:
        self._closed.set()

    async def acquire(self, *limits: Limit) -> None:
        """Wait until every limit has a slot; they are taken one after the other.
        Raises :class:`GateClosed` once the gate is closed."""
        for limit in limits:
            lock, users = self._locks.setdefault(limit.key, (asyncio.Lock(), [0]))
            users[0] += 1
            try:
                async with lock:
                    await self._wait_for_slot(limit)
            finally:
                users[0] -= 1
                if users[0] == 0:
                    del self._locks[limit.key]  # per-chat keys come and go

    async def _wait_for_slot(self, limit: Limit) -> None:
        while True:
            if self._closed.is_set():
                raise GateClosed
            wait = await self.limiter.try_acquire(limit)
            if wait <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), timeout=wait)


class LocalRateLimiter:
    """Buckets in this process: right when one process sends (``omnibox serve``)."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    async def try_acquire(self, limit: Limit) -> float:
        now = time.monotonic()
        tat = max(self._tat.get(limit.key, now), now)
        if tat - now > limit.tolerance:
            return tat - now - limit.tolerance
        self._tat[limit.key] = tat + limit.interval
        return 0.0

    async def penalise(self, key: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._tat[key] = max(self._tat.get(key, 0.0), until)


_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return tostring(tat - now - tolerance) end
local nxt = tat + interval
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil((nxt - now) * 1000) + 1000)
return '0'
"""

_PENALISE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every sender process; Redis's clock is the one clock."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = f"{prefix}rate:"
        self._gcra = redis.register_script(_GCRA)
        self._penalise = redis.register_script(_PENALISE)

    async def try_acquire(self, limit: Limit) -> float:
        wait = await self._gcra(
            keys=[self._prefix + limit.key], args=[limit.interval, limit.tolerance]
        )
        return float(wait)

    async def penalise(self, key: str, seconds: float) -> None:
        await self._penalise(keys=[self._prefix + key], args=[seconds])
