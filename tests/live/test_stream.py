"""``GET /api/v1/live`` end to end: what committed reaches the open streams, nothing else does.

Every test reads the stream over a real socket from a real uvicorn server, as a browser would.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.deps import get_session
from api.runtime import Runtime
from fakes import FakeTelegram
from inbox.live import after_commit, conversation_changed
from tests.live.conftest import Live, LiveFactory, running
from tests.live.sse import EventStream, open_stream, sign_in
from tests.support.backends import Backend
from tests.support.factories import drain
from tests.support.fixtures import make_settings


def _for(cid: int) -> Any:
    return lambda data: data["conversation_id"] == cid


async def _nothing_more(stream: EventStream, within: float = 0.4) -> None:
    """No event but pings arrives for ``within`` seconds."""
    try:
        while True:
            got = await stream.next(within=within)
            assert got.event == "comment", f"unexpected {got}"
    except TimeoutError:
        return


async def test_a_webhook_reaches_the_stream_once_the_worker_committed_it(live: Live) -> None:
    cid = await live.conversation()
    async with open_stream(live.client, live.headers) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["cache-control"] == "no-cache"
        assert stream.response.headers["x-accel-buffering"] == "no"
        await live.dm(900_000_002, 70_002, "Where is my order?")
        await _nothing_more(stream)  # queued, not yet stored: nothing to announce
        await drain(live.rt)
        got = await stream.until("conversation")
        assert got.data == {"conversation_id": cid, "reason": "message"}

        await live.dm(900_000_003, 70_002, "Where is my order?")  # the same message again
        await drain(live.rt)
        await _nothing_more(stream)  # nothing changed: nothing announced


async def test_one_event_per_conversation_per_batch(live: Live) -> None:
    cid = await live.conversation()
    async with open_stream(live.client, live.headers) as stream:
        for n in range(5):
            await live.dm(900_000_010 + n, 70_010 + n, f"message {n}")
        assert await drain(live.rt) == 5
        got = await stream.until("conversation")
        assert got.data == {"conversation_id": cid, "reason": "message"}
        await _nothing_more(stream)


async def test_replies_notes_and_changes_are_announced_after_commit(live: Live) -> None:
    cid = await live.conversation()
    url = f"/api/v1/conversations/{cid}"
    async with open_stream(live.client, live.headers) as stream:
        r = await live.client.post(
            f"{url}/messages", json={"text": "On its way"}, headers=live.headers
        )
        assert r.status_code == 201, r.text
        got = await stream.until("conversation")
        assert got.data == {"conversation_id": cid, "reason": "message"}

        # Status is written, then the unknown assignee fails the request: all rolled back.
        r = await live.client.patch(
            url, json={"status": "resolved", "assignee_id": 999_999}, headers=live.headers
        )
        assert r.status_code == 422, r.text
        await _nothing_more(stream)
        got_conv = await live.client.get("/api/v1/conversations", headers=live.headers)
        assert got_conv.json()["items"][0]["status"] == "open"

        r = await live.client.post(
            f"{url}/messages", json={"text": "vip", "private": True}, headers=live.headers
        )
        assert r.status_code == 201
        assert (await stream.until("conversation")).data["reason"] == "message"
        r = await live.client.patch(url, json={"status": "resolved"}, headers=live.headers)
        assert r.status_code == 200, r.text
        assert (await stream.until("conversation")).data == {
            "conversation_id": cid,
            "reason": "update",
        }
        await _nothing_more(stream)


async def test_delivery_becoming_sent_or_failed_is_announced(live_with: LiveFactory) -> None:
    async with FakeTelegram() as tg, live_with(telegram_api_base=tg.base_url) as live:
        cid = await live.conversation()
        url = f"/api/v1/conversations/{cid}/messages"
        sender = live.rt.make_sender()
        async with open_stream(live.client, live.headers) as stream:
            for text in ("first", "second"):
                r = await live.client.post(url, json={"text": text}, headers=live.headers)
                assert r.status_code == 201
                assert (await stream.until("conversation")).data["reason"] == "message"
                if text == "second":
                    tg.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
                assert await sender.run_once() == 1
                got = await stream.until("conversation")
                assert got.data == {"conversation_id": cid, "reason": "delivery"}
        items = (await live.client.get(url, headers=live.headers)).json()["items"]
        assert [m["delivery_status"] for m in items if m["direction"] == "out"] == [
            "sent",
            "failed",
        ]


async def test_the_session_hook_publishes_on_commit_only(live: Live) -> None:
    async with open_stream(live.client, live.headers) as stream:
        failing = get_session(live.rt)
        session = await anext(failing)
        after_commit(session, conversation_changed(41, "update"))
        with pytest.raises(RuntimeError):
            await failing.athrow(RuntimeError("the route failed"))
        await _nothing_more(stream, within=0.2)

        passing = get_session(live.rt)
        session = await anext(passing)
        after_commit(session, conversation_changed(42, "update"))
        after_commit(session, conversation_changed(42, "update"))  # once, not twice
        with pytest.raises(StopAsyncIteration):
            await anext(passing)
        got = await stream.until("conversation")
        assert got.data == {"conversation_id": 42, "reason": "update"}
        await _nothing_more(stream, within=0.2)


async def test_the_stream_needs_a_user(live: Live) -> None:
    r = await live.client.get("/api/v1/live")
    assert r.status_code == 401
    r = await live.client.get("/api/v1/live", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401


async def test_a_session_cookie_opens_the_stream(live: Live) -> None:
    cid = await live.conversation()
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as browser:
        await sign_in(browser, "admin@example.com")
        async with open_stream(browser) as stream:
            r = await live.client.patch(
                f"/api/v1/conversations/{cid}", json={"priority": "high"}, headers=live.headers
            )
            assert r.status_code == 200
            got = await stream.until("conversation")
            assert got.data == {"conversation_id": cid, "reason": "update"}


async def test_pings_keep_it_open_and_no_database_connection_is_held(
    live_with: LiveFactory,
) -> None:
    async with live_with(live_ping_seconds=0.1) as live:
        pool = live.rt.engine.sync_engine.pool
        async with open_stream(live.client, live.headers) as stream:
            assert (await stream.next()).event == "comment"
            got = await stream.next()
            assert (got.event, got.data) == ("comment", "ping")
            assert pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_stopping_the_runtime_ends_open_streams(backend: Backend) -> None:
    rt = Runtime(make_settings(backend), queue_prefix=backend.queue_prefix)
    await rt.start(intake=True, worker=False)
    stopped = False
    try:
        async with running(rt) as live, open_stream(live.client, live.headers) as stream:
            ending = asyncio.create_task(stream.ended(within=5))
            await asyncio.sleep(0.05)
            await asyncio.wait_for(rt.stop(), timeout=5)
            stopped = True
            assert await ending
    finally:
        if not stopped:
            await rt.stop()


async def test_a_stop_signal_lets_the_server_shut_down_with_streams_open(live: Live) -> None:
    async with open_stream(live.client, live.headers) as stream:
        live.rt.shutting_down()  # what `omnibox serve` does on SIGTERM, before draining
        assert await stream.ended(within=5)
        r = await live.client.get("/healthz")
        assert r.status_code == 200  # the rest of the service carries on until it stops
