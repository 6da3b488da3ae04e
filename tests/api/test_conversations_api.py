"""The conversation list and message history, filled through real signed webhooks.

Order (most recent activity first), keyset pagination that neither repeats nor loses rows
when activity arrives between pages, every filter, and a resolved conversation reopening on
a customer's new message (but not on the brand's own outbound message).
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api.runtime import Runtime
from inbox.conversations.models import Conversation
from tests.support.factories import (
    add_all_accounts,
    admin_headers,
    drain,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.payloads import load_payload
from tests.support.units import orm_session

BASE = 1737450000  # 2025-01-21T09:00:00Z, the fixture's own date
CUSTOMERS = 25


def _iso(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Inbox:
    """A Telegram bot with customers writing to it, and the API to read what they wrote."""

    client: httpx.AsyncClient
    runtime: Runtime
    headers: dict[str, str]
    accounts: dict[str, dict[str, Any]]
    _updates: itertools.count[int] = field(default_factory=lambda: itertools.count(810_000_000))
    _messages: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))

    @staticmethod
    def name(customer: int) -> str:
        return f"Customer {customer:02d}"

    async def dm(self, customer: int, *, date: int, text: str = "Hello") -> dict[str, Any]:
        """A private message from ``customer`` (own chat, own name) through the webhook."""
        payload = load_payload("telegram", "message__dm_text")
        payload["update_id"] = next(self._updates)
        message = payload["message"]
        person = {
            "id": 6_000_000_000 + customer,
            "first_name": "Customer",
            "last_name": f"{customer:02d}",
            "username": f"cust{customer:02d}",
        }
        message["from"].update(person)
        message["chat"].update(person)
        message.update(message_id=next(self._messages), date=date, text=text)
        r = await post_telegram(self.client, self.accounts["telegram"]["id"], payload)
        assert r.status_code == 200, r.text
        return payload

    async def page(self, **params: Any) -> dict[str, Any]:
        r = await self.client.get("/api/v1/conversations", params=params, headers=self.headers)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def all(self, **params: Any) -> list[dict[str, Any]]:
        data = await self.page(limit=200, **params)
        assert data["next_cursor"] is None
        items: list[dict[str, Any]] = data["items"]
        return items

    async def walk(self, limit: int, **params: Any) -> list[list[dict[str, Any]]]:
        pages, cursor = [], None
        for _ in range(100):
            data = await self.page(limit=limit, **params, **({"cursor": cursor} if cursor else {}))
            pages.append(data["items"])
            cursor = data["next_cursor"]
            if cursor is None:
                return pages
        raise AssertionError("pagination never ended")

    async def messages(self, conversation_id: int, **params: Any) -> dict[str, Any]:
        r = await self.client.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            params=params,
            headers=self.headers,
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def by_name(self, customer: int) -> dict[str, Any]:
        [conv] = [
            c for c in await self.all() if c["contact"]["display_name"] == self.name(customer)
        ]
        return conv

    async def set_status(self, conversation_id: int, status: str) -> None:
        async with orm_session(self.runtime) as session:
            await session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(status=status)
            )


def _date_of(customer: int) -> int:
    """Activity times in a shuffled order, so creation order is not the answer."""
    return BASE + ((customer * 7) % CUSTOMERS) * 60


@pytest.fixture
async def inbox(client: httpx.AsyncClient, runtime: Runtime) -> Inbox:
    headers = await admin_headers(client, runtime)
    box = Inbox(client, runtime, headers, await add_all_accounts(client, headers))
    for customer in range(CUSTOMERS):
        await box.dm(customer, date=_date_of(customer))
    assert await drain(runtime) == CUSTOMERS
    return box


def _newest_first() -> list[str]:
    order = sorted(range(CUSTOMERS), key=_date_of, reverse=True)
    return [Inbox.name(c) for c in order]


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [c["contact"]["display_name"] for c in items]


# --- order and pagination ----------------------------------------------------------------


class TestListing:
    async def test_most_recent_activity_first(self, inbox: Inbox) -> None:
        items = await inbox.all()
        assert _names(items) == _newest_first()
        times = [_when(c["last_message_at"]) for c in items]
        assert times == sorted(times, reverse=True)
        assert times[0] == _iso(BASE + (CUSTOMERS - 1) * 60)
        first = items[0]
        assert first["channel"] == "telegram"
        assert first["kind"] == "direct"
        assert first["status"] == "open"
        assert first["account_id"] == inbox.accounts["telegram"]["id"]
        assert first["contact"]["username"].startswith("cust")
        assert first["post"] is None
        assert first["labels"] == []

    async def test_new_activity_moves_a_conversation_to_the_top(self, inbox: Inbox) -> None:
        oldest = _newest_first()[-1]
        customer = int(oldest.split()[-1])
        await inbox.dm(customer, date=BASE + 3600, text="Anyone there?")
        await drain(inbox.runtime)
        items = await inbox.all()
        assert _names(items)[0] == oldest
        assert _when(items[0]["last_message_at"]) == _iso(BASE + 3600)
        assert len(items) == CUSTOMERS

    async def test_cursor_walk_sees_every_conversation_once(self, inbox: Inbox) -> None:
        pages = await inbox.walk(limit=7)
        assert [len(p) for p in pages] == [7, 7, 7, 4]
        walked = [c for p in pages for c in p]
        assert len({c["id"] for c in walked}) == CUSTOMERS
        assert [c["id"] for c in walked] == [c["id"] for c in await inbox.all()]

    async def test_exact_multiple_of_the_page_size_ends_without_an_empty_page(
        self, inbox: Inbox
    ) -> None:
        pages = await inbox.walk(limit=5)
        assert [len(p) for p in pages] == [5] * 5

    async def test_walk_is_stable_when_messages_arrive_between_pages(self, inbox: Inbox) -> None:
        first = await inbox.page(limit=7)
        seen = [c["id"] for c in first["items"]]
        third_page = (await inbox.all())[14:21]
        last_page = (await inbox.all())[21:]
        on_first = first["items"][3]["contact"]["display_name"]
        moved_up = third_page[2]["contact"]["display_name"]
        late = last_page[1]["contact"]["display_name"]
        # Between two page loads: a reply in a conversation already seen, a new customer, a
        # message in a conversation not yet reached, and a late one with an old date.
        await inbox.dm(int(on_first.split()[-1]), date=BASE + 5000)
        await inbox.dm(99, date=BASE + 5001)
        await inbox.dm(int(moved_up.split()[-1]), date=BASE + 5002)
        await inbox.dm(int(late.split()[-1]), date=BASE - 600)
        assert await drain(inbox.runtime) == 4

        cursor = first["next_cursor"]
        while cursor:
            data = await inbox.page(limit=7, cursor=cursor)
            seen += [c["id"] for c in data["items"]]
            cursor = data["next_cursor"]
        assert len(seen) == len(set(seen)), "a conversation was listed twice"
        originals = {c["id"]: c["contact"]["display_name"] for c in await inbox.all()}
        missing = {name for cid, name in originals.items() if cid not in seen}
        # Only what moved above the cursor is not in this walk; a fresh walk starts with it.
        assert missing == {Inbox.name(99), moved_up}
        assert _names((await inbox.page(limit=3))["items"]) == [moved_up, Inbox.name(99), on_first]

    @pytest.mark.parametrize(
        "cursor",
        [
            "not a cursor!",
            "%%%",
            _b64(b"not json"),
            _b64(b'["x", 1]'),
            _b64(b"[1]"),
            _b64(b'{"a": 1, "b": 2}'),
            _b64(b"[null, 1]"),
            _b64(b'["2025-01-21T09:00:00+00:00", "abc"]'),
            _b64(b'["2025-01-21T09:00:00+00:00", 1, 2]'),
            _b64(b'["2025-01-21T09:00:00", 5]'),  # no time zone
            _b64(b'["2025-01-21T09:00:00+00:00", 1e30]'),
            _b64(b'["2025-01-21T09:00:00+00:00", 99999999999999999999]'),
            _b64(b'["2025-01-21T09:00:00+00:00", 9223372036854775808]'),
            _b64(b'["2025-01-21T09:00:00+00:00", -1]'),
            _b64(b'["0001-01-01T00:00:00+14:00", 1]'),  # before year 1 in UTC
        ],
    )
    async def test_bad_cursor_is_400(self, inbox: Inbox, cursor: str) -> None:
        conv = (await inbox.all())[0]
        for path in ("/api/v1/conversations", f"/api/v1/conversations/{conv['id']}/messages"):
            r = await inbox.client.get(path, params={"cursor": cursor}, headers=inbox.headers)
            assert r.status_code == 400, (path, r.text)
            assert r.json() == {"detail": "invalid cursor"}

    async def test_unknown_conversation_is_404(self, inbox: Inbox) -> None:
        for path in ("/api/v1/conversations/999999", "/api/v1/conversations/999999/messages"):
            r = await inbox.client.get(path, headers=inbox.headers)
            assert r.status_code == 404
            assert r.json() == {"detail": "no such conversation"}
        r = await inbox.client.get("/api/v1/conversations/abc", headers=inbox.headers)
        assert r.status_code == 422

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "closed"},
            {"channel": "whatsapp"},
            {"kind": "dm"},
            {"limit": 0},
            {"limit": 201},
            {"account_id": "x"},
        ],
        ids=lambda p: next(iter(p.items()))[0] + "=" + str(next(iter(p.values()))),
    )
    async def test_invalid_filter_values_are_422(
        self, inbox: Inbox, params: dict[str, Any]
    ) -> None:
        r = await inbox.client.get("/api/v1/conversations", params=params, headers=inbox.headers)
        assert r.status_code == 422
        [problem] = r.json()["detail"]
        assert problem["loc"] == ["query", next(iter(params))]


# --- filters -----------------------------------------------------------------------------


class TestFilters:
    async def test_status(self, inbox: Inbox) -> None:
        resolved = {(await inbox.by_name(c))["id"] for c in (3, 8)}
        for cid in resolved:
            await inbox.set_status(cid, "resolved")
        snoozed = (await inbox.by_name(11))["id"]
        await inbox.set_status(snoozed, "snoozed")
        assert {c["id"] for c in await inbox.all(status="resolved")} == resolved
        assert [c["id"] for c in await inbox.all(status="snoozed")] == [snoozed]
        open_ = await inbox.all(status="open")
        assert len(open_) == CUSTOMERS - 3
        assert {c["status"] for c in open_} == {"open"}
        assert await inbox.all(status="pending") == []

    async def test_channel_account_and_kind(self, inbox: Inbox) -> None:
        vk = inbox.accounts["vk"]["id"]
        await post_vk(inbox.client, vk, load_payload("vk", "message_new"))
        await post_vk(inbox.client, vk, load_payload("vk", "wall_reply_new"))
        await post_facebook(inbox.client, load_payload("facebook", "messages__text"))
        assert await drain(inbox.runtime) == 3
        assert len(await inbox.all(channel="telegram")) == CUSTOMERS
        assert len(await inbox.all(channel="facebook")) == 1
        assert await inbox.all(channel="instagram") == []
        by_vk = await inbox.all(account_id=vk)
        assert sorted(c["kind"] for c in by_vk) == ["comment", "direct"]
        assert {c["channel"] for c in by_vk} == {"vk"}
        assert await inbox.all(account_id=999_999) == []
        [comment] = await inbox.all(kind="comment")
        assert comment["channel"] == "vk"
        assert comment["post"]["id"] == "wall-229876543_318"
        assert len(await inbox.all(kind="direct")) == CUSTOMERS + 2
        assert await inbox.all(kind="comment", channel="telegram") == []
        await inbox.set_status(comment["id"], "resolved")
        assert [c["id"] for c in await inbox.all(status="resolved", account_id=vk)] == [
            comment["id"]
        ]

    async def test_q_matches_contact_name_username_and_message_text(self, inbox: Inbox) -> None:
        await inbox.dm(4, date=BASE + 3000, text="Where is parcel ZX-4471?")
        await drain(inbox.runtime)
        assert _names(await inbox.all(q="Customer 07")) == [Inbox.name(7)]
        assert _names(await inbox.all(q="customer 07")) == [Inbox.name(7)]
        assert _names(await inbox.all(q="cust13")) == [Inbox.name(13)]
        assert _names(await inbox.all(q="zx-4471")) == [Inbox.name(4)]
        assert _names(await inbox.all(q="parcel ZX")) == [Inbox.name(4)]
        assert await inbox.all(q="nothing like this") == []
        assert len(await inbox.all(q="Customer")) == CUSTOMERS
        assert len(await inbox.all(q="")) == CUSTOMERS  # an empty search is no filter

    async def test_q_treats_percent_underscore_and_backslash_literally(self, inbox: Inbox) -> None:
        for customer, text in (
            (5, "Is the discount 50% today?"),
            (9, "Is it 50 percent?"),
            (6, "My code is A_B"),
            (10, "My code is AxB"),
            (12, "A path C:\\orders"),
        ):
            await inbox.dm(customer, date=BASE + 3000 + customer, text=text)
        await drain(inbox.runtime)
        assert _names(await inbox.all(q="%")) == [Inbox.name(5)]
        assert _names(await inbox.all(q="50%")) == [Inbox.name(5)]
        assert _names(await inbox.all(q="_")) == [Inbox.name(6)]
        assert _names(await inbox.all(q="A_B")) == [Inbox.name(6)]
        assert _names(await inbox.all(q="\\")) == [Inbox.name(12)]
        assert _names(await inbox.all(q="C:\\o")) == [Inbox.name(12)]
        assert await inbox.all(q="%%") == []

    async def test_filters_combine_with_the_cursor(self, inbox: Inbox) -> None:
        for customer in (1, 2, 3, 4, 5, 6, 7, 8, 9):
            await inbox.set_status((await inbox.by_name(customer))["id"], "resolved")
        pages = await inbox.walk(limit=4, status="resolved", q="Customer 0")
        assert [len(p) for p in pages] == [4, 4, 1]
        names = _names([c for p in pages for c in p])
        assert sorted(names) == [Inbox.name(c) for c in range(1, 10)]
        assert names == [n for n in _newest_first() if n in names]


# --- message history ---------------------------------------------------------------------


class TestMessages:
    async def test_oldest_first_by_platform_date_not_arrival(self, inbox: Inbox) -> None:
        # Customer 0 wrote "Hello" at BASE; these arrive later, the last one with the oldest date.
        await inbox.dm(0, date=BASE + 300, text="third")
        await inbox.dm(0, date=BASE + 100, text="second")
        await inbox.dm(0, date=BASE - 100, text="first")
        await drain(inbox.runtime)
        conv = await inbox.by_name(0)
        data = await inbox.messages(conv["id"])
        assert data["next_cursor"] is None
        assert [m["text"] for m in data["items"]] == ["first", "Hello", "second", "third"]
        created = [_when(m["created_at"]) for m in data["items"]]
        assert created == [_iso(BASE - 100), _iso(BASE), _iso(BASE + 100), _iso(BASE + 300)]
        for m in data["items"]:
            assert (m["direction"], m["sender_type"], m["private"]) == ("in", "contact", False)
        # A late message with an old date does not move the conversation's activity back.
        assert _when(conv["last_message_at"]) == _iso(BASE + 300)

    async def test_history_is_paginated_without_repeats(self, inbox: Inbox) -> None:
        dates = [BASE + ((i * 5) % 12) * 10 + 1 for i in range(12)]  # shuffled, all distinct
        for i, date in enumerate(dates):
            await inbox.dm(1, date=date, text=f"note {i}")
        await drain(inbox.runtime)
        conv = await inbox.by_name(1)
        walked: list[dict[str, Any]] = []
        pages: list[int] = []
        cursor = None
        while True:
            data = await inbox.messages(
                conv["id"], limit=5, **({"cursor": cursor} if cursor else {})
            )
            walked += data["items"]
            pages.append(len(data["items"]))
            cursor = data["next_cursor"]
            if cursor is None:
                break
        assert pages == [5, 5, 3]  # 12 notes + the first "Hello"
        assert len({m["id"] for m in walked}) == 13
        times = [_when(m["created_at"]) for m in walked]
        assert times == sorted(times)
        assert [m["id"] for m in walked] == [
            m["id"] for m in (await inbox.messages(conv["id"]))["items"]
        ]

    async def test_same_second_messages_keep_a_stable_order_across_pages(
        self, inbox: Inbox
    ) -> None:
        for i in range(6):  # all in one second, after customer 2's first "Hello"
            await inbox.dm(2, date=BASE + 2000, text=f"burst {i}")
        await drain(inbox.runtime)
        conv = await inbox.by_name(2)
        first = await inbox.messages(conv["id"], limit=4)
        rest = await inbox.messages(conv["id"], limit=4, cursor=first["next_cursor"])
        assert rest["next_cursor"] is None
        walked = [m["text"] for m in first["items"] + rest["items"]]
        assert walked == ["Hello", *(f"burst {i}" for i in range(6))]


# --- status follows the customer ---------------------------------------------------------


class TestReopen:
    async def test_customer_message_reopens_a_resolved_conversation(self, inbox: Inbox) -> None:
        conv = await inbox.by_name(3)
        await inbox.set_status(conv["id"], "resolved")
        assert (await inbox.by_name(3))["status"] == "resolved"
        await inbox.dm(3, date=BASE + 4000, text="One more question")
        await drain(inbox.runtime)
        again = await inbox.by_name(3)
        assert again["id"] == conv["id"], "the same thread, not a new conversation"
        assert again["status"] == "open"
        assert len(await inbox.all()) == CUSTOMERS

    async def test_redelivered_old_message_does_not_reopen(self, inbox: Inbox) -> None:
        conv = await inbox.by_name(3)
        payload = await inbox.dm(3, date=BASE + 4000, text="Thanks, bye")
        await drain(inbox.runtime)
        await inbox.set_status(conv["id"], "resolved")
        # The same message again, in an update with a new id (a retried getUpdates-style replay).
        payload["update_id"] += 1000
        r = await post_telegram(inbox.client, inbox.accounts["telegram"]["id"], payload)
        assert r.status_code == 200
        await drain(inbox.runtime)
        assert (await inbox.by_name(3))["status"] == "resolved"
        assert len((await inbox.messages(conv["id"]))["items"]) == 2

    async def test_outbound_echo_does_not_reopen_but_the_customer_does(self, inbox: Inbox) -> None:
        vk = inbox.accounts["vk"]["id"]
        await post_vk(inbox.client, vk, load_payload("vk", "message_new"))
        await drain(inbox.runtime)
        [conv] = await inbox.all(channel="vk")
        await inbox.set_status(conv["id"], "resolved")

        reply = load_payload("vk", "message_reply")  # the community answered from VK itself
        assert (await post_vk(inbox.client, vk, reply)).text == "ok"
        assert await drain(inbox.runtime) == 1
        [after_echo] = await inbox.all(channel="vk")
        assert after_echo["status"] == "resolved"
        items = (await inbox.messages(conv["id"]))["items"]
        assert [m["direction"] for m in items] == ["in", "out"]

        follow_up = load_payload("vk", "message_new")
        follow_up["event_id"] = "f" * 40
        message = follow_up["object"]["message"]
        message.update(id=1843, conversation_message_id=39, date=reply["object"]["date"] + 60)
        message["text"] = "And to Samara?"
        assert (await post_vk(inbox.client, vk, follow_up)).text == "ok"
        await drain(inbox.runtime)
        [reopened] = await inbox.all(channel="vk")
        assert reopened["status"] == "open"
        assert [m["text"] for m in (await inbox.messages(conv["id"]))["items"]][-1] == (
            "And to Samara?"
        )
