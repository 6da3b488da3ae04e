"""Who gets an account's newsletters: one row per contact, and a ledger of every signal.

Every opt-in and opt-out is written to the ledger, in the caller's transaction. The row follows
the newest signal by the platform's own clock, not by arrival: a signal older than the newest
one already in the ledger is recorded but changes nothing, so a late, redelivered or reordered
event can never overturn a newer choice. The same signal twice (a redelivered webhook) is
recorded once. ``account_contacts.opted_out`` mirrors the row for the code that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from inbox.conversations.models import AccountContact, Contact
from inbox.conversations.repository import set_account_contact
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.newsletters.models import Subscription, SubscriptionEvent, SubscriptionStatus
from inbox.newsletters.rows import LedgerEntry, SubscriberRow, SubscriptionRow
from inbox.types import utcnow

_subs = Subscription.__table__  # type: ignore[attr-defined]
_ledger = SubscriptionEvent.__table__  # type: ignore[attr-defined]
_account_contacts = AccountContact.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]

OPT_IN = "opt_in"
OPT_OUT = "opt_out"
SOURCE_MAX = 255


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # the row's status after the signal
    changed: bool  # the signal changed the status
    recorded: bool  # a ledger row was written (False: the very same signal was known)


@dataclass(frozen=True, slots=True)
class LockedSubscription:
    """The pair's row, locked while a signal is weighed against it."""

    id: int
    status: str


async def opt_in(
    conn: Conn,
    account_id: int,
    contact_id: int,
    method: str,
    source: str | None = None,
    at: datetime | None = None,
) -> Outcome:
    return await record(conn, account_id, contact_id, OPT_IN, method, source, at)


async def opt_out(
    conn: Conn,
    account_id: int,
    contact_id: int,
    method: str,
    source: str | None = None,
    at: datetime | None = None,
) -> Outcome:
    return await record(conn, account_id, contact_id, OPT_OUT, method, source, at)


async def opt_out_if_subscribed(
    conn: Conn, account_id: int, contact_id: int, method: str, source: str | None = None
) -> Outcome | None:
    """A permanent send failure unsubscribes only someone who was subscribed (now)."""
    if await status_of(conn, account_id, contact_id) != SubscriptionStatus.SUBSCRIBED.value:
        return None
    return await opt_out(conn, account_id, contact_id, method, source)


async def record(
    conn: Conn,
    account_id: int,
    contact_id: int,
    action: str,
    method: str,
    source: str | None,
    at: datetime | None,
) -> Outcome:
    if action not in (OPT_IN, OPT_OUT):
        raise ValueError(f"unknown subscription action {action!r}")
    at = at or utcnow()
    source = source[:SOURCE_MAX] if source else None
    status = (
        SubscriptionStatus.SUBSCRIBED if action == OPT_IN else SubscriptionStatus.UNSUBSCRIBED
    ).value
    pair = {"account_id": account_id, "contact_id": contact_id}
    created = await conn.execute(
        insert_ignore(dialect_of(conn), _subs, ["account_id", "contact_id"]).returning(_subs.c.id),
        {**pair, "status": status, "changed_at": at, "method": method},
    )
    if created.first() is not None:  # the first signal of this pair
        await _append(conn, pair, action, method, source, at)
        await _mirror(conn, account_id, contact_id, status)
        return Outcome(status=status, changed=True, recorded=True)
    row = await _locked_row(conn, account_id, contact_id)
    if await _known(conn, pair, action, method, source, at):
        return Outcome(status=row.status, changed=False, recorded=False)
    newest = await conn.scalar(select(func.max(_ledger.c.at)).where(_pair(_ledger, pair)))
    await _append(conn, pair, action, method, source, at)
    if (newest is not None and at < newest) or row.status == status:
        return Outcome(status=row.status, changed=False, recorded=True)
    await conn.execute(
        update(_subs)
        .where(_subs.c.id == row.id)
        .values(status=status, changed_at=at, method=method)
    )
    await _mirror(conn, account_id, contact_id, status)
    return Outcome(status=status, changed=True, recorded=True)


def _pair(table: Any, pair: dict[str, int]) -> Any:
    return and_(table.c.account_id == pair["account_id"], table.c.contact_id == pair["contact_id"])


async def _locked_row(conn: Conn, account_id: int, contact_id: int) -> LockedSubscription:
    """Two workers with signals for one person take turns (PostgreSQL row lock)."""
    query = select(_subs.c.id, _subs.c.status).where(
        _pair(_subs, {"account_id": account_id, "contact_id": contact_id})
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await conn.execute(query)).one()
    return LockedSubscription(id=row.id, status=row.status)


async def _known(
    conn: Conn,
    pair: dict[str, int],
    action: str,
    method: str,
    source: str | None,
    at: datetime,
) -> bool:
    found = await conn.scalar(
        select(_ledger.c.id)
        .where(
            _pair(_ledger, pair),
            _ledger.c.action == action,
            _ledger.c.method == method,
            _ledger.c.at == at,
            _ledger.c.source.is_(None) if source is None else _ledger.c.source == source,
        )
        .limit(1)
    )
    return found is not None


async def _append(
    conn: Conn, pair: dict[str, int], action: str, method: str, source: str | None, at: datetime
) -> None:
    await conn.execute(
        _ledger.insert().values(
            **pair, action=action, method=method, source=source, at=at, recorded_at=utcnow()
        )
    )


async def _mirror(conn: Conn, account_id: int, contact_id: int, status: str) -> None:
    opted_out = status == SubscriptionStatus.UNSUBSCRIBED.value
    await set_account_contact(conn, account_id, contact_id, opted_out=opted_out)


# ---- readers -------------------------------------------------------------------------------


async def status_of(conn: Conn, account_id: int, contact_id: int) -> str | None:
    """``subscribed`` / ``unsubscribed``, or None when the person never gave a signal."""
    found: str | None = await conn.scalar(
        select(_subs.c.status).where(
            _pair(_subs, {"account_id": account_id, "contact_id": contact_id})
        )
    )
    return found


async def subscriptions_of(conn: Conn, contact_id: int) -> list[SubscriptionRow]:
    rows = await conn.execute(
        select(_subs).where(_subs.c.contact_id == contact_id).order_by(_subs.c.account_id)
    )
    return [
        SubscriptionRow(
            account_id=r.account_id, status=r.status, since=r.changed_at, method=r.method
        )
        for r in rows
    ]


def _event(r: Any) -> LedgerEntry:
    return LedgerEntry(
        id=r.id,
        account_id=r.account_id,
        contact_id=r.contact_id,
        action=r.action,
        method=r.method,
        source=r.source,
        at=r.at,
        recorded_at=r.recorded_at,
    )


async def ledger_of(
    conn: Conn, contact_id: int, *, account_id: int | None = None, limit: int = 100
) -> list[LedgerEntry]:
    """The person's signals, newest first by the platform's clock."""
    query = select(_ledger).where(_ledger.c.contact_id == contact_id)
    if account_id is not None:
        query = query.where(_ledger.c.account_id == account_id)
    rows = await conn.execute(query.order_by(_ledger.c.at.desc(), _ledger.c.id.desc()).limit(limit))
    return [_event(r) for r in rows]


async def audit(
    conn: Conn,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[LedgerEntry]:
    """The ledger as written, newest record first; page on with the last id."""
    query = select(_ledger)
    if account_id is not None:
        query = query.where(_ledger.c.account_id == account_id)
    if contact_id is not None:
        query = query.where(_ledger.c.contact_id == contact_id)
    if before_id is not None:
        query = query.where(_ledger.c.id < before_id)
    rows = await conn.execute(query.order_by(_ledger.c.id.desc()).limit(limit))
    return [_event(r) for r in rows]


async def subscribers(
    conn: Conn,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[SubscriberRow]:
    """Subscription rows with who they are, newest row first; page on with the last id."""
    query = select(
        _subs,
        _contacts.c.display_name,
        _contacts.c.external_id,
        _contacts.c.username,
        _contacts.c.channel,
    ).join(_contacts, _contacts.c.id == _subs.c.contact_id)
    if account_id is not None:
        query = query.where(_subs.c.account_id == account_id)
    if contact_id is not None:
        query = query.where(_subs.c.contact_id == contact_id)
    if status is not None:
        query = query.where(_subs.c.status == status)
    if before_id is not None:
        query = query.where(_subs.c.id < before_id)
    rows = await conn.execute(query.order_by(_subs.c.id.desc()).limit(limit))
    return [
        SubscriberRow(
            id=r.id,
            account_id=r.account_id,
            contact_id=r.contact_id,
            name=r.display_name or r.username or r.external_id,
            channel=r.channel,
            status=r.status,
            since=r.changed_at,
            method=r.method,
        )
        for r in rows
    ]
