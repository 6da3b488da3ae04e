"""Real backends for tests: SQLite + embedded queue always; PostgreSQL + Redis when configured.

``OMNIBOX_TEST_DATABASE_URL`` (a PostgreSQL URL) and ``OMNIBOX_TEST_REDIS_URL`` switch the
second backend on. When they are set but do not answer, tests fail: CI must never pass by
skipping what it was told to run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass

REDIS_URL = os.environ.get("OMNIBOX_TEST_REDIS_URL", "").strip()
_CONFIGURED_PG = os.environ.get("OMNIBOX_TEST_DATABASE_URL", "").strip()


def _worker() -> str:
    """The pytest-xdist worker id (``gw0``, …), or "" when the run is not parallel. Read when
    asked, not at import: xdist names the worker after the conftest modules are loaded."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def pg_url() -> str:
    """The PostgreSQL test database of this process: the configured one, or beside it one per
    parallel worker (``omnibox_test_gw0``, …, created on first use), since tests empty tables."""
    if not _CONFIGURED_PG or not _worker():
        return _CONFIGURED_PG
    base, _, name = _CONFIGURED_PG.rpartition("/")
    return f"{base}/{name}_{_worker()}"


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None
    queue_prefix: str


def backend_names() -> list[str]:
    if bool(_CONFIGURED_PG) != bool(REDIS_URL):
        raise RuntimeError(
            "set both OMNIBOX_TEST_DATABASE_URL and OMNIBOX_TEST_REDIS_URL, or neither"
        )
    return ["sqlite", "postgres-redis"] if _CONFIGURED_PG else ["sqlite"]


def new_prefix() -> str:
    return f"omnibox-test:{uuid.uuid4().hex[:12]}:"


async def check_services() -> None:
    """Fail loudly when configured services do not answer."""
    import asyncpg
    from redis.asyncio import Redis

    url = pg_url()
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        if _worker():
            await _create_database(dsn)
        conn = await asyncio.wait_for(asyncpg.connect(dsn), timeout=10)
        await conn.close()
    except Exception as exc:
        raise RuntimeError(f"OMNIBOX_TEST_DATABASE_URL={url} does not answer: {exc}") from exc
    redis = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(redis.ping(), timeout=10)
    except Exception as exc:
        raise RuntimeError(f"OMNIBOX_TEST_REDIS_URL={REDIS_URL} does not answer: {exc}") from exc
    finally:
        await redis.aclose()


async def _create_database(dsn: str) -> None:
    """This worker's database, made beside the configured one if it is not there yet."""
    import asyncpg

    server, _, name = dsn.rpartition("/")
    conn = await asyncio.wait_for(asyncpg.connect(f"{server}/postgres"), timeout=10)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
