"""Plain async helpers that make the things tests need, through the real services and API."""

from __future__ import annotations

import json
from typing import Any

import httpx

from api.runtime import Runtime
from inbox.users.models import Role
from inbox.users.service import create_user
from tests.support.payloads import sign_facebook
from tests.support.units import orm_session

TG_TOKEN = "7000000001:AAFakeTokenForTests_0123456789"
TG_SECRET = "tg-webhook-secret_42"
VK_GROUP = 229876543
VK_SECRET = "exampleCallbackSecret42"
VK_CONFIRMATION = "a1b2c3d4"
FB_PAGE = "102030405060708"
IG_USER = "17841400000000001"


async def add_user(rt: Runtime, email: str, role: Role, password: str = "password-123") -> int:
    async with orm_session(rt) as session:
        user = await create_user(session, email=email, password=password, role=role)
    assert user.id is not None
    return user.id


async def login(
    client: httpx.AsyncClient, email: str, password: str = "password-123"
) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def admin_headers(client: httpx.AsyncClient, rt: Runtime) -> dict[str, str]:
    await add_user(rt, "admin@example.com", Role.ADMIN)
    return await login(client, "admin@example.com")


ACCOUNT_BODIES: dict[str, dict[str, Any]] = {
    "telegram": {
        "channel": "telegram",
        "name": "Acme bot",
        "token": TG_TOKEN,
        "webhook_secret": TG_SECRET,
    },
    "vk": {
        "channel": "vk",
        "name": "Acme VK",
        "group_id": VK_GROUP,
        "token": "vk-token",
        "secret": VK_SECRET,
        "confirmation_code": VK_CONFIRMATION,
    },
    "facebook": {
        "channel": "facebook",
        "name": "Acme Page",
        "page_id": FB_PAGE,
        "token": "fb-page-token",
    },
    "instagram": {
        "channel": "instagram",
        "name": "Acme IG",
        "ig_user_id": IG_USER,
        "token": "ig-token",
    },
}


async def add_account(
    client: httpx.AsyncClient, headers: dict[str, str], channel: str, **overrides: Any
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/accounts", json={**ACCOUNT_BODIES[channel], **overrides}, headers=headers
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def add_all_accounts(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> dict[str, dict[str, Any]]:
    return {ch: await add_account(client, headers, ch) for ch in ACCOUNT_BODIES}


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


async def post_telegram(
    client: httpx.AsyncClient,
    account_id: int,
    payload: dict[str, Any] | bytes,
    secret: str | None = TG_SECRET,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return await client.post(f"/webhooks/telegram/{account_id}", content=body, headers=headers)


async def post_vk(
    client: httpx.AsyncClient, account_id: int, payload: dict[str, Any] | bytes
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    return await client.post(
        f"/webhooks/vk/{account_id}", content=body, headers={"Content-Type": "application/json"}
    )


async def post_facebook(
    client: httpx.AsyncClient,
    payload: dict[str, Any] | bytes,
    app_secret: str | None = "fb-app-secret",
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else body_of(payload)
    headers = {"Content-Type": "application/json"}
    if app_secret is not None:
        headers["X-Hub-Signature-256"] = sign_facebook(body, app_secret)
    return await client.post("/webhooks/facebook", content=body, headers=headers)


async def drain(rt: Runtime, *, rounds: int = 50) -> int:
    """Run the worker until the queue is empty; returns events processed."""
    worker = rt.make_worker()
    total = 0
    for _ in range(rounds):
        done = await worker.run_once()
        total += done
        if done == 0 and await rt.queue.depth() == 0:
            break
    return total
