"""Redis Streams backend: one stream, one consumer group, any number of processes.

- Intake: a Lua script sets the dedup key and appends to the stream atomically, so a delivery
  is either new and queued, or a known redelivery; the batch goes in one pipeline.
- Claim: due retries move from a delayed sorted set back to the stream; entries idle in a dead
  consumer's pending list longer than the lease are taken over with XAUTOCLAIM; then new
  entries are read with XREADGROUP.
- Done entries are acknowledged and deleted, so the stream holds only unfinished work.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import unit_of_work
from inbox.queue.base import DeadEvent, NewEvent, QueuedEvent, QueueUnavailable
from inbox.queue.dead_letters import insert_dead

DEDUP_TTL_SECONDS = 7 * 24 * 3600  # beyond Meta's 36 h and Telegram's 24 h redelivery horizons

_ENQUEUE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'c', ARGV[2], 'a', ARGV[3], 'k', ARGV[4],
                    'p', ARGV[5], 'r', ARGV[6], 'n', '0')
end
return false
"""

_PROMOTE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(due) do
  local item = KEYS[3] .. id
  local fields = redis.call('HGETALL', item)
  if #fields > 0 then redis.call('XADD', KEYS[2], '*', unpack(fields)) end
  redis.call('DEL', item)
  redis.call('ZREM', KEYS[1], id)
end
return #due
"""


class RedisStreamQueue:
    def __init__(
        self,
        redis: Redis,
        engine: AsyncEngine,
        *,
        prefix: str = "omnibox:",
        lease_seconds: float,
        max_attempts: int,
        block_ms: int = 500,
    ) -> None:
        self._redis = redis
        self._engine = engine
        self._stream = f"{prefix}events"
        self._delayed = f"{prefix}delayed"
        self._delayed_item = f"{prefix}delayed:item:"
        self._dedup = f"{prefix}dedup:"
        self._group = "workers"
        self._lease_ms = int(lease_seconds * 1000)
        self._max_attempts = max_attempts
        self._block_ms = block_ms
        self._enqueue_script = redis.register_script(_ENQUEUE)
        self._promote_script = redis.register_script(_PROMOTE_DUE)
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def enqueue_many(self, events: Sequence[NewEvent]) -> list[bool]:
        if not events:
            return []
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for e in events:
                    await self._enqueue_script(
                        keys=[f"{self._dedup}{e.account_id}:{e.dedup_key}", self._stream],
                        args=[
                            DEDUP_TTL_SECONDS,
                            e.channel,
                            e.account_id,
                            e.dedup_key,
                            e.payload,
                            repr(e.received_at),
                        ],
                        client=pipe,
                    )
                results = await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return [r is not None and r is not False for r in results]

    async def claim(self, consumer: str, limit: int) -> list[QueuedEvent]:
        await self._ensure_group()
        now = time.time()
        await self._promote_script(
            keys=[self._delayed, self._stream, self._delayed_item], args=[now, limit]
        )
        taken: list[QueuedEvent] = []
        _cursor, entries, *_ = await self._redis.xautoclaim(
            self._stream, self._group, consumer, self._lease_ms, "0-0", count=limit
        )
        if entries:
            taken.extend(await self._with_delivery_counts(entries))
        if len(taken) < limit:
            block = None if taken else self._block_ms
            response: Any = await self._redis.xreadgroup(
                self._group, consumer, {self._stream: ">"}, count=limit - len(taken), block=block
            )
            for _stream, stream_entries in response or []:
                taken.extend(_decode(eid, fields, 1) for eid, fields in stream_entries if fields)
        fresh = [e for e in taken if e.attempts <= self._max_attempts]
        for event in taken:
            if event.attempts > self._max_attempts:
                await self.park(event, "gave up: the worker stopped while handling it every time")
        return fresh

    async def _with_delivery_counts(self, entries: list[Any]) -> list[QueuedEvent]:
        ids = [eid for eid, fields in entries if fields]
        if not ids:
            return []
        counts: dict[bytes, int] = {}
        pending: Any = await self._redis.xpending_range(
            self._stream, self._group, min=ids[0], max=ids[-1], count=len(ids) * 4
        )
        for info in pending:
            counts[_as_bytes(info["message_id"])] = int(info["times_delivered"])
        return [
            _decode(eid, fields, counts.get(_as_bytes(eid), 2)) for eid, fields in entries if fields
        ]

    async def ack(self, events: Sequence[QueuedEvent]) -> None:
        if not events:
            return
        ids = [e.id for e in events]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self._group, *ids)
            pipe.xdel(self._stream, *ids)
            await pipe.execute()

    async def retry(self, event: QueuedEvent, delay: float, error: str) -> None:
        item_id = uuid.uuid4().hex
        fields = _encode(event, attempts=event.attempts)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(f"{self._delayed_item}{item_id}", mapping=cast(Any, fields))
            pipe.zadd(self._delayed, {item_id: time.time() + delay})
            pipe.xack(self._stream, self._group, event.id)
            pipe.xdel(self._stream, event.id)
            await pipe.execute()

    async def park(self, event: QueuedEvent, error: str) -> None:
        async with unit_of_work(self._engine) as conn:
            await insert_dead(conn, event, error)
        await self.ack([event])

    async def requeue(self, dead: DeadEvent) -> None:
        await self._redis.xadd(
            self._stream,
            {
                "c": dead.channel,
                "a": dead.account_id,
                "k": dead.dedup_key,
                "p": dead.payload,
                "r": repr(dead.received_at),
                "n": "0",
            },
        )

    async def depth(self) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xlen(self._stream)
            pipe.zcard(self._delayed)
            stream_len, delayed = await pipe.execute()
        return int(stream_len) + int(delayed)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _encode(event: QueuedEvent, attempts: int) -> dict[str, Any]:
    return {
        "c": event.channel,
        "a": event.account_id,
        "k": event.dedup_key,
        "p": event.payload,
        "r": repr(event.received_at),
        "n": str(attempts),
    }


def _decode(entry_id: bytes | str, fields: dict[bytes, bytes], deliveries: int) -> QueuedEvent:
    """``n`` counts deliveries before a retry; ``deliveries`` counts this stream entry's own."""
    return QueuedEvent(
        id=entry_id.decode() if isinstance(entry_id, bytes) else entry_id,
        channel=fields[b"c"].decode(),
        account_id=int(fields[b"a"]),
        dedup_key=fields[b"k"].decode(),
        payload=fields[b"p"],
        received_at=float(fields[b"r"]),
        attempts=int(fields.get(b"n", b"0")) + deliveries,
    )
