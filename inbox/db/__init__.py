"""Engine, the unit of work, and the dialect-specific helpers (insert-or-ignore, upsert).

Every transaction opens the same way: ``async with unit_of_work(engine) as conn``, committed
when the block ends and rolled back if it raises, on both backends; anything may be awaited
inside it. A request binds its ORM session to one (:func:`session_on`).

SQLite gets WAL with ``synchronous=FULL``: a webhook is acknowledged only once its event is
on disk, and WAL lets the agents' reads run beside the single writer. That writer is one at a
time per file, so the hot write paths of a process (intake, claims, the worker's batches, the
outbox) open *writer* units, which take the writer slot in turn on an asyncio lock instead of
in SQLite's busy handler (it sleeps in steps of up to 100 ms, which turned contention into
second-long webhook acks) and run their statements on the event loop
(:mod:`inbox.db.sqlite_writer`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal, Protocol, overload

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.dml import Insert

from inbox.db.sqlite_writer import sqlite_pragmas, writer_unit


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=_pg_settings(url)
    )


def _pg_settings(url: str) -> dict[str, Any]:
    """JIT off: it compiles the reports' aggregates for 280-360 ms a statement, more than the
    queries themselves take (bench/reports), and never pays for itself on this workload."""
    if "+asyncpg" in url:
        return {"server_settings": {"jit": "off"}}
    return {"options": "-c jit=off"}  # libpq drivers (psycopg)


class Conn(Protocol):
    """What repositories use of a connection inside a unit of work."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...

    async def exec_driver_sql(
        self, statement: str, parameters: Any = None
    ) -> CursorResult[Any]: ...


@overload
def unit_of_work(
    engine: AsyncEngine, *, writer: Literal[True] = True
) -> contextlib.AbstractAsyncContextManager[Conn]: ...


@overload
def unit_of_work(
    engine: AsyncEngine, *, writer: Literal[False]
) -> contextlib.AbstractAsyncContextManager[AsyncConnection]: ...


def unit_of_work(
    engine: AsyncEngine, *, writer: bool = True
) -> contextlib.AbstractAsyncContextManager[Conn]:
    """One transaction: committed when the block ends, rolled back if it raises.

    ``writer`` units are the short write paths (intake, the worker, the outbox, maintenance):
    on SQLite they hold the database's writer slot from the start, in turn with the process's
    other writers, and give a ``Conn``. ``writer=False`` units may write too, but are for
    what mostly reads or waits on other things while open (a request, a report, a password
    hash): they take SQLite's lock only when they first write, and give an ``AsyncConnection``
    (an ORM session can bind to it). On PostgreSQL both are a plain transaction.
    """
    if writer and engine.dialect.name == "sqlite":
        return writer_unit(engine)
    return _transaction(engine)


@contextlib.asynccontextmanager
async def _transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as conn:
        yield conn


@contextlib.asynccontextmanager
async def session_on(conn: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """An ORM session inside ``conn``'s unit of work, flushed when the block ends: the unit,
    not the session, commits (the session never commits or closes the unit's transaction)."""
    session = AsyncSession(bind=conn, expire_on_commit=False)
    try:
        yield session
        await session.flush()
    finally:
        await session.close()


def insert_ignore(dialect_name: str, table: Table, index_elements: Sequence[str]) -> Insert:
    """``INSERT … ON CONFLICT (index_elements) DO NOTHING`` for SQLite and PostgreSQL.

    Deduplication always goes through this: the unique constraint decides, never a
    check-then-insert that two workers could both pass.
    """
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    raise NotImplementedError(f"unsupported database dialect {dialect_name!r}")


def dialect_of(conn: Conn) -> str:
    return conn.dialect.name


def upsert(
    dialect_name: str, table: Table, index_elements: Sequence[str], update: Sequence[str]
) -> Insert:
    """``INSERT … ON CONFLICT (index_elements) DO UPDATE SET`` the ``update`` columns."""
    if dialect_name == "postgresql":
        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=list(index_elements), set_={k: pg.excluded[k] for k in update}
        )
    if dialect_name == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=list(index_elements), set_={k: lite.excluded[k] for k in update}
        )
    raise NotImplementedError(f"unsupported database dialect {dialect_name!r}")
