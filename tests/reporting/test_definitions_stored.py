"""The metric definitions on stored rows, both backends: explicit timestamps in, cycle rows out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.runtime import Runtime
from inbox.users.models import Role
from tests.reporting.timeline_builder import History
from tests.support.factories import add_user

pytestmark = pytest.mark.asyncio
T0 = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tuesday 05:00 in Moscow (UTC+3)
MIN = 60.0


@pytest.fixture
async def agents(runtime: Runtime) -> tuple[int, int]:
    return (
        await add_user(runtime, "ann@example.com", Role.AGENT),
        await add_user(runtime, "bob@example.com", Role.AGENT),
    )


async def test_reopen_starts_a_new_cycle(runtime: Runtime, agents: tuple[int, int]) -> None:
    ann, bob = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.agent(10, ann)
    await h.resolve(20, by=ann)
    await h.customer(100)  # the customer writes again: a new cycle, measured from here
    await h.agent(130, bob)
    await h.resolve(200, by=bob)
    first, second = await h.cycles()
    assert (first.seq, first.first_response_seconds, first.resolution_seconds) == (
        1,
        10 * MIN,
        20 * MIN,
    )
    assert (second.seq, second.opened_at, second.first_response_agent_id) == (2, h.at(100), bob)
    assert second.first_response_seconds == 30 * MIN
    assert second.resolution_seconds == 100 * MIN  # not 200: a reopen starts a new cycle
    assert second.resolved_by_id == bob


async def test_bot_then_human(runtime: Runtime, agents: tuple[int, int]) -> None:
    ann, _ = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.bot(0.1)
    await h.bot(0.2, status="failed")  # a reply that never arrived counts for nothing
    await h.note(1, ann)  # a private note is not a reply
    await h.agent(15, ann)
    [c] = await h.cycles()
    assert c.first_automated_seconds == pytest.approx(6.0)
    assert c.first_response_seconds == 15 * MIN
    assert c.first_response_agent_id == ann
    [t] = await h.turns()
    assert t.seconds == 15 * MIN
    assert t.automated_at == h.at(0.1)


async def test_a_failed_human_reply_is_not_a_response(
    runtime: Runtime, agents: tuple[int, int]
) -> None:
    ann, _ = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h._message(
        3, direction="out", sender_type="agent", sender_id=ann, delivery_status="failed"
    )
    await h.agent(9, ann)
    [c] = await h.cycles()
    assert c.first_response_seconds == 9 * MIN


async def test_reply_typed_in_the_native_app_counts(runtime: Runtime) -> None:
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.native(7)
    [c] = await h.cycles()
    assert c.first_response_seconds == 7 * MIN
    assert c.first_response_native
    assert c.first_response_agent_id is None


async def test_customer_turns_start_at_the_first_unanswered_message(
    runtime: Runtime, agents: tuple[int, int]
) -> None:
    ann, bob = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.customer(4)
    await h.agent(10, ann, team_id=None)
    await h.customer(30)
    await h.agent(32, bob)
    await h.customer(50)
    await h.resolve(55, by=bob)
    turns = await h.turns()
    assert [(t.seq, t.seconds, t.agent_id) for t in turns] == [
        (1, 10 * MIN, ann),
        (2, 2 * MIN, bob),
        (3, None, None),  # unanswered when resolved
    ]
    [c] = await h.cycles()
    assert (c.customer_turns, c.answered_turns) == (3, 2)


OVERNIGHT = {
    "timezone": "Europe/Moscow",
    "weekly": {d: [["22:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
}


async def test_overnight_business_hours(runtime: Runtime, agents: tuple[int, int]) -> None:
    ann, _ = agents
    h = History(runtime, T0)  # Tuesday 05:00 MSK: inside Monday's 22:00-06:00 range
    await h.setup(calendar=OVERNIGHT)
    await h.customer(0)
    await h.agent(18 * 60, ann)  # Tuesday 23:00 MSK
    [c] = await h.cycles()
    assert c.first_response_seconds == 18 * 3600
    # open 05:00-06:00 (Monday night's range) and 22:00-23:00 (Tuesday night's)
    assert c.first_response_bh_seconds == 2 * 3600


async def test_a_holiday_is_not_business_time(runtime: Runtime, agents: tuple[int, int]) -> None:
    ann, _ = agents
    calendar = {
        "timezone": "Europe/Moscow",
        "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-03-04"],  # Wednesday
    }
    t0 = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tuesday 17:00 MSK
    h = History(runtime, t0)
    await h.setup(calendar=calendar)
    await h.customer(0)
    await h.agent(41 * 60, ann)  # Thursday 10:00 MSK
    await h.resolve(41 * 60 + 30, by=ann)
    [c] = await h.cycles()
    assert c.first_response_bh_seconds == 2 * 3600  # Tue 17-18 and Thu 09-10; Wed is off
    assert c.resolution_bh_seconds == 2.5 * 3600


async def test_the_team_at_the_moment_of_each_reply_is_credited(
    runtime: Runtime, agents: tuple[int, int]
) -> None:
    ann, bob = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.agent(5, ann, team_id=1)
    await h.customer(20)
    await h.agent(30, bob, team_id=2)  # the conversation moved to team 2 in between
    [c] = await h.cycles()
    assert (c.first_response_agent_id, c.first_response_team_id) == (ann, 1)
    assert [(t.agent_id, t.team_id) for t in await h.turns()] == [(ann, 1), (bob, 2)]


async def test_a_late_customer_message_is_placed_by_its_platform_time(
    runtime: Runtime, agents: tuple[int, int]
) -> None:
    ann, _ = agents
    h = History(runtime, T0)
    await h.setup()
    await h.customer(0)
    await h.agent(10, ann)
    await h.customer(5)  # arrives after the reply but was sent before it: same turn
    [t] = await h.turns()
    assert (t.started_at, t.seconds) == (h.at(0), 10 * MIN)
