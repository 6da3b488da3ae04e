"""Read side of a contact: who they are, their labels, accounts and latest conversations.

Returns the frozen dataclasses of :mod:`inbox.contacts.rows`.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.contacts.rows import AccountReach, ContactConversation, ContactRow, NewsletterState
from inbox.conversations.repository import account_contacts, contacts, conversations
from inbox.conversations.rows import PostRef
from inbox.conversations.service import contact_labels
from inbox.db import Conn
from inbox.newsletters import subscriptions as newsletter

_accounts = Account.__table__  # type: ignore[attr-defined]

CONVERSATIONS_SHOWN = 50
LEDGER_SHOWN = 50


async def get_contact(conn: Conn, contact_id: int) -> ContactRow | None:
    row = (await conn.execute(select(contacts).where(contacts.c.id == contact_id))).first()
    if row is None:
        return None
    return ContactRow(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        display_name=row.display_name or row.external_id,
        username=row.username,
        language=row.language,
        created_at=row.created_at,
        labels=tuple(sorted(await contact_labels(conn, contact_id))),
        subscriptions=await _subscriptions(conn, contact_id),
        newsletter=await _newsletter(conn, contact_id),
        conversations=await _conversations(conn, contact_id),
    )


async def display_names(conn: Conn, contact_ids: set[int]) -> dict[int, str]:
    """Contact id -> the name agents see (the platform id when there is none)."""
    if not contact_ids:
        return {}
    rows = await conn.execute(
        select(contacts.c.id, contacts.c.display_name, contacts.c.external_id).where(
            contacts.c.id.in_(contact_ids)
        )
    )
    return {r.id: r.display_name or r.external_id for r in rows}


async def _newsletter(conn: Conn, contact_id: int) -> NewsletterState:
    """Per account: subscribed or not, since when, and every signal (newest first), each
    with its account's name for the contact panel."""
    subscriptions = await newsletter.subscriptions_of(conn, contact_id)
    ledger = await newsletter.ledger_of(conn, contact_id, limit=LEDGER_SHOWN)
    ids = {s.account_id for s in subscriptions} | {e.account_id for e in ledger}
    names: dict[int, str] = {}
    if ids:
        rows = await conn.execute(
            select(_accounts.c.id, _accounts.c.name).where(_accounts.c.id.in_(ids))
        )
        names = {r.id: r.name for r in rows}
    return NewsletterState(
        tuple(replace(s, account_name=names.get(s.account_id)) for s in subscriptions),
        tuple(replace(e, account_name=names.get(e.account_id)) for e in ledger),
    )


async def _subscriptions(conn: Conn, contact_id: int) -> tuple[AccountReach, ...]:
    ac = account_contacts
    rows = await conn.execute(
        select(ac, _accounts.c.name, _accounts.c.channel)
        .join(_accounts, _accounts.c.id == ac.c.account_id)
        .where(ac.c.contact_id == contact_id)
        .order_by(ac.c.account_id)
    )
    return tuple(
        AccountReach(
            account_id=r.account_id,
            account_name=r.name,
            channel=r.channel,
            opted_out=r.opted_out,
            unreachable=r.unreachable,
            last_inbound_at=r.last_inbound_at,
        )
        for r in rows
    )


async def _conversations(conn: Conn, contact_id: int) -> tuple[ContactConversation, ...]:
    c = conversations
    rows = await conn.execute(
        select(c)
        .where(c.c.contact_id == contact_id)
        .order_by(c.c.last_message_at.desc(), c.c.id.desc())
        .limit(CONVERSATIONS_SHOWN)
    )
    return tuple(
        ContactConversation(
            id=r.id,
            kind=r.kind,
            status=r.status,
            channel=r.channel,
            account_id=r.account_id,
            last_message_at=r.last_message_at,
            post=PostRef(id=r.post_id, url=r.post_url, text=r.post_text) if r.post_id else None,
        )
        for r in rows
    )
