"""Engine and session factory, plus the one dialect-specific helper (insert-or-ignore).

SQLite gets WAL with ``synchronous=FULL``: a webhook is acknowledged only once its event is
on disk, and WAL lets the agents' reads run beside the single writer. That writer is one at a
time per file, so the hot write paths of a process (intake, claims, the worker's batches, the
outbox) queue for it on an asyncio lock (:func:`writing`) instead of in SQLite's busy handler,
which sleeps in steps of up to 100 ms and turned contention into second-long webhook acks.

Repositories take a :class:`Conn`: an ``AsyncConnection``, or on SQLite an inline adapter over
a plain ``sqlite3`` connection (see :func:`transact`). aiosqlite hops to its thread and back
four times per statement, which made a stored message cost ~5 ms; :func:`transact` runs a
whole batch in one hop instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.dml import Insert


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
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


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_write_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction; on SQLite, taken in turn with the process's other writers."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            yield conn
        return
    async with _write_lock(engine), engine.begin() as conn:
        yield conn


T = TypeVar("T")


class Conn(Protocol):
    """What repositories use of a connection inside a transaction."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...

    async def exec_driver_sql(
        self, statement: str, parameters: Any = None
    ) -> CursorResult[Any]: ...


class _InlineConn:
    """A sync connection behind the async ``Conn`` methods: every await completes at once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return self._conn.scalar(statement, parameters)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        return self._conn.exec_driver_sql(statement, parameters)


def _run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (all its awaits are on an ``_InlineConn``)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a transaction body run inline awaited something other than the database")


_sync_engines: weakref.WeakKeyDictionary[Any, Engine] = weakref.WeakKeyDictionary()


def _sync_engine(engine: AsyncEngine) -> Engine:
    found = _sync_engines.get(engine.sync_engine)
    if found is None:
        url = engine.url.set(drivername="sqlite")
        found = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(found, "connect", _sqlite_pragmas)
        _sync_engines[engine.sync_engine] = found
    return found


async def transact(engine: AsyncEngine, body: Callable[[Conn], Awaitable[T]]) -> T:
    """Run ``body`` in one write transaction, committed if it returns, rolled back if it raises.

    On SQLite the whole body runs in a worker thread on a plain ``sqlite3`` connection (one
    thread hop for the lot), in turn with the process's other writers; elsewhere it runs on the
    async engine as usual.
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            return await body(conn)

    def in_thread() -> T:
        with _sync_engine(engine).begin() as conn:
            return _run_inline(body(_InlineConn(conn)))  # type: ignore[arg-type]

    async with _write_lock(engine):
        return await asyncio.to_thread(in_thread)


def _write_lock(engine: AsyncEngine) -> asyncio.Lock:
    lock = _write_locks.get(engine.sync_engine)
    if lock is None:
        lock = _write_locks[engine.sync_engine] = asyncio.Lock()
    return lock


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


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
