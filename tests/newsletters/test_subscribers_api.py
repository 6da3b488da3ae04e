"""The admin API over subscriptions: list, audit, change, keywords; agents are kept out."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from inbox.newsletters import subscriptions
from inbox.newsletters.models import SubscriptionEvent
from inbox.users.models import Role
from tests.newsletters.conftest import Service
from tests.newsletters.helpers import ledger, state, subscribers
from tests.support.factories import add_user, login, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

_ledger = SubscriptionEvent.__table__  # type: ignore[attr-defined]


async def _two_vk_subscribers(svc: Service) -> list[dict[str, Any]]:
    vk = svc.accounts["vk"]["id"]
    allow = load_payload("vk", "message_allow")
    await post_vk(svc.client, vk, allow)
    other = with_changes(allow, event_id="2fab52f066efbc3422586f2849d7ff1b14ea04a9")
    await post_vk(svc.client, vk, with_changes(other, **{"object.user_id": 512345679}))
    await svc.drain()
    items = await subscribers(svc, "vk")
    assert len(items) == 2
    return items


async def test_lists_pages_and_filters_by_status(service: Service) -> None:
    first, second = await _two_vk_subscribers(service)
    r = await service.client.get(
        "/api/v1/subscribers",
        params={"account_id": service.accounts["vk"]["id"], "limit": 1},
        headers=service.headers,
    )
    page = r.json()
    assert [i["contact_id"] for i in page["items"]] == [first["contact_id"]]
    rest = await subscribers(service, "vk", cursor=page["next_cursor"], limit=1)
    assert [i["contact_id"] for i in rest] == [second["contact_id"]]
    assert await subscribers(service, "vk", status="unsubscribed") == []
    assert await subscribers(service, "telegram") == []


async def test_an_admin_change_is_ledgered_with_the_admins_email(service: Service) -> None:
    _first, second = await _two_vk_subscribers(service)
    vk = service.accounts["vk"]["id"]
    r = await service.client.put(
        f"/api/v1/subscribers/{vk}/{second['contact_id']}",
        json={"status": "unsubscribed"},
        headers=service.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["method"]) == ("unsubscribed", "api")
    assert await ledger(service, "vk", contact_id=second["contact_id"]) == [
        ("opt_in", "vk_message_allow", "spring_promo_widget"),
        ("opt_out", "api", "admin@example.com"),
    ]
    [only] = await subscribers(service, "vk", status="unsubscribed")
    assert only["contact_id"] == second["contact_id"]


async def test_an_admin_may_subscribe_someone_who_wrote(service: Service) -> None:
    tg = service.accounts["telegram"]["id"]
    await post_telegram(service.client, tg, load_payload("telegram", "message__dm_text"))
    await service.drain()
    [conv] = await service.conversations(channel="telegram")
    contact_id = conv["contact"]["id"]
    r = await service.client.put(
        f"/api/v1/subscribers/{tg}/{contact_id}",
        json={"status": "subscribed"},
        headers=service.headers,
    )
    assert r.status_code == 200, r.text
    assert await state(service, "telegram") == ("subscribed", "api")
    r = await service.client.get(f"/api/v1/contacts/{contact_id}", headers=service.headers)
    newsletter = r.json()["newsletter"]
    assert [(s["account_id"], s["status"]) for s in newsletter["subscriptions"]] == [
        (tg, "subscribed")
    ]
    assert [(e["action"], e["method"]) for e in newsletter["ledger"]] == [("opt_in", "api")]


async def test_changes_to_unknown_or_mismatched_targets(service: Service) -> None:
    tg, vk = service.accounts["telegram"]["id"], service.accounts["vk"]["id"]
    await post_telegram(service.client, tg, load_payload("telegram", "message__dm_text"))
    await service.drain()
    [conv] = await service.conversations(channel="telegram")
    contact_id = conv["contact"]["id"]
    body = {"status": "unsubscribed"}
    for path, code in (
        (f"/api/v1/subscribers/99999/{contact_id}", 404),
        (f"/api/v1/subscribers/{tg}/99999", 404),
        (f"/api/v1/subscribers/{vk}/{contact_id}", 422),  # a Telegram person, a VK account
    ):
        r = await service.client.put(path, json=body, headers=service.headers)
        assert r.status_code == code, (path, r.text)
    r = await service.client.put(
        f"/api/v1/subscribers/{tg}/{contact_id}", json={"status": "maybe"}, headers=service.headers
    )
    assert r.status_code == 422
    assert await state(service, "telegram") is None


async def test_keywords_default_then_set(service: Service) -> None:
    fb = service.accounts["facebook"]["id"]
    url = f"/api/v1/accounts/{fb}/newsletter-keywords"
    r = await service.client.get(url, headers=service.headers)
    assert "수신거부" in r.json()["unsubscribe_keywords"]
    assert "подписаться" in r.json()["subscribe_keywords"]
    body = {"subscribe_keywords": ["Join"], "unsubscribe_keywords": ["Leave!", "Отстань"]}
    r = await service.client.put(url, json=body, headers=service.headers)
    assert r.status_code == 200, r.text
    again = (await service.client.get(url, headers=service.headers)).json()
    assert again["subscribe_keywords"] == ["join"]
    assert again["unsubscribe_keywords"] == ["leave", "отстань"]


@pytest.mark.parametrize(
    "body",
    [
        {"subscribe_keywords": ["x" * 65], "unsubscribe_keywords": []},
        {"subscribe_keywords": [""], "unsubscribe_keywords": []},
        {"subscribe_keywords": ["!!"], "unsubscribe_keywords": []},
        {"subscribe_keywords": [f"w{n}" for n in range(51)], "unsubscribe_keywords": []},
        {"subscribe_keywords": ["stop"], "unsubscribe_keywords": ["STOP"]},
    ],
)
async def test_keywords_are_validated(service: Service, body: dict[str, Any]) -> None:
    url = f"/api/v1/accounts/{service.accounts['vk']['id']}/newsletter-keywords"
    r = await service.client.put(url, json=body, headers=service.headers)
    assert r.status_code == 422, r.text
    assert (
        "stop"
        in (await service.client.get(url, headers=service.headers)).json()["unsubscribe_keywords"]
    )


async def test_agents_get_403(service: Service) -> None:
    await add_user(service.rt, "agent@example.com", Role.AGENT)
    headers = await login(service.client, "agent@example.com")
    vk = service.accounts["vk"]["id"]
    calls = [
        ("GET", "/api/v1/subscribers", None),
        ("GET", "/api/v1/subscribers/events", None),
        ("PUT", f"/api/v1/subscribers/{vk}/1", {"status": "subscribed"}),
        ("GET", f"/api/v1/accounts/{vk}/newsletter-keywords", None),
        (
            "PUT",
            f"/api/v1/accounts/{vk}/newsletter-keywords",
            {"subscribe_keywords": [], "unsubscribe_keywords": []},
        ),
    ]
    for method, path, body in calls:
        r = await service.client.request(method, path, json=body, headers=headers)
        assert r.status_code == 403, (method, path, r.text)


async def test_the_same_signal_twice_is_ledgered_once(service: Service) -> None:
    """A redelivered event (or a retried worker batch) must not double the audit trail."""
    [one, _two] = await _two_vk_subscribers(service)
    vk = service.accounts["vk"]["id"]
    async with service.rt.engine.begin() as conn:
        [event] = await subscriptions.ledger_of(conn, one["contact_id"])
        again = await subscriptions.opt_in(
            conn, vk, one["contact_id"], "vk_message_allow", "spring_promo_widget", event.at
        )
        assert (again.changed, again.recorded) == (False, False)
        count = await conn.scalar(
            select(func.count()).where(_ledger.c.contact_id == one["contact_id"])
        )
    assert count == 1
