"""A short-lived in-process cache of accounts for the webhook routes.

Every webhook needs its account's secret; reading it from the database on each request would
cost a query on the hottest path. Hits are kept for a few seconds (so a changed secret or a
disabled account takes effect within that time in every process); misses always ask the
database, so a new account works at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.accounts.models import Account

_accounts = Account.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AccountKeys:
    id: int
    channel: str
    external_id: str
    webhook_secret: str
    secret: str
    confirmation_code: str


class AccountDirectory:
    def __init__(self, engine: AsyncEngine, ttl_seconds: float = 5.0) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._by_id: dict[int, tuple[float, AccountKeys]] = {}
        self._by_ext: dict[tuple[str, str], tuple[float, AccountKeys]] = {}

    async def by_id(self, account_id: int) -> AccountKeys | None:
        hit = self._by_id.get(account_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return await self._load(_accounts.c.id == account_id)

    async def by_external(self, channel: str, external_id: str) -> AccountKeys | None:
        hit = self._by_ext.get((channel, external_id))
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return await self._load(
            (_accounts.c.channel == channel) & (_accounts.c.external_id == external_id)
        )

    def forget(self) -> None:
        self._by_id.clear()
        self._by_ext.clear()

    async def _load(self, where: object) -> AccountKeys | None:
        query = select(
            _accounts.c.id,
            _accounts.c.channel,
            _accounts.c.external_id,
            _accounts.c.webhook_secret,
            _accounts.c.secret,
            _accounts.c.confirmation_code,
        ).where(where, _accounts.c.is_active.is_(True))  # type: ignore[arg-type]
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        keys = AccountKeys(*row)
        expires = time.monotonic() + self._ttl
        self._by_id[keys.id] = (expires, keys)
        self._by_ext[(keys.channel, keys.external_id)] = (expires, keys)
        return keys
