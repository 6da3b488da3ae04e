"""Two workers meeting the same new contact or thread at once converge on one row.

The repository reads first and inserts only on a miss; the loser of the insert race must
still come back with the winner's row (and not claim it created it). SQLite takes one writer
at a time, so the race needs PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.runtime import Runtime
from inbox.conversations import repository as repo
from inbox.types import utcnow
from tests.support.backends import Backend
from tests.support.factories import add_account, admin_headers


async def _race(
    runtime: Runtime, write: Callable[[AsyncConnection], Coroutine[Any, Any, Any]]
) -> Any:
    """Run ``write`` in two transactions: the second starts while the first is uncommitted."""
    async with runtime.engine.connect() as first, runtime.engine.connect() as second:
        await first.begin()
        await second.begin()
        won = await write(first)
        loser: asyncio.Task[Any] = asyncio.create_task(write(second))
        await asyncio.sleep(0.3)
        assert not loser.done()  # waiting on the first transaction's row
        await first.commit()
        lost = await loser
        await second.commit()
    return won, lost


def _needs_postgres(backend: Backend) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: the race cannot happen there")


async def test_concurrent_new_contact_is_one_row(runtime: Runtime, backend: Backend) -> None:
    _needs_postgres(backend)

    async def write(conn: AsyncConnection) -> tuple[int, bool]:
        return await repo.upsert_contact(
            conn,
            channel="telegram",
            external_id="777",
            display_name="Ann",
            username=None,
            language=None,
        )

    won, lost = await _race(runtime, write)
    assert won[1] is True
    assert lost == (won[0], False)
    async with runtime.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(repo.contacts)) == 1


async def test_concurrent_new_thread_is_one_conversation(
    client: httpx.AsyncClient, runtime: Runtime, backend: Backend
) -> None:
    _needs_postgres(backend)
    account = await add_account(client, await admin_headers(client, runtime), "telegram")
    async with runtime.engine.begin() as conn:
        contact_id, _new = await repo.upsert_contact(
            conn, channel="telegram", external_id="9", display_name="", username=None, language=None
        )

    async def write(conn: AsyncConnection) -> Any:
        return await repo.upsert_conversation(
            conn,
            {
                "account_id": account["id"],
                "channel": "telegram",
                "kind": "direct",
                "thread_key": "tg:9",
                "peer_id": "9",
                "contact_id": contact_id,
                "last_message_at": utcnow(),
            },
        )

    won, lost = await _race(runtime, write)
    assert lost.id == won.id
    assert lost.status == "open"
    assert lost.contact_id == contact_id
    async with runtime.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(repo.conversations)) == 1
