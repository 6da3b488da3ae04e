"""Tests' shorthands over the service's one way to open a transaction (``unit_of_work``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from inbox.db import Conn, session_on, unit_of_work

T = TypeVar("T")


async def in_unit(engine: AsyncEngine, body: Callable[[Conn], Awaitable[T]]) -> T:
    """``body`` run in one writer unit of work (committed if it returns)."""
    async with unit_of_work(engine) as conn:
        return await body(conn)


@contextlib.asynccontextmanager
async def orm_session(rt: Any) -> AsyncIterator[AsyncSession]:
    """An ORM session in a unit of work of its own, as a request has (committed at the end)."""
    async with unit_of_work(rt.engine, writer=False) as conn, session_on(conn) as session:
        yield session
