"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from inbox.db import make_engine
from inbox.migrate import upgrade
from inbox.schema import metadata
from tests.support.backends import pg_url


def _diff(sync_conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, metadata))


async def _schema_diff(url: str) -> tuple[list[object], set[str]]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    await engine.dispose()
    return diff, tables


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    upgrade(url)  # a second run is a no-op, not an error
    diff, tables = asyncio.run(_schema_diff(url))
    assert diff == []
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_postgres_migrations_match_models() -> None:
    url = pg_url()
    if not url:
        # The PostgreSQL half runs wherever OMNIBOX_TEST_DATABASE_URL is set (CI sets it).
        return
    # The session fixture has migrated the test database; compare it with the models.
    from tests.support.fixtures import _reset_postgres

    asyncio.run(_reset_postgres(url))
    diff, tables = asyncio.run(_schema_diff(url))
    assert diff == []
    assert "alembic_version" in tables
