"""Helpers for the SLA tests: customers writing through the real Telegram webhook at chosen
platform times, policies and rules through the REST API, and the rows the SLA job writes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from inbox.automation.models import RuleTrace
from inbox.maintenance.sla_deadlines import SlaDeadlines
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.sla_models import NoReplyFiring, SlaBreach
from tests.outbound.conftest import Service
from tests.support.factories import post_telegram
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
_breaches = SlaBreach.__table__  # type: ignore[attr-defined]
_firings = NoReplyFiring.__table__  # type: ignore[attr-defined]
_traces = RuleTrace.__table__  # type: ignore[attr-defined]

_ids = itertools.count(1)


def now_s() -> datetime:
    """Now, to the second (platforms stamp messages to the second)."""
    return datetime.now(UTC).replace(microsecond=0)


async def customer_writes(
    svc: Service, at: datetime, *, chat: int = 5123456789, text: str = "Where is my order?"
) -> int:
    """A Telegram DM from ``chat`` sent at ``at``, stored by the worker; the conversation id."""
    n = next(_ids)
    payload = with_changes(
        load_payload("telegram", "message__dm_text"),
        update_id=900_000_000 + n,
        **{
            "message.message_id": 70_000 + n,
            "message.date": int(at.timestamp()),
            "message.text": text,
            "message.chat.id": chat,
            "message.from.id": chat,
        },
    )
    r = await post_telegram(svc.client, svc.accounts["telegram"]["id"], payload)
    assert r.status_code == 200, r.text
    await svc.drain()
    [conv] = [
        c
        for c in await svc.conversations(channel="telegram")
        if c["contact"]["external_id"] == str(chat)
    ]
    return int(conv["id"])


async def agent_replies(svc: Service, conversation_id: int, text: str = "On its way!") -> None:
    r = await svc.reply(conversation_id, text)
    assert r.status_code == 201, r.text


async def add_policy(svc: Service, **fields: Any) -> dict[str, Any]:
    body = {"name": "Standard", **fields}
    r = await svc.client.post("/api/v1/sla-policies", json=body, headers=svc.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def add_rule(svc: Service, rule: dict[str, Any]) -> None:
    r = await svc.client.post("/api/v1/rules", json=rule, headers=svc.headers)
    assert r.status_code == 201, r.text


async def conversation(svc: Service, conversation_id: int) -> dict[str, Any]:
    [found] = [c for c in await svc.conversations() if c["id"] == conversation_id]
    return found


def deadlines(svc: Service) -> SlaDeadlines:
    return SlaDeadlines(
        svc.rt.engine, svc.rt.automation, live=svc.rt.live, reactions=svc.rt.reactions
    )


async def cycle_of(svc: Service, conversation_id: int) -> Any:
    async with svc.rt.engine.connect() as conn:
        return (
            await conn.execute(
                select(_cycles)
                .where(_cycles.c.conversation_id == conversation_id)
                .order_by(_cycles.c.seq.desc())
            )
        ).first()


async def turns_of(svc: Service, conversation_id: int) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        rows = await conn.execute(
            select(_turns).where(_turns.c.conversation_id == conversation_id).order_by(_turns.c.seq)
        )
        return list(rows)


async def breaches(svc: Service) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        return list(await conn.execute(select(_breaches).order_by(_breaches.c.id)))


async def firings(svc: Service) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        return list(await conn.execute(select(_firings).order_by(_firings.c.id)))


async def traces(svc: Service, event: str) -> list[Any]:
    async with svc.rt.engine.connect() as conn:
        return list(
            await conn.execute(
                select(_traces).where(_traces.c.event == event).order_by(_traces.c.id)
            )
        )


async def count_traces(svc: Service, event: str) -> int:
    async with svc.rt.engine.connect() as conn:
        found = await conn.scalar(
            select(func.count()).select_from(_traces).where(_traces.c.event == event)
        )
        return int(found or 0)
