"""Audiences and campaign runs for the campaign tests: people written straight into the real
database (as the worker would have), campaigns driven through the REST API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from inbox.conversations.models import AccountContact, Contact, ContactLabel
from inbox.db import Conn
from inbox.newsletters.dispatcher import Dispatcher
from inbox.newsletters.models import Subscription
from inbox.types import utcnow
from tests.newsletters.conftest import Service
from tests.support.units import in_unit

_contacts = Contact.__table__  # type: ignore[attr-defined]
_ac = AccountContact.__table__  # type: ignore[attr-defined]
_subs = Subscription.__table__  # type: ignore[attr-defined]
_labels = ContactLabel.__table__  # type: ignore[attr-defined]


async def add_people(
    svc: Service,
    channel: str,
    external_ids: list[str],
    *,
    subscribed: bool = True,
    labels: tuple[str, ...] = (),
    language: str | None = None,
    wrote_ago: timedelta = timedelta(hours=1),
) -> list[int]:
    account_id = svc.accounts[channel]["id"]
    now = utcnow()

    async def body(conn: Conn) -> list[int]:
        ids = []
        for ext in external_ids:
            row = (
                await conn.execute(
                    _contacts.insert()
                    .values(
                        channel=channel,
                        external_id=ext,
                        display_name=f"Person {ext}",
                        language=language,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(_contacts.c.id)
                )
            ).one()
            ids.append(row.id)
            await conn.execute(
                _ac.insert().values(
                    account_id=account_id,
                    contact_id=row.id,
                    opted_out=False,
                    unreachable=False,
                    last_inbound_at=now - wrote_ago,
                    updated_at=now,
                )
            )
            await conn.execute(
                _subs.insert().values(
                    account_id=account_id,
                    contact_id=row.id,
                    status="subscribed" if subscribed else "unsubscribed",
                    changed_at=now,
                    method="api",
                )
            )
            for label in labels:
                await conn.execute(_labels.insert().values(contact_id=row.id, label=label))
        return ids

    return await in_unit(svc.rt.engine, body)


async def unsubscribe(svc: Service, contact_id: int) -> None:
    async def body(conn: Conn) -> None:
        await conn.execute(
            update(_subs).where(_subs.c.contact_id == contact_id).values(status="unsubscribed")
        )

    await in_unit(svc.rt.engine, body)


async def flags(svc: Service, contact_id: int) -> Any:
    async def body(conn: Conn) -> Any:
        return (await conn.execute(select(_ac).where(_ac.c.contact_id == contact_id))).one()

    return await in_unit(svc.rt.engine, body)


async def api(svc: Service, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
    r = await svc.client.request(method, f"/api/v1{path}", headers=svc.headers, **kw)
    assert r.status_code == expect, r.text
    return r.json() if r.content else None


async def new_campaign(
    svc: Service, channel: str, text: str = "Hello {{ contact.first_name }}!", **extra: Any
) -> dict[str, Any]:
    body = {"name": "Spring news", "account_id": svc.accounts[channel]["id"], "text": text}
    body.setdefault("tag", "useful")
    body.update(extra)
    created: dict[str, Any] = await api(svc, "POST", "/campaigns", 201, json=body)
    return created


async def campaign(svc: Service, campaign_id: int) -> dict[str, Any]:
    found: dict[str, Any] = await api(svc, "GET", f"/campaigns/{campaign_id}")
    return found


async def run(svc: Service, campaign_id: int, *, rounds: int = 200) -> dict[str, Any]:
    """Dispatcher and sender in turn until the campaign is over (or ``rounds`` run out)."""
    dispatcher = svc.rt.make_dispatcher()
    for _ in range(rounds):
        moved = await dispatcher.run_once()
        sent = await svc.sender.run_once()
        found = await campaign(svc, campaign_id)
        if found["status"] in ("done", "cancelled") and not sent and not moved:
            return found
    return await campaign(svc, campaign_id)


async def rounds(svc: Service, dispatcher: Dispatcher, n: int) -> None:
    for _ in range(n):
        await dispatcher.run_once()
        await svc.sender.run_once()


async def recipients(svc: Service, campaign_id: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = await api(svc, "GET", f"/campaigns/{campaign_id}/recipients", params=query)
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
