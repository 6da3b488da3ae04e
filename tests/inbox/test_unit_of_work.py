"""One way to open a transaction, and it behaves the same on SQLite and PostgreSQL.

Anything may be awaited inside a unit (the SQLite writer path once drove its body by hand and
failed on the first await that was not the database); an error rolls the whole unit back;
units running at once in one process all commit; a long unit does not keep the event loop to
itself; and an ORM session inside a unit is committed by the unit.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from inbox.db import session_on, unit_of_work
from inbox.types import utcnow
from inbox.users.signing_key import ServiceSecret

_secrets = ServiceSecret.__table__  # type: ignore[attr-defined]


async def _names(runtime: Runtime) -> set[str]:
    async with unit_of_work(runtime.engine, writer=False) as conn:
        return set((await conn.execute(select(_secrets.c.name))).scalars())


def _row(name: str) -> dict[str, object]:
    return {"name": name, "value": "v", "created_at": utcnow()}


@pytest.mark.parametrize("writer", [True, False])
async def test_a_unit_may_await_anything_and_commits_when_it_ends(
    runtime: Runtime, writer: bool
) -> None:
    async def elsewhere() -> str:
        await asyncio.sleep(0.01)
        return "done"

    async with unit_of_work(runtime.engine, writer=writer) as conn:
        await conn.execute(_secrets.insert(), [_row("before")])
        await asyncio.sleep(0.01)  # a timer
        assert await asyncio.create_task(elsewhere()) == "done"  # another task
        assert await asyncio.to_thread(sum, [1, 2]) == 3  # a thread
        await conn.execute(_secrets.insert(), [_row("after")])
        assert "before" not in await _names(runtime)  # not committed yet

    assert {"before", "after"} <= await _names(runtime)


@pytest.mark.parametrize("writer", [True, False])
async def test_an_error_rolls_the_whole_unit_back(runtime: Runtime, writer: bool) -> None:
    class Refused(Exception):
        pass

    async def refused() -> None:
        async with unit_of_work(runtime.engine, writer=writer) as conn:
            await conn.execute(_secrets.insert(), [_row("kept?")])
            await asyncio.sleep(0)
            raise Refused

    with pytest.raises(Refused):
        await refused()
    assert "kept?" not in await _names(runtime)

    async with unit_of_work(runtime.engine, writer=writer) as conn:  # the next one is sound
        await conn.execute(_secrets.insert(), [_row("next")])
    assert "next" in await _names(runtime)


async def test_units_at_once_all_commit(runtime: Runtime) -> None:
    async def one(i: int) -> None:
        async with unit_of_work(runtime.engine) as conn:
            await conn.execute(_secrets.insert(), [_row(f"a{i}")])
            await asyncio.sleep(0.001 * (i % 3))
            await conn.execute(_secrets.insert(), [_row(f"b{i}")])

    await asyncio.gather(*(one(i) for i in range(20)))
    names = await _names(runtime)
    assert {f"a{i}" for i in range(20)} | {f"b{i}" for i in range(20)} <= names


async def test_a_long_unit_lets_the_event_loop_run_others(runtime: Runtime) -> None:
    """On SQLite a writer unit's statements run on the event loop: it must hand the loop back
    now and then, or every webhook would wait for the worker's whole batch."""
    ticks = 0
    running = True

    async def ticker() -> None:
        nonlocal ticks
        while running:
            ticks += 1
            await asyncio.sleep(0)

    async with unit_of_work(runtime.engine) as conn:
        task = asyncio.create_task(ticker())
        for i in range(3000):
            await conn.execute(_secrets.insert(), [_row(f"n{i}")])
        seen_during_the_unit = ticks
        running = False
    await task
    assert seen_during_the_unit >= 2


async def test_an_orm_session_inside_a_unit_is_committed_by_the_unit(runtime: Runtime) -> None:
    async with unit_of_work(runtime.engine, writer=False) as conn, session_on(conn) as session:
        session.add(ServiceSecret(name="orm", value="v"))
    assert "orm" in await _names(runtime)

    async def refused() -> None:
        async with unit_of_work(runtime.engine, writer=False) as conn, session_on(conn) as session:
            session.add(ServiceSecret(name="orm-refused", value="v"))
            await session.flush()
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        await refused()
    assert "orm-refused" not in await _names(runtime)
