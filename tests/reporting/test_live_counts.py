"""The live counts of the reports: open, unassigned, waiting for a human, breaching an SLA.

They are read from each open conversation's open cycle (its turn counters and SLA flags) and,
for a missed next-response deadline, its unanswered turn; each case here pins one way in.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from inbox.reporting.live import live_counts
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.types import utcnow
from tests.reporting.conftest import Service
from tests.support.factories import post_telegram
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

pytestmark = pytest.mark.asyncio
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]


def _dm(update_id: int, chat: int, date: int) -> dict[str, Any]:
    return with_changes(
        load_payload("telegram", "message__dm_text"),
        **{
            "update_id": update_id,
            "message.message_id": update_id,
            "message.date": date,
            "message.chat.id": chat,
            "message.from.id": chat,
        },
    )


async def _counts(svc: Service, **filters: Any) -> dict[str, int]:
    async with svc.rt.engine.connect() as conn:
        return await live_counts(conn, **filters)


async def _by_chat(svc: Service) -> dict[int, int]:
    return {int(c["contact"]["external_id"]): c["id"] for c in await svc.conversations()}


async def test_each_way_a_conversation_counts(service: Service) -> None:
    svc, now = service, int(time.time())
    tg = svc.accounts["telegram"]["id"]
    for n, chat in enumerate((501, 502, 503, 504)):
        assert (await post_telegram(svc.client, tg, _dm(7100 + n, chat, now - 900))).status_code
    await svc.drain()
    conv = await _by_chat(svc)
    assert await _counts(svc) == {"open": 4, "unassigned": 4, "waiting": 4, "breached": 0}

    # 501 answered by an agent: no longer waiting (a reply assigns nobody by itself here).
    assert (await svc.reply(conv[501], "On it")).status_code == 201
    # 502 resolved: not open, so in no count at all.
    r = await svc.client.patch(
        f"/api/v1/conversations/{conv[502]}", json={"status": "resolved"}, headers=svc.headers
    )
    assert r.status_code == 200, r.text
    counts = await _counts(svc)
    assert (counts["open"], counts["waiting"], counts["breached"]) == (3, 2, 0)

    async with svc.rt.engine.begin() as conn:
        # 501: its first response came after its deadline; flagged on the cycle.
        await conn.execute(
            update(_cycles)
            .where(_cycles.c.conversation_id == conv[501])
            .values(first_response_breached=True)
        )
        # 503: its unanswered turn's next-response deadline has passed.
        await conn.execute(
            update(_turns)
            .where(_turns.c.conversation_id == conv[503])
            .values(due_at=utcnow() - timedelta(minutes=1))
        )
        # 504: a deadline still ahead is no breach.
        await conn.execute(
            update(_turns)
            .where(_turns.c.conversation_id == conv[504])
            .values(due_at=utcnow() + timedelta(hours=1))
        )
    counts = await _counts(svc)
    assert (counts["open"], counts["waiting"], counts["breached"]) == (3, 2, 2)
    assert await _counts(svc, channel="vk") == {
        "open": 0,
        "unassigned": 0,
        "waiting": 0,
        "breached": 0,
    }


async def test_a_reopened_conversation_counts_its_open_cycle_only(service: Service) -> None:
    svc, now = service, int(time.time())
    tg = svc.accounts["telegram"]["id"]
    assert (await post_telegram(svc.client, tg, _dm(7200, 601, now - 900))).status_code == 200
    await svc.drain()
    [cid] = (await _by_chat(svc)).values()
    async with svc.rt.engine.begin() as conn:  # the first cycle missed its resolution target
        await conn.execute(
            update(_cycles).where(_cycles.c.conversation_id == cid).values(resolution_breached=True)
        )
    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "resolved"}, headers=svc.headers
    )
    assert r.status_code == 200, r.text
    later = int(time.time()) + 2  # stamped after the resolve (platform time decides)
    assert (await post_telegram(svc.client, tg, _dm(7201, 601, later))).status_code == 200
    await svc.drain()  # the customer writes again: a new cycle, open and waiting
    counts = await _counts(svc)
    assert (counts["open"], counts["waiting"], counts["breached"]) == (1, 1, 0)
