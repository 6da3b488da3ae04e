"""The outbox sender's bookkeeping around its calls: rows held while they wait for slots keep
their lease, a stopping sender hands back what it never called, a row another sender took is
not called twice, and outcomes are written by group commit without one bad row sinking the
rest."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from inbox.db import Conn
from inbox.newsletters.dispatcher import fill
from inbox.outbox import store
from inbox.outbox.group_commit import GroupCommit
from inbox.outbox.models import OutboxRow
from tests.newsletters.campaign_helpers import add_people, api, campaign, new_campaign, run
from tests.newsletters.conftest import Service
from tests.support.units import in_unit

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]


async def _slow_runtime(service: Service, per_second: float) -> Runtime:
    """Another process on the same database whose bot takes ``per_second`` messages."""
    slow = service.rt.settings.model_copy(update={"telegram_messages_per_second": per_second})
    return Runtime(slow, queue_prefix=service.rt.queue_prefix)


async def _outbox_rows(service: Service) -> list[Any]:
    async with service.rt.engine.connect() as conn:
        return list(await conn.execute(select(_outbox).order_by(_outbox.c.id)))


async def _campaign_of(service: Service, chats: list[str]) -> int:
    await add_people(service, "telegram", chats)
    c = await new_campaign(service, "telegram", text="Once only")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    return int(c["id"])


async def test_a_stopping_sender_hands_back_the_rows_it_never_called(service: Service) -> None:
    chats = [str(840 + n) for n in range(5)]
    campaign_id = await _campaign_of(service, chats)
    rt = await _slow_runtime(service, 1.0)
    stop = asyncio.Event()
    try:
        await rt.make_dispatcher().run_once()
        task = asyncio.create_task(rt.make_sender().run(stop))
        while len(service.tg.calls_to("sendMessage")) < 2:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    finally:
        await rt.stop()
    rows = await _outbox_rows(service)
    called = len(service.tg.calls_to("sendMessage"))
    assert [r.status for r in rows].count("sent") == called
    back = [r for r in rows if r.status != "sent"]
    assert back
    assert all(r.status == "queued" and r.attempts == 0 for r in back)
    done = await run(service, campaign_id)
    assert done["progress"]["sent"] == 5
    sent_to = sorted(call.params["chat_id"] for call in service.tg.calls_to("sendMessage"))
    assert sent_to == sorted(chats)  # each once


async def test_rows_waiting_longer_than_the_lease_are_not_taken_by_another_sender(
    service: Service,
) -> None:
    lease = service.rt.settings.queue_lease_seconds
    n = int(lease * 2) + 2  # at one a second, the last waits twice the lease
    chats = [str(850 + i) for i in range(n)]
    campaign_id = await _campaign_of(service, chats)
    await in_unit(service.rt.engine, lambda conn: fill(conn, campaign_id, ahead=n))
    rt = await _slow_runtime(service, 1.0)
    stop = asyncio.Event()
    other = service.rt.make_sender()
    taken_by_other = 0
    try:
        task = asyncio.create_task(rt.make_sender().run(stop))
        async with asyncio.timeout(30):
            while any(r.status == "queued" for r in await _outbox_rows(service)):
                await asyncio.sleep(0.02)  # until the slow sender holds them all
            while len(service.tg.calls_to("sendMessage")) < n:
                taken_by_other += await other.run_once()
                await asyncio.sleep(0.2)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    finally:
        await rt.stop()
    assert taken_by_other == 0
    sent_to = sorted(call.params["chat_id"] for call in service.tg.calls_to("sendMessage"))
    assert sent_to == sorted(chats)


async def test_a_row_another_sender_took_is_not_called(service: Service) -> None:
    await _campaign_of(service, ["860"])
    await service.rt.make_dispatcher().run_once()
    engine = service.rt.engine
    async with engine.begin() as conn:
        [mine] = await store.claim(conn, limit=10, lease_seconds=0.0)  # my lease ends at once
    async with engine.begin() as conn:
        [theirs] = await store.claim(conn, limit=10, lease_seconds=60.0)
        assert theirs.id == mine.id
        assert not theirs.interrupted
        assert await store.mark_calling(conn, [mine], lease_seconds=60.0) == [False]
        assert await store.mark_calling(conn, [theirs], lease_seconds=60.0) == [True]
    [row] = await _outbox_rows(service)
    assert row.status == "sending"


async def test_group_commit_shares_one_transaction_and_isolates_a_bad_row(
    service: Service,
) -> None:
    batches: list[list[int]] = []

    async def write(conn: Conn, items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        if 99 in items:
            raise ValueError("row 99 cannot be written")
        await conn.execute(select(1))
        return [i * 10 for i in items]

    group: GroupCommit[int, int] = GroupCommit(service.rt.engine, write, max_items=100)
    results = await asyncio.gather(*(group.submit(i) for i in range(40)))
    assert results == [i * 10 for i in range(40)]
    assert batches == [list(range(40))]  # forty callers, one transaction
    batches.clear()
    outcome = await asyncio.gather(*(group.submit(i) for i in (12, 99, 14)), return_exceptions=True)
    assert outcome[0] == 120
    assert outcome[2] == 140
    assert isinstance(outcome[1], ValueError)
    assert batches == [[12, 99, 14], [12], [99], [14]]  # the group, then each alone
    await group.drain()


async def test_a_campaign_still_goes_out_in_full_through_the_lanes(service: Service) -> None:
    chats = [str(870 + n) for n in range(30)]
    campaign_id = await _campaign_of(service, chats)
    done = await run(service, campaign_id)
    assert done["progress"]["sent"] == 30
    assert (await campaign(service, campaign_id))["status"] == "done"
    rows = await _outbox_rows(service)
    assert {r.status for r in rows} == {"sent"}
    sent_to = sorted(call.params["chat_id"] for call in service.tg.calls_to("sendMessage"))
    assert sent_to == sorted(chats)  # everyone, nobody twice
