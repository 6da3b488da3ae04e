"""Fixtures: a fresh database and queue per test, the app, an admin, accounts."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.runtime import Runtime
from inbox.schema import metadata
from inbox.settings import Settings
from tests.support.backends import (
    REDIS_URL,
    Backend,
    backend_names,
    check_services,
    new_prefix,
    pg_url,
)

_pg_ready = False


@pytest.fixture(scope="session", autouse=True)
def configured_services_answer() -> None:
    """Fail the run at once when the configured PostgreSQL or Redis does not answer (and make
    this parallel worker's database)."""
    if pg_url():
        asyncio.run(check_services())


async def _reset_postgres(url: str) -> None:
    """Schema from the migrations once per session, then empty tables for every test."""
    global _pg_ready
    if not _pg_ready:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        from inbox.migrate import upgrade

        await asyncio.to_thread(upgrade, url)
        _pg_ready = True
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema built once per test process; each test gets a copy of the file (a copy
    takes a millisecond, building the tables and triggers again took ~100 ms a test)."""
    path = tmp_path_factory.mktemp("schema") / "template.db"

    async def build() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(params=backend_names())
async def backend(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Backend:
    if request.param == "sqlite":
        db = tmp_path / "omnibox.db"
        shutil.copyfile(sqlite_template, db)
        return Backend("sqlite", f"sqlite+aiosqlite:///{db}", None, new_prefix())
    url = pg_url()
    await _reset_postgres(url)
    return Backend("postgres-redis", url, REDIS_URL, new_prefix())


def make_settings(backend: Backend, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "secret_key": "test-secret-key-" + "x" * 32,
        "facebook_app_secret": "fb-app-secret",
        "facebook_verify_token": "fb-verify-token",
        "queue_lease_seconds": 2.0,
        "queue_retry_base_seconds": 0.05,
        "queue_retry_max_seconds": 0.2,
        "queue_max_attempts": 3,
        "worker_idle_seconds": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(backend: Backend) -> Settings:
    return make_settings(backend)


@pytest.fixture
async def runtime(settings: Settings, backend: Backend) -> AsyncIterator[Runtime]:
    rt = Runtime(settings, queue_prefix=backend.queue_prefix)
    await rt.start(intake=True, worker=False)
    yield rt
    await rt.stop()
    if backend.redis_url:
        await _drop_redis_prefix(backend)


async def _drop_redis_prefix(backend: Backend) -> None:
    from redis.asyncio import Redis

    assert backend.redis_url
    redis = Redis.from_url(backend.redis_url)
    try:
        keys = [k async for k in redis.scan_iter(match=f"{backend.queue_prefix}*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.test") as c:
        yield c


RuntimeFactory = Callable[..., AbstractAsyncContextManager[tuple[Runtime, httpx.AsyncClient]]]


@pytest.fixture
def runtime_with(backend: Backend) -> RuntimeFactory:
    """``async with runtime_with(max_body_bytes=2048) as (rt, client): ...``

    For tests that need settings the shared ``runtime`` fixture does not have. Use it instead
    of (not next to) ``runtime``/``client``: both would share the same database.
    """

    @asynccontextmanager
    async def factory(**overrides: Any) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
        rt = Runtime(make_settings(backend, **overrides), queue_prefix=backend.queue_prefix)
        await rt.start(intake=True, worker=False)
        try:
            app = create_app(rt.settings, runtime=rt)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.test") as c:
                yield rt, c
        finally:
            await rt.stop()
            if backend.redis_url:
                await _drop_redis_prefix(backend)

    return factory
