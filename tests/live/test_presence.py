"""Presence: heartbeats say who has a conversation open and who is typing; they expire, a
DELETE removes at once, and only a change is announced on the live stream."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from api.runtime import Runtime
from inbox.users.models import Role
from tests.live.conftest import Live
from tests.live.sse import open_stream
from tests.support.factories import (
    add_account,
    add_user,
    admin_headers,
    drain,
    login,
    post_telegram,
)
from tests.support.fixtures import RuntimeFactory
from tests.support.payloads import load_payload


async def _conversation(client: httpx.AsyncClient, rt: Runtime, headers: dict[str, str]) -> int:
    account = await add_account(client, headers, "telegram")
    r = await post_telegram(client, account["id"], load_payload("telegram", "message__dm_text"))
    assert r.status_code == 200
    await drain(rt)
    items = (await client.get("/api/v1/conversations", headers=headers)).json()["items"]
    cid: int = items[0]["id"]
    return cid


def _who(r: httpx.Response) -> list[tuple[str, bool]]:
    assert r.status_code == 200, r.text
    return [(v["name"], v["typing"]) for v in r.json()["viewers"]]


async def test_two_viewers_see_each_other_typing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await admin_headers(client, runtime)
    cid = await _conversation(client, runtime, admin)
    ann_id = await add_user(runtime, "ann@example.com", Role.AGENT)
    ann = await login(client, "ann@example.com")
    url = f"/api/v1/conversations/{cid}/presence"

    assert _who(await client.put(url, headers=admin)) == [("admin", False)]
    r = await client.put(url, json={"typing": True}, headers=ann)
    assert _who(r) == [("admin", False), ("ann", True)]
    assert r.json()["viewers"][1]["user_id"] == ann_id
    assert _who(await client.put(url, json={"typing": False}, headers=admin)) == [
        ("admin", False),
        ("ann", True),
    ]
    assert _who(await client.put(url, json={"typing": False}, headers=ann)) == [
        ("admin", False),
        ("ann", False),
    ]
    r = await client.delete(url, headers=ann)
    assert r.status_code == 204
    assert _who(await client.get(url, headers=admin)) == [("admin", False)]


async def test_viewers_and_typing_expire(runtime_with: RuntimeFactory) -> None:
    async with runtime_with(presence_ttl_seconds=1.0, presence_typing_seconds=0.4) as (rt, c):
        admin = await admin_headers(c, rt)
        cid = await _conversation(c, rt, admin)
        await add_user(rt, "ann@example.com", Role.AGENT)
        ann = await login(c, "ann@example.com")
        url = f"/api/v1/conversations/{cid}/presence"
        await c.put(url, json={"typing": True}, headers=ann)
        assert _who(await c.put(url, headers=admin)) == [("admin", False), ("ann", True)]
        await asyncio.sleep(0.6)  # past the typing flag, within ann's viewing ttl
        assert _who(await c.put(url, headers=admin)) == [("admin", False), ("ann", False)]
        await asyncio.sleep(0.6)  # ann's last heartbeat is 1.2 s old; admin's only 0.6 s
        assert _who(await c.get(url, headers=admin)) == [("admin", False)]
        await asyncio.sleep(1.1)
        assert _who(await c.get(url, headers=admin)) == []


async def test_presence_refuses_what_it_cannot_answer(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await admin_headers(client, runtime)
    cid = await _conversation(client, runtime, admin)
    for method in ("GET", "PUT", "DELETE"):
        r = await client.request(method, "/api/v1/conversations/999999/presence", headers=admin)
        assert r.status_code == 404, (method, r.text)
        r = await client.request(method, f"/api/v1/conversations/{cid}/presence")
        assert r.status_code == 401, method
    url = f"/api/v1/conversations/{cid}/presence"
    r = await client.put(url, json={"typing": [1]}, headers=admin)
    assert r.status_code == 422
    r = await client.put(url, content=b"{", headers={**admin, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert _who(await client.get(url, headers=admin)) == []


def _viewers(data: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(v["name"], v["typing"]) for v in data["viewers"]]


async def test_only_changes_are_announced(live: Live) -> None:
    cid = await live.conversation()
    await add_user(live.rt, "ann@example.com", Role.AGENT)
    ann = await login(live.client, "ann@example.com")
    url = f"/api/v1/conversations/{cid}/presence"
    async with open_stream(live.client, live.headers) as stream:
        await live.client.put(url, headers=live.headers)
        got = await stream.until("presence")
        assert got.data["conversation_id"] == cid
        assert _viewers(got.data) == [("admin", False)]

        await live.client.put(url, headers=live.headers)  # the same again: nothing to say
        await live.client.put(url, json={"typing": True}, headers=ann)
        got = await stream.until("presence")
        assert _viewers(got.data) == [("admin", False), ("ann", True)]

        await live.client.put(url, json={"typing": True}, headers=ann)  # still typing
        r = await live.client.delete(url, headers=ann)
        assert r.status_code == 204
        got = await stream.until("presence")
        assert _viewers(got.data) == [("admin", False)]
        r = await live.client.delete(url, headers=live.headers)
        got = await stream.until("presence")
        assert got.data == {"conversation_id": cid, "viewers": []}
