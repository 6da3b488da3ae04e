"""Rules fired by the SLA deadlines job, both backends: ``sla_breached`` and ``no_reply`` act on the
conversation once, leave traces, respect monitor mode, and their replies reach the platform."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlalchemy import select

from inbox.outbox.models import OutboxRow
from inbox.users.models import Role
from tests.outbound.conftest import Service
from tests.reporting.sla_helpers import (
    add_policy,
    add_rule,
    agent_replies,
    conversation,
    customer_writes,
    cycle_of,
    deadlines,
    firings,
    now_s,
    traces,
)
from tests.support.factories import add_user

pytestmark = pytest.mark.asyncio
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
S = timedelta(seconds=1)


async def test_a_breach_rule_escalates_and_reassigns(service: Service) -> None:
    lead = await add_user(service.rt, "lead@example.com", Role.AGENT)
    r = await service.client.post(
        "/api/v1/teams", json={"name": "Escalations", "member_ids": [lead]}, headers=service.headers
    )
    assert r.status_code == 201, r.text
    team_id = r.json()["id"]
    await add_rule(
        service,
        {
            "name": "late first reply",
            "when": "sla_breached",
            "if": {"sla_metric": "first_response"},
            "then": [
                {"set_priority": "urgent"},
                {"assign_team": "Escalations"},
                {"webhook": "https://hooks.example.com/sla"},
            ],
        },
    )
    await add_rule(
        service,
        {
            "name": "late resolution",
            "when": "sla_breached",
            "if": {"sla_metric": "resolution"},
            "then": [{"add_label": "slow"}],
        },
    )
    await add_policy(service, first_response_minutes=15, resolution_minutes=120)
    t0 = now_s()
    cid = await customer_writes(service, t0)
    before = await conversation(service, cid)
    assert (before["priority"], before["team_id"], before["assignee_id"]) == (None, None, None)

    [fired] = await deadlines(service).run_once(t0 + timedelta(minutes=16))
    assert fired.metric == "first_response"
    after = await conversation(service, cid)
    assert after["priority"] == "urgent"
    assert (after["team_id"], after["assignee_id"]) == (team_id, lead)
    assert after["labels"] == []  # the resolution rule waits for its own breach

    [trace] = await traces(service, "sla_breached")
    assert trace.conversation_id == cid
    assert [e["rule_name"] for e in trace.trace] == ["late first reply"]
    async with service.rt.engine.connect() as conn:
        [hook] = list(await conn.execute(select(_outbox).where(_outbox.c.action == "webhook")))
    body = orjson.loads(hook.request["body"])
    assert (body["event"], body["detail"]["metric"]) == ("sla_breached", "first_response")
    assert body["conversation"]["id"] == cid

    [fired] = await deadlines(service).run_once(t0 + timedelta(minutes=121))
    assert fired.metric == "resolution"
    assert (await conversation(service, cid))["labels"] == ["slow"]
    assert (await cycle_of(service, cid)).resolution_breached is True


async def test_a_no_reply_rule_fires_once_per_turn_and_wait(service: Service) -> None:
    await add_rule(
        service,
        {"name": "greet", "when": "message_received", "then": [{"reply": "Hi! We got it."}]},
    )
    await add_rule(
        service,
        {
            "name": "still there",
            "when": "no_reply",
            "minutes": 10,
            "then": [
                {"reply": "Still with you, {{ contact.first_name }}."},
                {"add_label": "waiting"},
            ],
        },
    )
    await add_rule(
        service,
        {
            "name": "watching",
            "mode": "monitor",
            "when": "no_reply",
            "minutes": 10,
            "then": [{"add_label": "monitored"}],
        },
    )
    await add_rule(
        service,
        {"name": "very late", "when": "no_reply", "minutes": 30, "then": [{"add_label": "late"}]},
    )
    t0 = now_s()
    cid = await customer_writes(service, t0)
    answered = await customer_writes(service, t0, chat=5123456790)
    await agent_replies(service, answered)

    sla = deadlines(service)
    assert await sla.next_due(t0) == t0 + timedelta(minutes=10)
    assert await sla.run_once(t0 + timedelta(minutes=10) - S) == []
    [fired] = await sla.run_once(t0 + timedelta(minutes=10, seconds=5))
    assert (fired.trigger, fired.minutes, fired.conversation_id) == ("no_reply", 10, cid)
    assert (await conversation(service, cid))["labels"] == ["waiting"]  # monitor: not done
    assert await sla.run_once(t0 + timedelta(minutes=11)) == []
    assert await deadlines(service).run_once(t0 + timedelta(minutes=12)) == []  # a restart

    [trace] = await traces(service, "no_reply")
    assert [(e["rule_name"], e["mode"]) for e in trace.trace] == [
        ("still there", "active"),
        ("watching", "monitor"),
    ]
    assert trace.trace[1]["actions"] == [{"type": "add_labels", "labels": ["monitored"]}]

    await service.send()
    texts = [c.params["text"] for c in service.tg.calls_to("sendMessage")]
    assert texts.count("Hi! We got it.") == 2  # both customers were greeted on arrival
    assert texts.count("Still with you, Alina.") == 1  # not taken for the greeting's twin

    assert await sla.next_due(t0 + timedelta(minutes=12)) == t0 + timedelta(minutes=30)
    [late] = await sla.run_once(t0 + timedelta(minutes=31))
    assert (late.minutes, late.conversation_id) == (30, cid)
    assert sorted((await conversation(service, cid))["labels"]) == ["late", "waiting"]
    assert [(f.turn_seq, f.minutes) for f in await firings(service)] == [(1, 10), (1, 30)]


async def test_no_reply_is_not_fired_for_turns_long_past(service: Service) -> None:
    """A rule added today does not act on every conversation left open for months."""
    t0 = now_s() - timedelta(days=30)
    await customer_writes(service, t0)
    await add_rule(
        service,
        {"name": "nudge", "when": "no_reply", "minutes": 10, "then": [{"add_label": "nudge"}]},
    )
    sla = deadlines(service)
    assert await sla.run_once(now_s()) == []
    assert await sla.next_due(now_s()) is None
    assert await firings(service) == []


async def test_a_rule_that_cannot_be_carried_out_does_not_keep_the_breach_due(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    gone = await add_user(service.rt, "gone@example.com", Role.AGENT)
    await add_rule(
        service,
        {"name": "to gone", "when": "sla_breached", "then": [{"assign_agent": gone}]},
    )
    await add_policy(service, first_response_minutes=5)
    t0 = now_s()
    cid = await customer_writes(service, t0)
    sla = deadlines(service)
    assert await sla.next_due(t0) == t0 + timedelta(minutes=5)  # the rules are compiled now
    r = await service.client.patch(
        f"/api/v1/users/{gone}", json={"is_active": False}, headers=service.headers
    )
    assert r.status_code == 200, r.text

    [fired] = await sla.run_once(t0 + timedelta(minutes=6))  # the rule fails; the breach holds
    assert fired.metric == "first_response"
    assert "firing first_response breach on conversation" in caplog.text
    assert (await conversation(service, cid))["assignee_id"] is None
    assert (await cycle_of(service, cid)).first_response_breached is True
    assert await sla.run_once(t0 + timedelta(minutes=7)) == []
    assert await sla.next_due(t0 + timedelta(minutes=7)) is None
