"""Snoozed conversations reopen by themselves once their time passes, on both backends: through
the status-change path (status log, live event), once even with several worker processes, and
never before a later time they were snoozed to again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from inbox.db import make_engine
from inbox.live import conversation_changed
from inbox.maintenance.snooze import SnoozeWakeUps
from inbox.reactions import compose
from inbox.reporting.models import StatusChange
from tests.outbound.conftest import Service
from tests.reporting.sla_helpers import customer_writes, now_s
from tests.support.probes import wait_for

pytestmark = pytest.mark.asyncio
_log = StatusChange.__table__  # type: ignore[attr-defined]
S = timedelta(seconds=1)


async def _snooze(svc: Service, cid: int, until: datetime) -> None:
    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}",
        json={"status": "snoozed", "snoozed_until": until.isoformat()},
        headers=svc.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["snoozed_until"]) == ("snoozed", _iso(until))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _shown(svc: Service, cid: int) -> dict[str, Any]:
    r = await svc.client.get(f"/api/v1/conversations/{cid}", headers=svc.headers)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def _status_log(svc: Service, cid: int) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        rows = await conn.execute(
            select(_log).where(_log.c.conversation_id == cid).order_by(_log.c.at, _log.c.id)
        )
        return list(rows)


@asynccontextmanager
async def _worker_process(svc: Service) -> AsyncIterator[Runtime]:
    """``omnibox worker`` beside the API: its own runtime (engine, live bus) and loops."""
    rt = Runtime(svc.rt.settings, queue_prefix=svc.rt.queue_prefix)
    await rt.start(intake=False, worker=True)
    try:
        yield rt
    finally:
        await rt.stop()


async def test_a_snoozed_conversation_reopens_by_itself_on_time(service: Service) -> None:
    cid = await customer_writes(service, now_s())
    until = datetime.now(UTC) + 1.5 * S
    await _snooze(service, cid, until)
    async with _worker_process(service) as worker, worker.live.subscribe() as events:
        assert (await _shown(service, cid))["status"] == "snoozed"  # not before its time
        shown = await wait_for(
            lambda: _shown(service, cid), until=lambda c: c["status"] == "open", what="wake-up"
        )
        assert shown["snoozed_until"] is None
        # Announced after the commit, as any change made through the API is.
        assert await events.get(within=5) == conversation_changed(cid, "update")

    *_, snoozed, woken = await _status_log(service, cid)
    assert (snoozed.status, woken.status, woken.actor_id) == ("snoozed", "open", None)
    # The job slept until the snooze ended, not until its next poll (20 s away).
    assert until <= woken.at < until + 2 * S
    assert cid in {c["id"] for c in await service.conversations(status="open")}
    assert await service.conversations(status="snoozed") == []


async def test_two_processes_wake_a_conversation_once(service: Service) -> None:
    cids = [await customer_writes(service, now_s(), chat=5_000_000_000 + n) for n in range(5)]
    until = datetime.now(UTC) + 60 * S
    for cid in cids:
        await _snooze(service, cid, until)
    other_engine = make_engine(service.rt.settings.database_url)  # as another process would
    try:
        a = SnoozeWakeUps(service.rt.engine, live=service.rt.live, reactions=service.rt.reactions)
        b = SnoozeWakeUps(other_engine, reactions=compose())
        assert await a.wake_due(until - S) == []
        first, second = await asyncio.gather(a.wake_due(until + S), b.wake_due(until + S))
        assert sorted(first + second) == sorted(cids)
        assert await a.wake_due(until + 2 * S) == await b.wake_due(until + 2 * S) == []
    finally:
        await other_engine.dispose()
    for cid in cids:
        logged = [row.status for row in await _status_log(service, cid)]
        assert logged == ["snoozed", "open"], (cid, logged)
        assert (await _shown(service, cid))["status"] == "open"


async def test_snoozed_again_to_later_it_waits_for_the_later_time(service: Service) -> None:
    cid = await customer_writes(service, now_s())
    first = datetime.now(UTC).replace(microsecond=0) + 60 * S
    later = first + 3600 * S
    await _snooze(service, cid, first)
    job = SnoozeWakeUps(service.rt.engine, reactions=service.rt.reactions)
    assert await job.next_due() == first  # the round the loop sleeps until
    await _snooze(service, cid, later)  # before that round comes

    assert await job.round(first + S) == later  # woke for the old time: nothing due
    shown = await _shown(service, cid)
    assert (shown["status"], shown["snoozed_until"]) == ("snoozed", _iso(later))
    assert [row.status for row in await _status_log(service, cid)] == ["snoozed", "snoozed"]

    assert await job.wake_due(later + S) == [cid]
    assert (await _shown(service, cid))["status"] == "open"
    assert await job.next_due() is None  # nothing snoozed any more


async def test_a_conversation_reopened_by_hand_is_left_alone(service: Service) -> None:
    cid = await customer_writes(service, now_s())
    until = datetime.now(UTC) + 60 * S
    await _snooze(service, cid, until)
    r = await service.client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "pending"}, headers=service.headers
    )
    assert r.status_code == 200, r.text
    job = SnoozeWakeUps(service.rt.engine, reactions=service.rt.reactions)
    assert await job.wake_due(until + S) == []
    assert (await _shown(service, cid))["status"] == "pending"
    assert [row.status for row in await _status_log(service, cid)] == ["snoozed", "pending"]
