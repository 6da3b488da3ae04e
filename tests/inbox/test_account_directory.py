"""The one account cache the webhooks, the worker and the outbox sender read: hits kept for the
TTL, misses always asked again, a disabled account asked again by the active-only lookups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from api.runtime import Runtime
from inbox.accounts.directory import AccountDirectory
from inbox.accounts.models import Account
from tests.support.units import orm_session

_accounts = Account.__table__  # type: ignore[attr-defined]


async def _add(rt: Runtime, external_id: str = "111") -> int:
    async with orm_session(rt) as session:
        account = Account(channel="telegram", name="bot", external_id=external_id, token="t1")
        session.add(account)
        await session.commit()
        assert account.id is not None
        return account.id


async def _change(rt: Runtime, account_id: int, **values: Any) -> None:
    async with rt.engine.begin() as conn:
        await conn.execute(update(_accounts).where(_accounts.c.id == account_id).values(**values))


async def _token(directory: AccountDirectory, account_id: int) -> str:
    found = await directory.by_id(account_id)
    assert found is not None
    return found.token


async def test_a_hit_is_kept_until_the_ttl_or_forget(runtime: Runtime) -> None:
    account_id = await _add(runtime)
    directory = AccountDirectory(runtime.engine, ttl_seconds=60)
    first = await directory.by_id(account_id)
    assert first is not None
    assert (first.token, first.external_id, first.is_active) == ("t1", "111", True)
    await _change(runtime, account_id, token="t2")
    assert await _token(directory, account_id) == "t1"
    directory.forget()
    assert await _token(directory, account_id) == "t2"

    expiring = AccountDirectory(runtime.engine, ttl_seconds=0)
    assert await _token(expiring, account_id) == "t2"
    await _change(runtime, account_id, token="t3")
    assert await _token(expiring, account_id) == "t3"


async def test_a_miss_is_never_kept(runtime: Runtime) -> None:
    directory = AccountDirectory(runtime.engine, ttl_seconds=60)
    assert await directory.by_external("telegram", "222") is None
    account_id = await _add(runtime, "222")
    found = await directory.by_external("telegram", "222")
    assert found is not None
    assert found.id == account_id


async def test_a_disabled_account_is_found_only_for_accepted_work(runtime: Runtime) -> None:
    account_id = await _add(runtime)
    directory = AccountDirectory(runtime.engine, ttl_seconds=60)
    await _change(runtime, account_id, is_active=False)
    assert await directory.by_id(account_id) is None
    assert await directory.by_external("telegram", "111") is None
    kept = await directory.by_id(account_id, active_only=False)  # queued events, outbox rows
    assert kept is not None
    assert kept.is_active is False
    await _change(runtime, account_id, is_active=True)
    # Enabled again: the webhooks take it at once, whatever the cache holds.
    assert await directory.by_id(account_id) is not None
    assert await directory.by_external("telegram", "111") is not None


async def test_the_last_read_account_outlives_forget(runtime: Runtime) -> None:
    account_id = await _add(runtime)
    directory = AccountDirectory(runtime.engine, ttl_seconds=60)
    assert directory.last_read(account_id) is None
    await directory.by_id(account_id, active_only=False)
    directory.forget()
    last = directory.last_read(account_id)
    assert last is not None
    assert last.channel == "telegram"


def test_the_runtime_shares_one_directory(runtime: Runtime) -> None:
    """Webhooks, worker and outbox sender read through the same cache, so ``forget`` after an
    admin's change reaches all three."""
    worker, sender = runtime.make_worker(), runtime.make_sender()
    assert worker._accounts is runtime.accounts
    assert sender._accounts is runtime.accounts
