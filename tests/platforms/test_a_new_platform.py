"""A platform ``inbox`` has never heard of flows through it on its declared traits alone.

Parrot (``tests/platforms/parrot.py``) is registered the way the composition root registers the
built-in platforms, with traits none of them has. Its events are stored and its own opt-in and
opt-out ledgered; replies keep to its window and its tag; a campaign's audience keeps to the
window and goes out three recipients per call; a call cut off by a crash is made again (its
sends are idempotent); its account shows the webhook URL it declares.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, update

from api.runtime import Runtime
from inbox import platforms
from inbox.accounts.models import Account
from inbox.conversations.models import AccountContact, Contact, Message
from inbox.db import Conn
from inbox.newsletters.delivery import campaign_states
from inbox.newsletters.models import Subscription, SubscriptionEvent
from inbox.outbox.models import OutboxRequest, OutboxRow
from inbox.outbox.policy import SendPolicy
from inbox.outbox.sender import OutboxSender
from inbox.queue.base import NewEvent
from inbox.ratelimit import Limit, LocalRateLimiter
from inbox.types import utcnow
from tests.platforms.parrot import NAME, TRAITS, WINDOW, ParrotAdapter, ParrotSender
from tests.support.factories import admin_headers, drain
from tests.support.units import in_unit

_accounts = Account.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]
_ac = AccountContact.__table__  # type: ignore[attr-defined]
_subs = Subscription.__table__  # type: ignore[attr-defined]
_ledger = SubscriptionEvent.__table__  # type: ignore[attr-defined]
_messages = Message.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]


@dataclass
class Parrot:
    rt: Runtime
    client: httpx.AsyncClient
    headers: dict[str, str]
    account_id: int
    sender: ParrotSender
    outbox: OutboxSender

    async def hear(self, event_id: str, **payload: Any) -> None:
        body = orjson.dumps({"id": event_id, **payload})
        await self.rt.intake.submit(NewEvent(NAME, self.account_id, event_id, body, time.time()))
        await drain(self.rt)

    async def api(self, method: str, path: str, **kw: Any) -> Any:
        r = await self.client.request(method, f"/api/v1{path}", headers=self.headers, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    async def sql(self, statement: Any) -> list[Any]:
        return await _rows(self.rt, statement)

    async def run(self, statement: Any) -> None:
        await _rows(self.rt, statement, fetch=False)


async def _rows(rt: Runtime, statement: Any, *, fetch: bool = True) -> list[Any]:
    async def body(conn: Conn) -> list[Any]:
        result = await conn.execute(statement)
        return list(result.all()) if fetch else []

    return await in_unit(rt.engine, body)


@pytest.fixture
async def parrot(runtime: Runtime, client: httpx.AsyncClient) -> AsyncIterator[Parrot]:
    runtime.adapters[NAME] = ParrotAdapter()
    platforms.register(TRAITS)
    try:
        headers = await admin_headers(client, runtime)
        now = utcnow()
        [row] = await _rows(
            runtime,
            _accounts.insert()
            .values(
                channel=NAME,
                name="The perch",
                external_id="perch-1",
                token="seed",
                webhook_secret="",
                secret="",
                confirmation_code="",
                options={},
                is_active=True,
                created_at=now,
            )
            .returning(_accounts.c.id),
        )
        sender = ParrotSender()
        yield Parrot(runtime, client, headers, row.id, sender, _outbox_sender(runtime, sender))
    finally:
        platforms.unregister(NAME)
        runtime.adapters.pop(NAME, None)


def _outbox_sender(rt: Runtime, sender: ParrotSender) -> OutboxSender:
    """An outbox sender with Parrot's sender (a new one sees accounts' options afresh)."""
    policy = SendPolicy(rates=platforms.configured_rates(rt.settings))
    return OutboxSender(
        rt.engine,
        {NAME: sender},
        LocalRateLimiter(),
        policy=policy,
        reactions=rt.reactions,
        campaign_states=campaign_states,
    )


async def _conversation(p: Parrot) -> dict[str, Any]:
    """The one conversation (each test hears one bird)."""
    [found] = (await p.api("GET", "/conversations"))["items"]
    assert found["channel"] == NAME
    return dict(found)


async def _reply(p: Parrot, conversation_id: int, text: str) -> dict[str, Any]:
    await p.api("POST", f"/conversations/{conversation_id}/messages", json={"text": text})
    await p.outbox.run_once()
    messages = (await p.api("GET", f"/conversations/{conversation_id}/messages"))["items"]
    return dict(next(m for m in messages if m["direction"] == "out" and m["text"] == text))


async def _wrote_ago(p: Parrot, bird: str, ago: timedelta) -> None:
    [contact] = await p.sql(
        select(_contacts.c.id).where(_contacts.c.channel == NAME, _contacts.c.external_id == bird)
    )
    await p.run(
        update(_ac).where(_ac.c.contact_id == contact.id).values(last_inbound_at=utcnow() - ago)
    )


async def test_its_events_are_stored_with_the_receipt_time_and_its_opt_signals_ledgered(
    parrot: Parrot,
) -> None:
    before = utcnow() - timedelta(seconds=1)
    await parrot.hear("e1", type="squawk", **{"from": "polly"}, name="Polly", text="!perch spring")
    [message] = await parrot.sql(select(_messages.c.text, _messages.c.platform_ts))
    assert message.text == "!perch spring"
    stamped = message.platform_ts.replace(tzinfo=message.platform_ts.tzinfo or UTC)
    assert before <= stamped <= utcnow()  # the worker stamped an event with no time of its own

    await parrot.hear("e2", type="fly_away", **{"from": "polly"})
    ledger = await parrot.sql(
        select(_ledger.c.action, _ledger.c.method, _ledger.c.source).order_by(_ledger.c.id)
    )
    assert [tuple(r) for r in ledger] == [
        ("opt_in", "parrot_perch", "spring"),
        ("opt_out", "parrot_flew_away", None),
    ]
    [sub] = await parrot.sql(select(_subs.c.status, _subs.c.method))
    assert tuple(sub) == ("unsubscribed", "parrot_flew_away")


async def test_replies_keep_to_its_window_and_use_its_tag_where_the_account_allows(
    parrot: Parrot,
) -> None:
    await parrot.hear("e1", type="squawk", **{"from": "polly"}, name="Polly", text="Hello?")
    conversation = await _conversation(parrot)

    inside = await _reply(parrot, conversation["id"], "Hi Polly")
    assert inside["delivery_status"] == "sent"
    assert parrot.sender.calls[-1].messaging_tag is None

    await _wrote_ago(parrot, "polly", timedelta(hours=3))
    calls = len(parrot.sender.calls)
    outside = await _reply(parrot, conversation["id"], "Still there?")
    assert outside["delivery_status"] == "failed"
    assert "outside Parrot's 2-hour window" in outside["delivery_error"]
    assert "6 hours with the late-reply tag" in outside["delivery_error"]
    assert len(parrot.sender.calls) == calls  # refused before any call

    await parrot.run(
        update(_accounts)
        .where(_accounts.c.id == parrot.account_id)
        .values(options={"allow_late_replies": True})
    )
    parrot.outbox = _outbox_sender(parrot.rt, parrot.sender)
    tagged = await _reply(parrot, conversation["id"], "Sorry for the wait")
    assert tagged["delivery_status"] == "sent"
    assert parrot.sender.calls[-1].messaging_tag == "LATE_REPLY"


async def test_a_campaign_keeps_to_its_window_and_goes_out_three_birds_a_call(
    parrot: Parrot,
) -> None:
    now = utcnow()
    birds = {f"bird-{n}": timedelta(hours=1) for n in range(5)} | {"late-bird": timedelta(hours=3)}
    for bird, ago in birds.items():
        [contact] = await parrot.sql(
            _contacts.insert()
            .values(channel=NAME, external_id=bird, display_name=bird)
            .values(created_at=now, updated_at=now)
            .returning(_contacts.c.id)
        )
        for table, values in (
            (_ac, {"opted_out": False, "unreachable": False, "last_inbound_at": now - ago}),
            (_subs, {"status": "subscribed", "changed_at": now, "method": "api"}),
        ):
            extra = {"updated_at": now} if table is _ac else {}
            await parrot.run(
                table.insert().values(
                    account_id=parrot.account_id, contact_id=contact.id, **values, **extra
                )
            )
    segment = await parrot.api(
        "POST", "/segments", json={"name": "Everyone", "account_id": parrot.account_id}
    )
    audience = await parrot.api("GET", f"/segments/{segment['id']}/audience")
    assert audience["size"] == 5  # the late bird wrote outside the window
    assert audience["note"] == WINDOW.audience_note

    campaign = await parrot.api(
        "POST",
        "/campaigns",
        json={
            "name": "Seeds",
            "account_id": parrot.account_id,
            "segment_id": segment["id"],
            "text": "Fresh seeds today",
            "tag": "useful",
        },
    )
    await parrot.api("POST", f"/campaigns/{campaign['id']}/send")
    dispatcher = parrot.rt.make_dispatcher()
    for _ in range(20):
        await dispatcher.run_once()
        await parrot.outbox.run_once()
    done = await parrot.api("GET", f"/campaigns/{campaign['id']}")
    assert done["status"] == "done"
    assert done["progress"]["sent"] == 5
    assert sorted(len(batch) for batch in parrot.sender.batches) == [2, 3]
    sent_to = sorted(item.peer_id for batch in parrot.sender.batches for item in batch)
    assert sent_to == [f"bird-{n}" for n in range(5)]
    assert parrot.sender.calls == []  # nothing went one by one


async def test_a_send_cut_off_by_a_crash_is_made_again_because_its_sends_are_idempotent(
    parrot: Parrot,
) -> None:
    await parrot.hear("e1", type="squawk", **{"from": "polly"}, name="Polly", text="Hello?")
    conversation = await _conversation(parrot)
    await parrot.api(
        "POST", f"/conversations/{conversation['id']}/messages", json={"text": "Once more"}
    )
    past = datetime.now(UTC) - timedelta(minutes=5)
    await parrot.run(update(_outbox).values(status="sending", lease_until=past))  # died mid-call

    assert await parrot.outbox.run_once() == 1
    [row] = await parrot.sql(select(_outbox.c.status, _outbox.c.last_error))
    assert (row.status, row.last_error) == ("sent", None)
    assert [c.text for c in parrot.sender.calls] == ["Once more"]


async def test_its_account_shows_the_webhook_url_and_options_it_declares(parrot: Parrot) -> None:
    accounts = await parrot.api("GET", "/accounts")
    items = accounts["items"] if isinstance(accounts, dict) else accounts
    [mine] = [a for a in items if a["id"] == parrot.account_id]
    assert mine["webhook_url"] == f"/webhooks/parrot/{parrot.account_id}"
    assert mine["can_moderate"] is False  # no parrot_keeper_token among its options
    assert mine["allow_human_agent"] is False  # its window's tag is not allowed yet


def test_its_calls_draw_from_the_buckets_it_declares(parrot: Parrot) -> None:
    policy = SendPolicy(rates=platforms.configured_rates(parrot.rt.settings))
    dm = OutboxRequest(peer_id="polly")
    assert policy.limits(NAME, 7, dm) == (
        Limit("parrot:7:polly", 50.0, 5),
        Limit("parrot:7", 40.0, 2),
    )
