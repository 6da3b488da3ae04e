"""SQLite's writer units: the writer slot held from the start, statements on the event loop.

A writer unit takes the file's single write lock first (``BEGIN IMMEDIATE``), in turn with the
process's other writers on an asyncio lock. Holding it, no statement of the unit can wait on
anyone, so statements run straight on the event loop on a plain ``sqlite3`` connection: no
thread trip per statement (aiosqlite takes four, which made a stored message cost ~5 ms) and
no greenlet. The loop is handed back every couple of milliseconds, so webhooks are not kept
waiting behind a worker's batch. What can block goes to a thread: ``BEGIN IMMEDIATE`` when
another process holds the lock, and ``COMMIT``, which syncs to disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.base import Executable

# Hand the event loop back at least this often while running statements on it.
LOOP_SLICE_SECONDS = 0.002
BUSY_TIMEOUT_MS = 30_000


class LoopConn:
    """A writer unit's connection (the ``Conn`` protocol): each statement runs at once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._slice_started = time.perf_counter()

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    async def _turn(self) -> None:
        if time.perf_counter() - self._slice_started > LOOP_SLICE_SECONDS:
            await asyncio.sleep(0)
            self._slice_started = time.perf_counter()

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        await self._turn()
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        await self._turn()
        return self._conn.scalar(statement, parameters)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        await self._turn()
        return self._conn.exec_driver_sql(statement, parameters)


@contextlib.asynccontextmanager
async def writer_unit(engine: AsyncEngine) -> AsyncIterator[LoopConn]:
    async with _write_lock(engine):
        conn = _sync_engine(engine).connect()
        try:
            await _begin_immediate(conn)
            yield LoopConn(conn)
            committing = asyncio.ensure_future(asyncio.to_thread(conn.commit))
            try:
                await asyncio.shield(committing)
            finally:  # cancelled meanwhile: the commit ends before the connection is closed
                if not committing.done():
                    await asyncio.wait({committing})
        finally:
            conn.close()  # rolls back what was not committed


async def _begin_immediate(conn: Connection) -> None:
    """Take the write lock: at once when it is free (nearly always: this process's writers
    take turns), else wait for the other process in a thread, where waiting blocks nobody."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("PRAGMA busy_timeout=0")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except Exception as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        conn.rollback()
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await asyncio.to_thread(conn.exec_driver_sql, "BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


_sync_engines: weakref.WeakKeyDictionary[Any, Engine] = weakref.WeakKeyDictionary()
_write_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def _sync_engine(engine: AsyncEngine) -> Engine:
    """The same file through a plain ``sqlite3`` engine (its own small pool)."""
    found = _sync_engines.get(engine.sync_engine)
    if found is None:
        url = engine.url.set(drivername="sqlite")
        found = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(found, "connect", sqlite_pragmas)
        _sync_engines[engine.sync_engine] = found
    return found


def _write_lock(engine: AsyncEngine) -> asyncio.Lock:
    lock = _write_locks.get(engine.sync_engine)
    if lock is None:
        lock = _write_locks[engine.sync_engine] = asyncio.Lock()
    return lock
