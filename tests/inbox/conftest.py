"""Inbox-test helpers: a runtime + client with settings of the test's choosing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.runtime import Runtime
from tests.support.backends import Backend
from tests.support.fixtures import _drop_redis_prefix, make_settings

RuntimeFactory = Callable[..., AbstractAsyncContextManager[tuple[Runtime, httpx.AsyncClient]]]


@pytest.fixture
def runtime_with(backend: Backend) -> RuntimeFactory:
    """``async with runtime_with(queue_lease_seconds=0.3) as (rt, client): ...``

    Use it instead of (not next to) ``runtime``/``client``: both would share one database.
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
