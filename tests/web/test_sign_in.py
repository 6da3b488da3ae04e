"""Signing in to the web inbox: the session cookie, CSRF on the form and on the API, throttling
before any hashing, sign-out and expiry ending the session, no open redirects, languages."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from api.runtime import Runtime
from api.web.cookies import LANGUAGE, PLAIN_NAME
from inbox.sessions.models import WebSession
from inbox.sessions.service import purge_ended, token_hash
from inbox.types import utcnow
from inbox.users.models import Role
from tests.support.factories import add_user
from tests.support.fixtures import RuntimeFactory
from tests.web.browser import csrf_of, sign_in

_sessions = WebSession.__table__  # type: ignore[attr-defined]
_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _form_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    found = _FORM_TOKEN.search(page.text)
    assert found is not None
    return found[1]


async def _attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await _form_token(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


async def _session_count(rt: Runtime) -> int:
    async with rt.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(_sessions)) or 0)


async def test_a_session_cookie_that_scripts_cannot_read(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    r = await sign_in(client, "ann@example.com")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{PLAIN_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test below
    assert r.headers["location"] == "/inbox"
    token = client.cookies[PLAIN_NAME]
    async with runtime.engine.connect() as conn:
        stored = (await conn.execute(select(_sessions.c.id))).scalars().all()
    assert len(stored) == 1
    assert token not in stored[0]  # only a hash of the token is kept


async def test_behind_https_the_cookie_is_secure_and_host_prefixed(
    runtime_with: RuntimeFactory,
) -> None:
    async with runtime_with(public_url="https://inbox.example.com") as (rt, client):
        await add_user(rt, "ann@example.com", Role.AGENT)
        r = await sign_in(client, "ann@example.com")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-omnibox_session=")
        assert "Secure" in cookie
        assert "Path=/" in cookie
        assert "Domain" not in cookie


async def test_the_form_needs_its_token_and_this_origin(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    await client.get("/login")
    no_token = await client.post("/login", data={"email": "ann@example.com", "password": "x"})
    assert no_token.status_code == 403
    token = await _form_token(client)
    foreign = await client.post(
        "/login",
        data={"email": "ann@example.com", "password": "password-123", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert await _session_count(runtime) == 0


async def test_wrong_password_then_throttled_per_address_before_hashing(
    runtime_with: RuntimeFactory,
) -> None:
    async with runtime_with(login_attempts_per_ip=3) as (rt, client):
        await add_user(rt, "ann@example.com", Role.AGENT)
        statuses = [
            (await _attempt(client, "ann@example.com", "wrong")).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 401]
        blocked = await _attempt(client, "ann@example.com", "password-123")
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "Too many attempts" in blocked.text
        assert await _session_count(rt) == 0  # even the right password waits


async def test_throttled_per_email_across_addresses(runtime_with: RuntimeFactory) -> None:
    async with runtime_with(login_attempts_per_email=2, login_attempts_per_ip=100) as (
        rt,
        client,
    ):
        await add_user(rt, "ann@example.com", Role.AGENT)
        assert (await _attempt(client, "ann@example.com", "wrong")).status_code == 401
        assert (await _attempt(client, "ANN@example.com ", "wrong")).status_code == 401
        assert (await _attempt(client, "ann@example.com", "wrong")).status_code == 429
        await add_user(rt, "bob@example.com", Role.AGENT)
        assert (await _attempt(client, "bob@example.com", "password-123")).status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_no_open_redirect_after_sign_in(
    runtime: Runtime, client: httpx.AsyncClient, target: str
) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    token = await _form_token(client)
    r = await client.post(
        "/login",
        data={
            "email": "ann@example.com",
            "password": "password-123",
            "csrf_token": token,
            "next": target,
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/inbox"


async def test_sign_out_ends_the_session_on_the_server(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    await sign_in(client, "ann@example.com")
    stolen = client.cookies[PLAIN_NAME]
    page = await client.get("/inbox")
    assert (await client.post("/logout")).status_code == 403  # no CSRF token: refused
    r = await client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 303
    assert await _session_count(runtime) == 0
    client.cookies.set(PLAIN_NAME, stolen)  # a copy of the old cookie is worth nothing
    assert (await client.get("/api/v1/users/me")).status_code == 401
    assert (await client.get("/inbox")).status_code == 303


async def test_an_idle_or_expired_session_ends(runtime: Runtime, client: httpx.AsyncClient) -> None:
    await add_user(runtime, "ann@example.com", Role.AGENT)
    await sign_in(client, "ann@example.com")
    assert (await client.get("/api/v1/users/me")).status_code == 200
    idle = timedelta(minutes=runtime.settings.session_idle_minutes + 1)
    async with runtime.engine.begin() as conn:
        row = (await conn.execute(select(_sessions))).one()
        await conn.execute(update(_sessions).values(last_seen_at=row.last_seen_at - idle))
    assert (await client.get("/api/v1/users/me")).status_code == 401
    await sign_in(client, "ann@example.com")
    async with runtime.engine.begin() as conn:
        await conn.execute(
            update(_sessions)
            .where(_sessions.c.id == token_hash(client.cookies[PLAIN_NAME]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await client.get("/api/v1/users/me")).status_code == 401
    # Both ended rows are cleared by the worker's periodic purge.
    async with runtime.engine.begin() as conn:
        idle_for = timedelta(minutes=runtime.settings.session_idle_minutes)
        assert await purge_ended(conn, idle=idle_for) == 2
    assert await _session_count(runtime) == 0


async def test_signed_out_pages_send_to_sign_in_and_keep_the_target(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/inbox?folder=mine")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/inbox?folder=mine"
    assert (await client.get("/")).headers["location"] == "/inbox"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ru-RU,ru;q=0.9,en;q=0.8", "Войти"), ("ko-KR,ko;q=0.9", "로그인"), ("de-DE", "Sign in")],
)
async def test_the_language_follows_the_browser(
    client: httpx.AsyncClient, accept: str, expected: str
) -> None:
    page = await client.get("/login", headers={"Accept-Language": accept})
    assert expected in page.text


async def test_the_language_switch_wins_over_the_browser(client: httpx.AsyncClient) -> None:
    r = await client.post("/language", data={"lang": "ru", "back": "//evil.example"})
    assert r.status_code == 303
    assert r.headers["location"] == "/inbox"  # never off-site
    assert client.cookies[LANGUAGE] == "ru"
    page = await client.get("/login", headers={"Accept-Language": "en"})
    assert "Войти" in page.text
    assert '<html lang="ru">' in page.text
    await client.post("/language", data={"lang": "xx"})
    assert client.cookies[LANGUAGE] == "ru"  # an unknown language changes nothing
