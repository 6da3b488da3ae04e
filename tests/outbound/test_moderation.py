"""Hiding and deleting customers' comments through the API, on the platforms that allow it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from inbox.outbox.models import OutboxRow
from tests.outbound.conftest import Service
from tests.outbound.test_agent_replies import _fresh_meta, _inbound
from tests.support.factories import add_account
from tests.support.payloads import load_payload


async def _moderate(svc: Service, conv: dict[str, Any], action: str) -> httpx.Response:
    [comment] = [m for m in await svc.messages(conv["id"]) if m["direction"] == "in"]
    return await svc.client.post(
        f"/api/v1/conversations/{conv['id']}/messages/{comment['id']}/moderation",
        json={"action": action},
        headers=svc.headers,
    )


async def _outbox_row(svc: Service, outbox_id: int) -> Any:
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    async with svc.rt.engine.connect() as conn:
        return (await conn.execute(select(table).where(table.c.id == outbox_id))).one()


async def test_facebook_hide_then_delete(service: Service) -> None:
    payload = _fresh_meta("facebook", "feed__comment_add")
    conv = await _inbound(service, "facebook", payload)
    comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
    r = await _moderate(service, conv, "hide")
    assert r.status_code == 202, r.text
    await service.send()
    [hide] = service.graph.calls_to("POST /{id}")
    assert hide.path.endswith(f"/{comment_id}")
    assert hide.params["is_hidden"] is True
    assert (await _outbox_row(service, r.json()["outbox_id"])).status == "sent"

    r = await _moderate(service, conv, "delete")
    await service.send()
    [delete] = service.graph.calls_to("DELETE /{id}")
    assert delete.path.endswith(f"/{comment_id}")


async def test_vk_delete_without_a_user_token_says_what_to_add(service: Service) -> None:
    conv = await _inbound(service, "vk", load_payload("vk", "wall_reply_new"))
    r = await _moderate(service, conv, "delete")
    await service.send()
    row = await _outbox_row(service, r.json()["outbox_id"])
    assert row.status == "failed"
    assert "user token" in row.last_error
    assert service.vk.calls == []


async def test_direct_messages_cannot_be_moderated(service: Service) -> None:
    conv = await _inbound(service, "telegram", load_payload("telegram", "message__dm_text"))
    assert (await _moderate(service, conv, "delete")).status_code == 409


async def test_account_options_are_shown_as_flags_never_as_tokens(service: Service) -> None:
    vk = await add_account(
        service.client,
        service.headers,
        "vk",
        group_id=111222333,
        user_token="vk-admin-user-token-secret",
    )
    assert vk["can_moderate"] is True
    listed = await service.client.get("/api/v1/accounts", headers=service.headers)
    assert "vk-admin-user-token-secret" not in listed.text
    fb = await add_account(
        service.client, service.headers, "facebook", page_id="998877", allow_human_agent=True
    )
    assert fb["allow_human_agent"] is True
