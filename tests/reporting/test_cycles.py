"""The metric definitions (README, "Metrics, SLAs and CSAT") pinned on the pure replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inbox.reporting.cycles import Item, ItemKind, replay

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def customer(m: float, order: int = 0) -> Item:
    return Item(at=at(m), kind=ItemKind.CUSTOMER, order=order)


def human(m: float, agent: int | None = 7, team: int | None = None, native: bool = False) -> Item:
    return Item(at=at(m), kind=ItemKind.HUMAN, agent_id=agent, team_id=team, native=native)


def bot(m: float) -> Item:
    return Item(at=at(m), kind=ItemKind.AUTOMATED)


def resolved(m: float, by: int | None = 7) -> Item:
    return Item(at=at(m), kind=ItemKind.RESOLVED, agent_id=by)


def test_first_response_response_turns_and_resolution() -> None:
    [c] = replay([customer(0), customer(2), human(10), customer(30), human(45), resolved(60)])
    assert c.opened_at == at(0)
    assert c.first_response_at == at(10)
    assert c.first_response_agent_id == 7
    assert [(t.started_at, t.replied_at) for t in c.turns] == [
        (at(0), at(10)),  # the turn starts at the first unanswered message, not the second
        (at(30), at(45)),
    ]
    assert c.resolved_at == at(60)
    assert c.resolved_by_id == 7


def test_reopen_starts_a_new_cycle_measured_from_the_new_message() -> None:
    first, second = replay(
        [customer(0), human(5), resolved(10), customer(100), human(130), resolved(200)]
    )
    assert (first.seq, first.opened_at, first.resolved_at) == (1, at(0), at(10))
    assert (second.seq, second.opened_at, second.first_response_at) == (2, at(100), at(130))
    assert second.resolved_at == at(200)  # resolution 100 min, not 200 from the conversation


def test_bot_reply_is_automated_never_human() -> None:
    [c] = replay([customer(0), bot(0.1), human(20)])
    assert c.first_automated_at == at(0.1)
    assert c.first_response_at == at(20)  # the bot did not stop the human clock
    assert c.turns[0].automated_at == at(0.1)
    assert c.turns[0].replied_at == at(20)


def test_bot_only_cycle_has_no_human_first_response() -> None:
    [c] = replay([customer(0), bot(0.1), resolved(1, by=None)])
    assert c.first_response_at is None
    assert c.first_automated_at == at(0.1)
    assert c.turns[0].replied_at is None  # unanswered by a human
    assert c.resolved_by_id is None


def test_native_app_reply_counts_and_credits_no_agent() -> None:
    [c] = replay([customer(0), human(12, agent=None, native=True)])
    assert c.first_response_at == at(12)
    assert c.first_response_native
    assert c.first_response_agent_id is None
    assert c.turns[0].native


def test_the_replying_agent_and_team_of_that_moment_are_credited() -> None:
    [c] = replay([customer(0), human(5, agent=1, team=10), customer(20), human(25, 2, team=20)])
    assert (c.first_response_agent_id, c.first_response_team_id) == (1, 10)
    assert [(t.agent_id, t.team_id) for t in c.turns] == [(1, 10), (2, 20)]


def test_agent_initiated_messages_outside_a_cycle_are_not_measured() -> None:
    cycles = replay([human(0), resolved(1), customer(10), human(11)])
    assert len(cycles) == 1
    assert cycles[0].opened_at == at(10)
    assert cycles[0].first_response_at == at(11)


def test_late_arrival_is_placed_by_its_platform_time() -> None:
    # the customer's message arrived after the reply, but was sent before it
    [c] = replay([human(10), customer(0)])
    assert c.first_response_at == at(10)


def test_same_second_orders_customer_before_reply_and_resolve() -> None:
    [c] = replay([resolved(0), human(0), customer(0)])
    assert c.first_response_at == at(0)
    assert c.resolved_at == at(0)


def test_unanswered_turn_at_resolve_stays_unanswered() -> None:
    [c] = replay([customer(0), human(1), customer(5), resolved(6)])
    assert [t.replied_at for t in c.turns] == [at(1), None]


def test_numbering_continues_from_the_first_seq() -> None:
    cycles = replay([customer(0), resolved(1), customer(2)], first_seq=4)
    assert [c.seq for c in cycles] == [4, 5]
    assert cycles[1].resolved_at is None
    assert cycles[1].open_turn is not None
