"""A request's transaction is committed before its response leaves: a client that acts on a
2xx (a sign-in's cookie, a new account's id) must find the rows it was told about.

FastAPI runs a yield dependency's exit after the response is sent unless it is scoped to the
function; these tests look at the database at the moment the response starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import Table, func, select

from api.app import create_app
from api.runtime import Runtime
from inbox.accounts.models import Account
from inbox.sessions.models import WebSession
from inbox.users.models import Role
from tests.support.factories import ACCOUNT_BODIES, add_user, login
from tests.web.browser import sign_in

_sessions: Table = WebSession.__table__  # type: ignore[attr-defined]
_accounts: Table = Account.__table__  # type: ignore[attr-defined]

Counter = Callable[[], Awaitable[int]]


def _rows(rt: Runtime, table: Table) -> Counter:
    async def count() -> int:
        async with rt.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)) or 0)

    return count


def _client_seeing(rt: Runtime, count: Counter, seen: list[tuple[str, int]]) -> httpx.AsyncClient:
    """A client whose app records, as each response starts, the method+path and the count."""
    app = create_app(rt.settings, runtime=rt)

    async def watched(scope, receive, send):  # type: ignore[no-untyped-def]
        async def send_and_look(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                seen.append((f"{scope['method']} {scope['path']}", await count()))
            await send(message)

        await app(scope, receive, send_and_look)

    transport = httpx.ASGITransport(app=watched)
    return httpx.AsyncClient(transport=transport, base_url="http://omnibox.test")


async def test_a_sign_in_session_exists_before_its_cookie_is_sent(runtime: Runtime) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    seen: list[tuple[str, int]] = []
    async with _client_seeing(runtime, _rows(runtime, _sessions), seen) as client:
        await sign_in(client, "ann@example.com")
    assert ("POST /login", 1) in seen, seen


async def test_a_created_account_exists_before_its_201_is_sent(runtime: Runtime) -> None:
    seen: list[tuple[str, int]] = []
    async with _client_seeing(runtime, _rows(runtime, _accounts), seen) as client:
        await add_user(runtime, "admin@example.com", Role.ADMIN)
        headers = await login(client, "admin@example.com")
        r = await client.post("/api/v1/accounts", json=ACCOUNT_BODIES["telegram"], headers=headers)
        assert r.status_code == 201, r.text
    assert ("POST /api/v1/accounts", 1) in seen, seen
