"""The SLA deadlines job on both backends: breaches at their deadline, once, never for a met
target.

Customers write through the real Telegram webhook and the worker; the job is driven with
explicit times (``run_once(now)``), so nothing here waits on the wall clock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from inbox.automation.runner import Automation
from inbox.db import make_engine
from inbox.maintenance.sla_deadlines import SlaDeadlines
from inbox.reactions import compose
from tests.outbound.conftest import Service
from tests.reporting.sla_helpers import (
    add_policy,
    add_rule,
    agent_replies,
    breaches,
    count_traces,
    customer_writes,
    cycle_of,
    deadlines,
    now_s,
    turns_of,
)

pytestmark = pytest.mark.asyncio
S = timedelta(seconds=1)


async def test_a_first_response_breach_fires_at_its_deadline_and_not_before(
    service: Service,
) -> None:
    policy = await add_policy(service, first_response_minutes=30, resolution_minutes=240)
    t0 = now_s()
    cid = await customer_writes(service, t0)
    due = t0 + timedelta(minutes=30)
    cycle = await cycle_of(service, cid)
    assert cycle.sla_policy_id == policy["id"]
    assert cycle.first_response_due_at == due
    assert cycle.first_response_breached is None  # still running

    sla = deadlines(service)
    assert await sla.next_due(t0) == due  # the timer the loop sleeps until
    assert await sla.run_once(due - S) == []
    assert await sla.run_once(due) == []  # due means overdue: at the deadline it is still met
    [fired] = await sla.run_once(due + 5 * S)
    assert (fired.trigger, fired.metric, fired.conversation_id) == (
        "sla_breached",
        "first_response",
        cid,
    )
    assert fired.due_at == due

    [breach] = await breaches(service)
    assert (breach.metric, breach.turn_seq, breach.policy_id) == ("first_response", 0, policy["id"])
    assert (breach.due_at, breach.breached_at) == (due, due + 5 * S)
    cycle = await cycle_of(service, cid)
    assert cycle.first_response_breached is True
    assert cycle.resolution_breached is None  # four hours are not up
    # The next deadline is the resolution target's; the breach already fired is not pending.
    assert await sla.next_due(due + 5 * S) == t0 + timedelta(minutes=240)
    assert await sla.run_once(due + 10 * S) == []


async def test_two_processes_on_one_database_fire_a_breach_once(service: Service) -> None:
    await add_policy(service, first_response_minutes=5)
    await add_rule(
        service,
        {"name": "late", "when": "sla_breached", "then": [{"add_label": "late"}]},
    )
    t0 = now_s()
    await customer_writes(service, t0)
    other_engine = make_engine(service.rt.settings.database_url)  # as another process would
    try:
        a = deadlines(service)
        other = Automation(auto_replies_per_hour=20)
        b = SlaDeadlines(other_engine, other, reactions=compose(other))
        at = t0 + timedelta(minutes=6)
        first, second = await asyncio.gather(a.run_once(at), b.run_once(at))
        assert len(first) + len(second) == 1
        assert await a.run_once(at + S) == []
        assert await b.run_once(at + S) == []
    finally:
        await other_engine.dispose()
    assert len(await breaches(service)) == 1
    assert await count_traces(service, "sla_breached") == 1  # the rule ran once

    # A restarted job (a new process) finds it recorded and fires nothing.
    assert await deadlines(service).run_once(t0 + timedelta(minutes=60)) == []


async def test_a_reply_before_the_deadline_is_no_breach(service: Service) -> None:
    await add_policy(service, first_response_minutes=30)
    t0 = now_s() - timedelta(minutes=1)
    cid = await customer_writes(service, t0)
    await agent_replies(service, cid)
    cycle = await cycle_of(service, cid)
    assert cycle.first_response_at is not None
    assert cycle.first_response_breached is False  # met
    sla = deadlines(service)
    assert await sla.run_once(t0 + timedelta(minutes=31)) == []
    assert await sla.next_due(t0) is None
    assert await breaches(service) == []
    assert (await cycle_of(service, cid)).first_response_breached is False


async def test_a_later_turn_is_held_to_the_next_response_target(service: Service) -> None:
    await add_policy(service, first_response_minutes=60, next_response_minutes=10)
    t0 = now_s() - timedelta(minutes=5)
    cid = await customer_writes(service, t0)
    await agent_replies(service, cid)
    t1 = now_s() + 2 * S  # after the reply (stamped now, to the microsecond)
    await customer_writes(service, t1, text="And the invoice?")
    first, second = await turns_of(service, cid)
    assert first.due_at == t0 + timedelta(minutes=60)  # turn 1: the first-response target
    assert second.due_at == t1 + timedelta(minutes=10)

    sla = deadlines(service)
    assert await sla.next_due(t1) == t1 + timedelta(minutes=10)  # turn 1 was answered in time
    assert await sla.run_once(t1 + timedelta(minutes=10) - S) == []
    [fired] = await sla.run_once(t1 + timedelta(minutes=11))
    assert (fired.metric, fired.turn_seq) == ("next_response", 2)
    [breach] = await breaches(service)
    assert (breach.metric, breach.turn_seq) == ("next_response", 2)
    # The first response was made in time: no first_response breach, ever.
    assert await sla.run_once(t0 + timedelta(hours=3)) == []


async def test_a_business_hours_target_lands_in_the_next_open_range(service: Service) -> None:
    tg = service.accounts["telegram"]["id"]
    night_shift = {"timezone": "UTC", "weekly": {d: [["22:00", "06:00"]] for d in _DAYS}}
    r = await service.client.put(
        f"/api/v1/accounts/{tg}/calendar", json=night_shift, headers=service.headers
    )
    assert r.status_code == 200, r.text
    await add_policy(service, first_response_minutes=60, business_hours=True)
    # 05:30: half an hour is left of the night's range; the other half is in the next one.
    t0 = datetime(2026, 3, 3, 5, 30, tzinfo=UTC)
    cid = await customer_writes(service, t0)
    cycle = await cycle_of(service, cid)
    due = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)
    assert cycle.first_response_due_at == due

    sla = deadlines(service)
    assert await sla.run_once(datetime(2026, 3, 3, 7, 0, tzinfo=UTC)) == []  # wall clock: 90 min
    assert await sla.run_once(due - S) == []
    [fired] = await sla.run_once(due + 5 * S)
    assert fired.metric == "first_response"


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
