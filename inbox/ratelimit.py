"""Rate limits for platform calls (and sign-in attempts): GCRA buckets per key.

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


@dataclass(frozen=True, slots=True)
class Reservation:
    """``taken``: a slot is this caller's, ``seconds`` from now. Else: ask again in
    ``seconds`` (nothing was taken)."""

    taken: bool
    seconds: float


class RateLimiter(Protocol):
    async def reserve(self, limit: Limit, lead: float = 0.0) -> Reservation:
        """Take the next slot if it is free within ``lead`` seconds, else say when to ask."""
        ...

    async def try_acquire(self, limit: Limit) -> float:
        """Take a slot now (0.0) or say how many seconds until one is free (taking nothing)."""
        ...

    async def penalise(self, key: str, seconds: float) -> None:
        """No slot on ``key`` for ``seconds`` (the platform said so)."""
        ...

    async def shift(self, key: str, seconds: float) -> None:
        """Every slot not yet taken on ``key`` moves ``seconds`` later."""
        ...


LATE_SECONDS = 0.002  # a wake-up later than this moves the bucket's next slots too


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
        Raises :class:`GateClosed` once the gate is closed.

        The slot is reserved up to one interval ahead and the caller leaves at its moment:
        asking only once it is free would start each interval a wake-up late, and the lost
        milliseconds add up (19 calls a second out of 20)."""
        for limit in limits:
            lock, users = self._locks.setdefault(limit.key, (asyncio.Lock(), [0]))
            users[0] += 1
            try:
                async with lock:
                    delay = await self._reserve(limit)
            finally:
                users[0] -= 1
                if users[0] == 0:
                    del self._locks[limit.key]  # per-chat keys come and go
            loop = asyncio.get_running_loop()
            due = loop.time() + delay
            if delay > 0:
                await self._sleep(delay)
            late = loop.time() - due
            if late > LATE_SECONDS:  # a busy loop woke this caller late: the slots after it
                await self.limiter.shift(limit.key, late)  # move too, or they bunch up

    async def _reserve(self, limit: Limit) -> float:
        while True:
            if self._closed.is_set():
                raise GateClosed
            got = await self.limiter.reserve(limit, lead=limit.interval)
            if got.taken:
                return got.seconds
            await self._sleep(got.seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout=seconds)
        if self._closed.is_set():
            raise GateClosed


class LocalRateLimiter:
    """Buckets in this process: right when one process sends (``omnibox serve``)."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    async def reserve(self, limit: Limit, lead: float = 0.0) -> Reservation:
        now = time.monotonic()
        tat = max(self._tat.get(limit.key, now), now)
        free_in = tat - now - limit.tolerance
        if free_in > lead:
            return Reservation(False, free_in - lead)
        self._tat[limit.key] = tat + limit.interval
        return Reservation(True, max(0.0, free_in))

    async def try_acquire(self, limit: Limit) -> float:
        got = await self.reserve(limit)
        return 0.0 if got.taken else got.seconds

    async def penalise(self, key: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._tat[key] = max(self._tat.get(key, 0.0), until)

    async def shift(self, key: str, seconds: float) -> None:
        if key in self._tat:
            self._tat[key] = max(self._tat[key], time.monotonic()) + seconds


_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local lead = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local free_in = tat - now - tolerance
if free_in > lead then return 'w' .. tostring(free_in - lead) end
local nxt = tat + interval
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil((nxt - now) * 1000) + 1000)
if free_in < 0 then free_in = 0 end
return 'r' .. tostring(free_in)
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


_SHIFT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nxt = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil((nxt - now) * 1000) + 1000)
return 1
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every sender process; Redis's clock is the one clock."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = f"{prefix}rate:"
        self._gcra = redis.register_script(_GCRA)
        self._penalise = redis.register_script(_PENALISE)
        self._shift = redis.register_script(_SHIFT)

    async def reserve(self, limit: Limit, lead: float = 0.0) -> Reservation:
        raw = await self._gcra(
            keys=[self._prefix + limit.key], args=[limit.interval, limit.tolerance, lead]
        )
        answer = raw.decode() if isinstance(raw, bytes) else str(raw)
        return Reservation(answer[0] == "r", float(answer[1:]))

    async def try_acquire(self, limit: Limit) -> float:
        got = await self.reserve(limit)
        return 0.0 if got.taken else got.seconds

    async def penalise(self, key: str, seconds: float) -> None:
        await self._penalise(keys=[self._prefix + key], args=[seconds])

    async def shift(self, key: str, seconds: float) -> None:
        await self._shift(keys=[self._prefix + key], args=[seconds])
