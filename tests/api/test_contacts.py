"""``/api/v1/contacts/{id}``: a person with their accounts and conversations; labels agents set
on them, which the rules then read (``contact_labels_any``)."""

from __future__ import annotations

from typing import Any

import httpx

from api.runtime import Runtime
from inbox.users.models import Role
from tests.support.factories import (
    add_all_accounts,
    add_user,
    admin_headers,
    drain,
    login,
    post_telegram,
    post_vk,
)
from tests.support.payloads import load_payload
from tests.support.probes import with_changes


async def _conversations(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    r = await client.get("/api/v1/conversations", headers=headers)
    assert r.status_code == 200, r.text
    items: list[Any] = r.json()["items"]
    return items


async def _setup(client: httpx.AsyncClient, runtime: Runtime) -> tuple[dict[str, str], Any]:
    headers = await admin_headers(client, runtime)
    accounts = await add_all_accounts(client, headers)
    return headers, accounts


async def test_a_contact_with_their_accounts_and_conversations(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers, accounts = await _setup(client, runtime)
    tg = accounts["telegram"]["id"]
    await post_telegram(client, tg, load_payload("telegram", "message__dm_text"))
    await post_vk(client, accounts["vk"]["id"], load_payload("vk", "wall_reply_new"))
    await drain(runtime)
    by_channel = {c["channel"]: c for c in await _conversations(client, headers)}

    r = await client.get(
        f"/api/v1/contacts/{by_channel['telegram']['contact']['id']}", headers=headers
    )

    assert r.status_code == 200, r.text
    contact = r.json()
    assert {k: contact[k] for k in ("channel", "external_id", "display_name", "username")} == {
        "channel": "telegram",
        "external_id": "5123456789",
        "display_name": "Alina Petrova",
        "username": "alina_p_example",
    }
    assert contact["language"] == "ru"
    assert contact["labels"] == []
    [sub] = contact["subscriptions"]
    assert sub["account_id"] == tg
    assert (sub["account_name"], sub["channel"]) == ("Acme bot", "telegram")
    assert (sub["opted_out"], sub["unreachable"]) == (False, False)
    assert sub["last_inbound_at"] is not None
    [conversation] = contact["conversations"]
    assert conversation["id"] == by_channel["telegram"]["id"]
    assert (conversation["kind"], conversation["status"], conversation["post"]) == (
        "direct",
        "open",
        None,
    )

    vk_contact = by_channel["vk"]["contact"]["id"]
    r = await client.get(f"/api/v1/contacts/{vk_contact}", headers=headers)
    [comment] = r.json()["conversations"]
    assert comment["kind"] == "comment"
    assert comment["post"]["id"] == by_channel["vk"]["post"]["id"]


async def test_agents_set_labels_normalised_and_deduplicated(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers, accounts = await _setup(client, runtime)
    await post_telegram(
        client, accounts["telegram"]["id"], load_payload("telegram", "message__dm_text")
    )
    await drain(runtime)
    [conversation] = await _conversations(client, headers)
    url = f"/api/v1/contacts/{conversation['contact']['id']}"
    await add_user(runtime, "agent@example.com", Role.AGENT)
    agent = await login(client, "agent@example.com")

    r = await client.patch(
        url, json={"labels": [" VIP ", "vip", "Оптовик", "b2b  deal"]}, headers=agent
    )

    assert r.status_code == 200, r.text
    assert r.json()["labels"] == ["b2b deal", "vip", "оптовик"]
    assert (await client.get(url, headers=headers)).json()["labels"] == r.json()["labels"]
    r = await client.patch(url, json={"labels": ["vip"]}, headers=agent)
    assert r.json()["labels"] == ["vip"]
    r = await client.patch(url, json={"labels": []}, headers=agent)
    assert r.json()["labels"] == []


async def test_bad_labels_and_unknown_contacts_are_4xx(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers, accounts = await _setup(client, runtime)
    await post_telegram(
        client, accounts["telegram"]["id"], load_payload("telegram", "message__dm_text")
    )
    await drain(runtime)
    [conversation] = await _conversations(client, headers)
    url = f"/api/v1/contacts/{conversation['contact']['id']}"
    await client.patch(url, json={"labels": ["keep"]}, headers=headers)

    for body in (
        {"labels": [""]},
        {"labels": ["   "]},
        {"labels": ["x" * 65]},
        {"labels": [f"l{i}" for i in range(51)]},
        {"labels": "vip"},
        {},
    ):
        r = await client.patch(url, json=body, headers=headers)
        assert r.status_code == 422, (body, r.text)
    assert (await client.get(url, headers=headers)).json()["labels"] == ["keep"]
    assert (await client.get("/api/v1/contacts/999999", headers=headers)).status_code == 404
    r = await client.patch("/api/v1/contacts/999999", json={"labels": []}, headers=headers)
    assert r.status_code == 404
    assert (await client.get("/api/v1/contacts/0", headers=headers)).status_code == 422
    assert (await client.get(url)).status_code == 401
    assert (await client.patch(url, json={"labels": []})).status_code == 401


async def test_a_rule_on_contact_labels_fires_once_the_contact_is_labelled(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers, accounts = await _setup(client, runtime)
    rule = {
        "name": "VIPs first",
        "when": "message_received",
        "if": {"contact_labels_any": ["VIP"]},
        "then": [{"add_label": ["vip-customer"]}, {"set_priority": "high"}],
    }
    r = await client.post("/api/v1/rules", json=rule, headers=headers)
    assert r.status_code == 201, r.text
    tg = accounts["telegram"]["id"]
    first = load_payload("telegram", "message__dm_text")
    await post_telegram(client, tg, first)
    await drain(runtime)
    [conversation] = await _conversations(client, headers)
    assert (conversation["labels"], conversation["priority"]) == ([], None)

    contact_url = f"/api/v1/contacts/{conversation['contact']['id']}"
    r = await client.patch(contact_url, json={"labels": ["vip"]}, headers=headers)
    assert r.status_code == 200, r.text
    second = with_changes(
        first, **{"update_id": first["update_id"] + 1, "message.message_id": 4499}
    )
    await post_telegram(client, tg, second)
    await drain(runtime)

    [conversation] = await _conversations(client, headers)
    assert (conversation["labels"], conversation["priority"]) == (["vip-customer"], "high")
