"""The reactions list (inbox/reactions.py): every reaction sees each round in the list's order,
and what one changes in turn is the next round, whoever owns the transaction: the API request
(an agent's resolve) or the worker (a rule's resolve), on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from inbox.changes import (
    Change,
    Changes,
    ConversationChanged,
    Reaction,
    Reactions,
    ReactionsDidNotSettle,
    ReplyQueued,
    TeamDeleted,
)
from inbox.outbox.models import OutboxRow
from inbox.reactions import compose
from inbox.reporting.models import StatusChange
from inbox.reporting.recorder import record_metrics
from tests.outbound.conftest import Service
from tests.reporting.sla_helpers import add_rule, customer_writes, cycle_of, now_s

pytestmark = pytest.mark.asyncio
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_log = StatusChange.__table__  # type: ignore[attr-defined]

Seen = list[tuple[str, tuple[str, ...]]]


def _spied(reactions: Reactions, seen: Seen) -> Reactions:
    """The same reactions, each noting its name and the kinds of change in its round."""

    def spy(reaction: Reaction) -> Reaction:
        async def noted(conn: Any, batch: Sequence[Change], changes: Changes) -> None:
            seen.append((reaction.__name__, tuple(type(c).__name__ for c in batch)))
            await reaction(conn, batch, changes)

        return noted

    return Reactions(*(spy(r) for r in reactions.reactions))


def _rounds(seen: Seen, names: list[str]) -> list[tuple[str, ...]]:
    """The kinds of change of each round, checking that every round ran the whole list in
    its order."""
    rounds = [seen[i : i + len(names)] for i in range(0, len(seen), len(names))]
    for one in rounds:
        assert [name for name, _ in one] == names
        assert len({kinds for _, kinds in one}) == 1  # every reaction saw the same round
    return [one[0][1] for one in rounds]


async def _enable_csat(svc: Service) -> None:
    account = svc.accounts["telegram"]["id"]
    r = await svc.client.put(
        f"/api/v1/accounts/{account}/csat", json={"enabled": True}, headers=svc.headers
    )
    assert r.status_code == 200, r.text


async def _survey_rows(svc: Service, cycle_id: int) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        return list(
            await conn.execute(
                select(_outbox).where(_outbox.c.idempotency_key == f"csat:{cycle_id}")
            )
        )


async def test_rounds_run_the_list_in_order_until_nothing_new() -> None:
    seen: list[str] = []
    at = datetime(2026, 1, 1, tzinfo=UTC)

    async def first(_conn: Any, batch: Sequence[Change], changes: Changes) -> None:
        seen.append(f"first {[type(c).__name__ for c in batch]}")
        if any(isinstance(c, ConversationChanged) for c in batch):
            changes.append(ReplyQueued(conversation=None, message_id=7))

    async def second(_conn: Any, batch: Sequence[Change], _changes: Changes) -> None:
        seen.append(f"second {[type(c).__name__ for c in batch]}")

    changes: Changes = [ConversationChanged(1, at, "resolved"), TeamDeleted(3)]
    await Reactions(first, second).run(None, changes)  # type: ignore[arg-type]
    assert seen == [
        "first ['ConversationChanged', 'TeamDeleted']",
        "second ['ConversationChanged', 'TeamDeleted']",
        "first ['ReplyQueued']",
        "second ['ReplyQueued']",
    ]
    assert changes == []  # taken: a second run reacts to nothing again
    await Reactions(first, second).run(None, changes)  # type: ignore[arg-type]
    assert len(seen) == 4


async def test_reactions_that_never_settle_are_stopped() -> None:
    async def echo(_conn: Any, batch: Sequence[Change], changes: Changes) -> None:
        changes.extend(batch)

    with pytest.raises(ReactionsDidNotSettle):
        await Reactions(echo).run(None, [TeamDeleted(1)])  # type: ignore[arg-type]


async def test_the_list_keeps_the_order_its_reactions_depend_on() -> None:
    names = [r.__name__ for r in compose().reactions]
    # the survey looks for the cycle the metrics closed
    assert names.index("record_metrics") < names.index("ask_csat_after_resolve")
    assert "run_rules" not in names  # no automation given, no rules


async def test_an_agents_resolve_asks_the_survey_whose_reply_is_recorded_next(
    service: Service,
) -> None:
    svc = service
    await _enable_csat(svc)
    cid = await customer_writes(svc, now_s())
    names = [r.__name__ for r in svc.rt.reactions.reactions]
    seen: Seen = []
    svc.rt.reactions = _spied(svc.rt.reactions, seen)

    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "resolved"}, headers=svc.headers
    )

    assert r.status_code == 200, r.text
    # the request ran the list: the resolve, then the survey's reply it queued (recorded by
    # the metrics like any reply), then nothing more
    assert _rounds(seen, names) == [("ConversationChanged",), ("ReplyQueued",)]
    cycle = await cycle_of(svc, cid)
    assert cycle.resolved_at is not None
    assert cycle.csat_requested_at is not None
    assert len(await _survey_rows(svc, cycle.id)) == 1
    async with svc.rt.engine.connect() as conn:
        logged = [row.status for row in await conn.execute(select(_log.c.status))]
    assert logged == ["resolved"]


async def test_a_rules_resolve_in_the_worker_feeds_the_survey_in_later_rounds(
    service: Service,
) -> None:
    svc = service
    await _enable_csat(svc)
    await add_rule(
        svc,
        {
            "name": "close thanks",
            "when": "message_received",
            "if": {"text_has_any": "thanks"},
            "then": [{"set_status": "resolved"}],
        },
    )
    names = [r.__name__ for r in svc.rt.reactions.reactions]
    seen: Seen = []
    svc.rt.reactions = _spied(svc.rt.reactions, seen)  # the worker takes it when made

    cid = await customer_writes(svc, now_s(), text="thanks, all good")

    assert _rounds(seen, names) == [
        ("MessageStored",),  # metrics, signals, campaign label, then the rules: resolve
        ("ConversationChanged",),  # the resolve logged and replayed, then the survey asked
        ("ReplyQueued",),  # the survey's reply recorded
    ]
    cycle = await cycle_of(svc, cid)
    assert cycle.resolved_at is not None
    assert len(await _survey_rows(svc, cycle.id)) == 1


async def test_in_another_order_the_survey_finds_no_resolved_cycle(service: Service) -> None:
    """Why the list's order is part of its meaning: asked before the metrics have closed the
    cycle, the survey has nothing to ask about."""
    svc = service
    await _enable_csat(svc)
    cid = await customer_writes(svc, now_s())
    rest = [r for r in svc.rt.reactions.reactions if r is not record_metrics]
    svc.rt.reactions = Reactions(*rest, record_metrics)

    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "resolved"}, headers=svc.headers
    )

    assert r.status_code == 200, r.text
    cycle = await cycle_of(svc, cid)
    assert cycle.resolved_at is not None  # recorded, but after the survey looked
    assert await _survey_rows(svc, cycle.id) == []


async def test_a_deleted_teams_conversations_are_left_without_a_team(service: Service) -> None:
    svc = service
    cid = await customer_writes(svc, now_s())
    r = await svc.client.post("/api/v1/teams", json={"name": "Billing"}, headers=svc.headers)
    assert r.status_code == 201, r.text
    team_id = r.json()["id"]
    r = await svc.client.patch(
        f"/api/v1/conversations/{cid}", json={"team_id": team_id}, headers=svc.headers
    )
    assert r.json()["team_id"] == team_id

    r = await svc.client.delete(f"/api/v1/teams/{team_id}", headers=svc.headers)

    assert r.status_code == 204
    [found] = [c for c in await svc.conversations() if c["id"] == cid]
    assert found["team_id"] is None  # by the reaction to TeamDeleted, in the same request
