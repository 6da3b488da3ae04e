"""Who is looking at a conversation, and who is typing: heartbeats that expire.

A page sends a heartbeat every few seconds while a conversation is open (and at once when
typing starts or stops). A viewer is gone ``ttl`` seconds after its last heartbeat; a typing
flag ``typing_ttl`` seconds after its last typing heartbeat. Each call returns the current
viewers and whether they differ from what was last announced, so the caller publishes a
``presence`` event on a change only: an identical heartbeat costs nothing downstream. Expiry
is noticed on the next call for that conversation (the remaining viewers' heartbeats).

The local registry serves one process; the Redis one keeps a hash per conversation
(``<prefix>presence:<id>``, updated by one atomic script on Redis's own clock) so every API
process behind a load balancer agrees.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    name: str
    typing: bool

    def as_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "name": self.name, "typing": self.typing}


@dataclass(frozen=True, slots=True)
class Seen:
    viewers: list[Viewer]
    changed: bool  # differs from the last announced state: publish a presence event

    def as_dicts(self) -> list[dict[str, Any]]:
        return [v.as_dict() for v in self.viewers]


class PresenceRegistry(Protocol):
    async def beat(self, conversation_id: int, user_id: int, name: str, typing: bool) -> Seen: ...

    async def leave(self, conversation_id: int, user_id: int) -> Seen: ...

    async def viewers(self, conversation_id: int) -> list[Viewer]: ...


def _signature(viewers: list[Viewer]) -> str:
    return ",".join(f"{v.user_id}{'t' if v.typing else 'f'}" for v in viewers)


@dataclass(slots=True)
class _Entry:
    name: str
    seen: float
    typing_until: float


class LocalPresence:
    def __init__(
        self, ttl: float, typing_ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._typing_ttl = typing_ttl
        self._clock = clock
        self._rooms: dict[int, dict[int, _Entry]] = {}
        self._announced: dict[int, str] = {}
        self._swept = clock()

    async def beat(self, conversation_id: int, user_id: int, name: str, typing: bool) -> Seen:
        now = self._clock()
        if now - self._swept > self._ttl:  # forget rooms everyone left without a DELETE
            self._swept = now
            for cid in [c for c in self._rooms if c != conversation_id]:
                self._settle(cid, now)
        room = self._rooms.setdefault(conversation_id, {})
        room[user_id] = _Entry(name, now, now + self._typing_ttl if typing else 0.0)
        return self._settle(conversation_id, now)

    async def leave(self, conversation_id: int, user_id: int) -> Seen:
        self._rooms.get(conversation_id, {}).pop(user_id, None)
        return self._settle(conversation_id, self._clock())

    async def viewers(self, conversation_id: int) -> list[Viewer]:
        return self._current(conversation_id, self._clock())

    def _current(self, conversation_id: int, now: float) -> list[Viewer]:
        room = self._rooms.get(conversation_id, {})
        for uid in [u for u, e in room.items() if e.seen + self._ttl < now]:
            del room[uid]
        return [Viewer(uid, e.name, e.typing_until > now) for uid, e in sorted(room.items())]

    def _settle(self, conversation_id: int, now: float) -> Seen:
        viewers = self._current(conversation_id, now)
        signature = _signature(viewers)
        changed = self._announced.get(conversation_id, "") != signature
        if viewers:
            self._announced[conversation_id] = signature
        else:  # an empty room is forgotten, so the registry does not grow without bound
            self._rooms.pop(conversation_id, None)
            self._announced.pop(conversation_id, None)
        return Seen(viewers, changed)


# KEYS[1] the conversation's hash; ARGV: op (beat|leave|read), user id, name, typing (1|0),
# ttl, typing ttl. Fields ``u:<user id>`` hold [name, seen, typing_until]; ``sig`` the state
# last announced. Returns {changed (1|0), viewers as JSON [[id, name, typing], ...]}.
_SCRIPT = """
local key = KEYS[1]
local op = ARGV[1]
local ttl = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if op == 'beat' then
  local typing_until = 0
  if ARGV[4] == '1' then typing_until = now + tonumber(ARGV[6]) end
  redis.call('HSET', key, 'u:' .. ARGV[2], cjson.encode({ARGV[3], now, typing_until}))
elseif op == 'leave' then
  redis.call('HDEL', key, 'u:' .. ARGV[2])
end
local all = redis.call('HGETALL', key)
local viewers = {}
for i = 1, #all, 2 do
  local field = all[i]
  if string.sub(field, 1, 2) == 'u:' then
    local v = cjson.decode(all[i + 1])
    if v[2] + ttl < now then
      redis.call('HDEL', key, field)
    else
      table.insert(viewers, {tonumber(string.sub(field, 3)), v[1], v[3] > now})
    end
  end
end
table.sort(viewers, function(a, b) return a[1] < b[1] end)
local parts = {}
for _, v in ipairs(viewers) do
  local flag = 'f'
  if v[3] then flag = 't' end
  table.insert(parts, v[1] .. flag)
end
local signature = table.concat(parts, ',')
local changed = 0
if op ~= 'read' then
  local before = redis.call('HGET', key, 'sig') or ''
  if before ~= signature then changed = 1 end
  if #viewers == 0 then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'sig', signature)
    redis.call('PEXPIRE', key, math.ceil(ttl * 1000) + 1000)
  end
end
if #viewers == 0 then return {changed, '[]'} end
return {changed, cjson.encode(viewers)}
"""


class RedisPresence:
    def __init__(self, redis: Redis, prefix: str, ttl: float, typing_ttl: float) -> None:
        self._prefix = prefix
        self._ttl = ttl
        self._typing_ttl = typing_ttl
        self._script = redis.register_script(_SCRIPT)

    async def beat(self, conversation_id: int, user_id: int, name: str, typing: bool) -> Seen:
        return await self._call("beat", conversation_id, user_id, name, typing)

    async def leave(self, conversation_id: int, user_id: int) -> Seen:
        return await self._call("leave", conversation_id, user_id)

    async def viewers(self, conversation_id: int) -> list[Viewer]:
        return (await self._call("read", conversation_id)).viewers

    async def _call(
        self, op: str, conversation_id: int, user_id: int = 0, name: str = "", typing: bool = False
    ) -> Seen:
        changed, raw = await self._script(
            keys=[f"{self._prefix}presence:{conversation_id}"],
            args=[op, user_id, name, "1" if typing else "0", self._ttl, self._typing_ttl],
        )
        viewers = [Viewer(int(uid), str(n), bool(t)) for uid, n, t in orjson.loads(raw)]
        return Seen(viewers, bool(changed))
