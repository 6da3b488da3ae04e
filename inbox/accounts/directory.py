"""The one short-lived in-process cache of accounts, for everyone who reads them on a hot path.

The webhook routes need an account's secrets on every request, the worker its external id for
every event, the outbox sender its token for every call; reading the row each time would cost
a query each. Hits are kept for a few seconds (so a changed token or secret, or a disabled
account, takes effect within that time in every process, and at once in the one that calls
:meth:`AccountDirectory.forget`); misses always ask the database, so a new account works at
once, and so does an account enabled again for the lookups that want active accounts only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.accounts.models import Account
from inbox.db import unit_of_work

_accounts = Account.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AccountKeys:
    id: int
    channel: str
    external_id: str
    webhook_secret: str
    secret: str
    confirmation_code: str
    token: str
    options: dict[str, Any]
    is_active: bool


_Held = tuple[float, AccountKeys]  # (expires at, on the monotonic clock; the account)


class AccountDirectory:
    def __init__(self, engine: AsyncEngine, ttl_seconds: float = 5.0) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._by_id: dict[int, _Held] = {}
        self._by_ext: dict[tuple[str, str], _Held] = {}

    async def by_id(self, account_id: int, *, active_only: bool = True) -> AccountKeys | None:
        """The account; ``active_only=False`` for work already accepted for it (queued events,
        outbox rows), which goes on while the account is disabled."""
        hit = self._fresh(self._by_id.get(account_id), active_only)
        if hit is not None:
            return hit
        return await self._load(_accounts.c.id == account_id, active_only)

    async def by_external(self, channel: str, external_id: str) -> AccountKeys | None:
        """The active account the platform knows by ``external_id``."""
        hit = self._fresh(self._by_ext.get((channel, external_id)), active_only=True)
        if hit is not None:
            return hit
        where = (_accounts.c.channel == channel) & (_accounts.c.external_id == external_id)
        return await self._load(where, active_only=True)

    def last_read(self, account_id: int) -> AccountKeys | None:
        """The account as last read, however long ago (None if never, or missing then): for
        choices a stale row cannot make wrong, never for credentials."""
        held = self._by_id.get(account_id)
        return None if held is None else held[1]

    def forget(self) -> None:
        """Every lookup asks the database again (after an admin changed an account)."""
        self._by_id = {key: (0.0, keys) for key, (_, keys) in self._by_id.items()}
        self._by_ext = {key: (0.0, keys) for key, (_, keys) in self._by_ext.items()}

    @staticmethod
    def _fresh(held: _Held | None, active_only: bool) -> AccountKeys | None:
        if held is None or held[0] <= time.monotonic():
            return None
        # A disabled account is asked for again: enabling it must work at once.
        return None if active_only and not held[1].is_active else held[1]

    async def _load(self, where: object, active_only: bool) -> AccountKeys | None:
        query = select(
            _accounts.c.id,
            _accounts.c.channel,
            _accounts.c.external_id,
            _accounts.c.webhook_secret,
            _accounts.c.secret,
            _accounts.c.confirmation_code,
            _accounts.c.token,
            _accounts.c.options,
            _accounts.c.is_active,
        ).where(where)  # type: ignore[arg-type]
        async with unit_of_work(self._engine, writer=False) as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        keys = AccountKeys(*row)
        expires = time.monotonic() + self._ttl
        self._by_id[keys.id] = (expires, keys)
        self._by_ext[(keys.channel, keys.external_id)] = (expires, keys)
        return None if active_only and not keys.is_active else keys
