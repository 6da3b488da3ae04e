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

PG_URL = os.environ.get("OMNIBOX_TEST_DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("OMNIBOX_TEST_REDIS_URL", "").strip()


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None
    queue_prefix: str


def backend_names() -> list[str]:
    if bool(PG_URL) != bool(REDIS_URL):
        raise RuntimeError(
            "set both OMNIBOX_TEST_DATABASE_URL and OMNIBOX_TEST_REDIS_URL, or neither"
        )
    return ["sqlite", "postgres-redis"] if PG_URL else ["sqlite"]


def new_prefix() -> str:
    return f"omnibox-test:{uuid.uuid4().hex[:12]}:"


async def check_services() -> None:
    """Fail loudly when configured services do not answer."""
    import asyncpg
    from redis.asyncio import Redis

    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        conn = await asyncio.wait_for(asyncpg.connect(dsn), timeout=10)
        await conn.close()
    except Exception as exc:
        raise RuntimeError(f"OMNIBOX_TEST_DATABASE_URL={PG_URL} does not answer: {exc}") from exc
    redis = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(redis.ping(), timeout=10)
    except Exception as exc:
        raise RuntimeError(f"OMNIBOX_TEST_REDIS_URL={REDIS_URL} does not answer: {exc}") from exc
    finally:
        await redis.aclose()
