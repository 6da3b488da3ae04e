"""Reading subscription state the way an admin does: through the REST API."""

from __future__ import annotations

from typing import Any

from tests.newsletters.conftest import Service


async def subscribers(svc: Service, channel: str, **params: Any) -> list[dict[str, Any]]:
    r = await svc.client.get(
        "/api/v1/subscribers",
        params={"account_id": svc.accounts[channel]["id"], **params},
        headers=svc.headers,
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def ledger(svc: Service, channel: str, **params: Any) -> list[tuple[Any, ...]]:
    """(action, method, source) of the account's signals, oldest first."""
    r = await svc.client.get(
        "/api/v1/subscribers/events",
        params={"account_id": svc.accounts[channel]["id"], **params},
        headers=svc.headers,
    )
    assert r.status_code == 200, r.text
    return [(e["action"], e["method"], e["source"]) for e in reversed(r.json()["items"])]


async def state(svc: Service, channel: str) -> tuple[str, str] | None:
    """(status, method) of the account's only subscriber, or None when there is none."""
    items = await subscribers(svc, channel)
    assert len(items) <= 1, items
    return (items[0]["status"], items[0]["method"]) if items else None
