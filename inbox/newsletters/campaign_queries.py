"""Reading campaigns: their progress, their recipients, and the 80/20 report.

The 80/20 rule of newsletters: at most one message in five should sell, the rest be useful
to the reader, or subscribers leave. :func:`selling_share` measures it per account over the
campaigns started in the last 30 days.

Read models are frozen dataclasses (:mod:`inbox.newsletters.rows`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from inbox.db import Conn
from inbox.newsletters.models import Campaign, CampaignRecipient, RecipientStatus
from inbox.newsletters.rows import (
    CampaignDetail,
    CampaignRow,
    Progress,
    RecipientPage,
    RecipientRow,
    SellingShare,
)
from inbox.types import utcnow

_campaigns = Campaign.__table__  # type: ignore[attr-defined]
_recipients = CampaignRecipient.__table__  # type: ignore[attr-defined]

SELLING_MAX_SHARE = 0.2
REPORT_DAYS = 30
PAGE = 100


async def progress(conn: Conn, campaign_id: int, audience: int | None) -> Progress:
    """How many recipients are in each status, and the audience frozen at the start."""
    rows = await conn.execute(
        select(_recipients.c.status, func.count().label("n"))
        .where(_recipients.c.campaign_id == campaign_id)
        .group_by(_recipients.c.status)
    )
    counts = {s.value: 0 for s in RecipientStatus}
    for row in rows:
        if str(row.status) in counts:
            counts[str(row.status)] = int(row.n)
    return Progress(audience=audience or 0, **counts)


def _fields(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "account_id": row.account_id,
        "segment_id": row.segment_id,
        "text": row.text,
        "image_url": row.image_url,
        "buttons": list(row.buttons or []),
        "tag": row.tag,
        "status": row.status,
        "scheduled_at": row.scheduled_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "audience_size": row.audience_size,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def to_public(row: Any) -> CampaignRow:
    return CampaignRow(**_fields(row))


async def describe(conn: Conn, campaign_id: int) -> CampaignDetail | None:
    row = (await conn.execute(select(_campaigns).where(_campaigns.c.id == campaign_id))).first()
    if row is None:
        return None
    counts = await progress(conn, campaign_id, row.audience_size)
    return CampaignDetail(**_fields(row), progress=counts)


async def list_campaigns(
    conn: Conn, *, account_id: int | None = None, status: str | None = None
) -> list[CampaignRow]:
    query = select(_campaigns).order_by(_campaigns.c.id.desc())
    if account_id is not None:
        query = query.where(_campaigns.c.account_id == account_id)
    if status is not None:
        query = query.where(_campaigns.c.status == status)
    return [to_public(r) for r in await conn.execute(query)]


async def recipients(
    conn: Conn, campaign_id: int, *, status: str | None, cursor: int | None, limit: int = PAGE
) -> RecipientPage:
    """One page in recipient order; ``next_cursor`` is the last id (None at the end)."""
    query = (
        select(_recipients)
        .where(_recipients.c.campaign_id == campaign_id)
        .order_by(_recipients.c.id)
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(_recipients.c.status == status)
    if cursor is not None:
        query = query.where(_recipients.c.id > cursor)
    rows = (await conn.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return RecipientPage(
        items=tuple(
            RecipientRow(
                id=r.id,
                contact_id=r.contact_id,
                peer_id=r.peer_id,
                status=r.status,
                error=r.error,
                outbox_id=r.outbox_id,
                updated_at=r.updated_at,
            )
            for r in rows
        ),
        next_cursor=rows[-1].id if more and rows else None,
    )


async def selling_share(conn: Conn, account_id: int, *, days: int = REPORT_DAYS) -> SellingShare:
    """Of the account's campaigns started in the last ``days``, how many sell."""
    since = utcnow() - timedelta(days=days)
    rows = await conn.execute(
        select(_campaigns.c.tag, func.count().label("n"))
        .where(_campaigns.c.account_id == account_id, _campaigns.c.started_at >= since)
        .group_by(_campaigns.c.tag)
    )
    counts = {"useful": 0, "selling": 0}
    for row in rows:
        counts[str(row.tag)] = counts.get(str(row.tag), 0) + int(row.n)
    total = counts["useful"] + counts["selling"]
    share = counts["selling"] / total if total else 0.0
    return SellingShare(
        account_id=account_id,
        days=days,
        campaigns=total,
        useful=counts["useful"],
        selling=counts["selling"],
        selling_share=round(share, 4),
        max_selling_share=SELLING_MAX_SHARE,
        within_rule=share <= SELLING_MAX_SHARE,
    )
