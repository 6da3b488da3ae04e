"""``/api/v1/subscribers``: who gets each account's newsletters, why, and admin changes.

Admins only: the ledger is an audit trail of people's consent. An admin's change is one more
signal (method ``api``, source the admin's email), ledgered like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import CurrentAdmin, RuntimeDep, SessionDep
from api.routes.account_options import read_options, write_options
from api.schemas.common import ApiModel
from api.schemas.contacts import LedgerOut
from inbox.accounts.models import Account
from inbox.conversations.models import Contact
from inbox.newsletters import subscriptions
from inbox.newsletters.keywords import MAX_KEYWORD_LENGTH, MAX_KEYWORDS, Keywords, normalise
from inbox.newsletters.models import SubscriptionStatus
from inbox.newsletters.rows import LedgerEntry, SubscriberRow

router = APIRouter(prefix="/api/v1", tags=["newsletters"])

_accounts = Account.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Query(ge=1, le=200)]
StatusName = Literal["subscribed", "unsubscribed"]
Keyword = Annotated[str, Field(min_length=1, max_length=MAX_KEYWORD_LENGTH)]


class SubscriberOut(ApiModel):
    account_id: int
    contact_id: int
    name: str
    channel: str
    status: str
    since: datetime
    method: str


class SubscriberPage(BaseModel):
    items: list[SubscriberOut]
    next_cursor: str | None


class LedgerPage(BaseModel):
    items: list[LedgerOut]
    next_cursor: str | None


class StatusIn(BaseModel):
    status: StatusName


class KeywordsIn(BaseModel):
    subscribe_keywords: list[Keyword] = Field(max_length=MAX_KEYWORDS)
    unsubscribe_keywords: list[Keyword] = Field(max_length=MAX_KEYWORDS)


class KeywordsOut(BaseModel):
    account_id: int
    subscribe_keywords: list[str]
    unsubscribe_keywords: list[str]


def _before(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or not 0 < int(cursor) < 2**63:
        raise HTTPException(status_code=422, detail="invalid cursor")
    return int(cursor)


def _next(items: Sequence[SubscriberRow | LedgerEntry], limit: int) -> str | None:
    return str(items[-1].id) if len(items) == limit else None


@router.get("/subscribers")
async def list_subscribers(
    session: SessionDep,
    _admin: CurrentAdmin,
    account_id: int | None = None,
    status: StatusName | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> SubscriberPage:
    items = await subscriptions.subscribers(
        await session.connection(),
        account_id=account_id,
        status=status,
        before_id=_before(cursor),
        limit=limit,
    )
    return SubscriberPage(
        items=[SubscriberOut.model_validate(i) for i in items], next_cursor=_next(items, limit)
    )


@router.get("/subscribers/events")
async def list_events(
    session: SessionDep,
    _admin: CurrentAdmin,
    account_id: int | None = None,
    contact_id: int | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> LedgerPage:
    items = await subscriptions.audit(
        await session.connection(),
        account_id=account_id,
        contact_id=contact_id,
        before_id=_before(cursor),
        limit=limit,
    )
    return LedgerPage(
        items=[LedgerOut.model_validate(i) for i in items], next_cursor=_next(items, limit)
    )


@router.put("/subscribers/{account_id}/{contact_id}")
async def put_subscriber(
    account_id: RowId, contact_id: RowId, body: StatusIn, session: SessionDep, admin: CurrentAdmin
) -> SubscriberOut:
    conn = await session.connection()
    channel = await conn.scalar(select(_accounts.c.channel).where(_accounts.c.id == account_id))
    if channel is None:
        raise HTTPException(status_code=404, detail="no such account")
    contact_channel = await conn.scalar(
        select(_contacts.c.channel).where(_contacts.c.id == contact_id)
    )
    if contact_channel is None:
        raise HTTPException(status_code=404, detail="no such contact")
    if contact_channel != channel:
        raise HTTPException(status_code=422, detail="the contact is on another channel")
    subscribed = body.status == SubscriptionStatus.SUBSCRIBED.value
    change = subscriptions.opt_in if subscribed else subscriptions.opt_out
    await change(conn, account_id, contact_id, "api", source=admin.email)
    [found] = await subscriptions.subscribers(
        conn, account_id=account_id, contact_id=contact_id, limit=1
    )
    return SubscriberOut.model_validate(found)


def _keywords_out(account_id: int, keywords: Keywords) -> KeywordsOut:
    return KeywordsOut(account_id=account_id, **keywords.as_options())


@router.get("/accounts/{account_id}/newsletter-keywords")
async def get_keywords(account_id: RowId, session: SessionDep, _admin: CurrentAdmin) -> KeywordsOut:
    return _keywords_out(account_id, Keywords.of(await read_options(session, account_id)))


@router.put("/accounts/{account_id}/newsletter-keywords")
async def put_keywords(
    account_id: RowId, body: KeywordsIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> KeywordsOut:
    for word in [*body.subscribe_keywords, *body.unsubscribe_keywords]:
        if not normalise(word):
            raise HTTPException(422, f"{word!r} is only spaces or punctuation")
    options = await read_options(session, account_id)
    keywords = Keywords.of(
        {
            "newsletter": {
                "subscribe_keywords": body.subscribe_keywords,
                "unsubscribe_keywords": body.unsubscribe_keywords,
            }
        }
    )
    both = keywords.subscribe & keywords.unsubscribe
    if both:
        raise HTTPException(422, f"in both lists: {', '.join(sorted(both))}")
    options["newsletter"] = {**(options.get("newsletter") or {}), **keywords.as_options()}
    await write_options(rt, session, account_id, options)
    return _keywords_out(account_id, keywords)
