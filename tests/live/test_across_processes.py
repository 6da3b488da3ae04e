"""Two API processes (two Runtimes) behind one Redis: what one commits, the other's streams
hear, and both agree on who is viewing a conversation."""

from __future__ import annotations

import pytest

from api.runtime import Runtime
from inbox.users.models import Role
from tests.live.conftest import Live, running
from tests.live.sse import open_stream
from tests.support.backends import Backend
from tests.support.factories import add_user, drain, login
from tests.support.fixtures import make_settings


async def test_events_and_presence_cross_processes(live: Live, backend: Backend) -> None:
    if backend.redis_url is None:
        pytest.skip("processes share live events through Redis only")
    cid = await live.conversation()
    other = Runtime(make_settings(backend), queue_prefix=backend.queue_prefix)
    await other.start(intake=True, worker=False)
    try:
        async with (
            running(other, account_id=live.account_id) as b,
            open_stream(b.client, b.headers) as stream,
        ):
            # A reply through process A reaches a stream on process B.
            r = await live.client.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": "Hi"},
                headers=live.headers,
            )
            assert r.status_code == 201
            got = await stream.until("conversation")
            assert got.data == {"conversation_id": cid, "reason": "message"}

            # So does a webhook stored by A's worker.
            await live.dm(900_000_100, 70_100, "thanks")
            await drain(live.rt)
            got = await stream.until("conversation")
            assert got.data == {"conversation_id": cid, "reason": "message"}

            # Presence: an agent on A is seen by B's stream and B's registry.
            await add_user(live.rt, "ann@example.com", Role.AGENT)
            ann = await login(live.client, "ann@example.com")
            r = await live.client.put(
                f"/api/v1/conversations/{cid}/presence", json={"typing": True}, headers=ann
            )
            assert r.status_code == 200
            got = await stream.until("presence")
            assert got.data["conversation_id"] == cid
            assert [(v["name"], v["typing"]) for v in got.data["viewers"]] == [("ann", True)]
            r = await b.client.get(f"/api/v1/conversations/{cid}/presence", headers=b.headers)
            assert [v["name"] for v in r.json()["viewers"]] == ["ann"]
    finally:
        await other.stop()
