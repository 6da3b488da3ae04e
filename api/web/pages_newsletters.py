"""``/admin/newsletters`` (admins): campaigns with their progress, the 80/20 selling share per
account, forms for segments and campaigns; ``/admin/newsletters/<id>`` one campaign with its
recipients.

Pages only read; ``static/newsletters.js`` writes through the REST API (``api/routes/
campaigns.py``) and polls a sending campaign's progress.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from api.deps import SessionDep
from api.web.page_deps import PageAdmin
from api.web.templating import render
from inbox import platforms
from inbox.accounts import service as accounts
from inbox.contacts.queries import display_names
from inbox.newsletters import campaign_queries as queries
from inbox.newsletters import segments, subscriptions
from inbox.newsletters.models import CampaignStatus, RecipientStatus
from inbox.newsletters.rows import Progress

router = APIRouter(include_in_schema=False)

RECIPIENTS_SHOWN = 50
AUDIT_SHOWN = 50  # the newest opt-ins and opt-outs on the page; the API pages through all
_S = CampaignStatus
ACTIONS: dict[str, tuple[str, ...]] = {
    _S.DRAFT: ("send", "schedule", "cancel"),
    _S.SCHEDULED: ("send", "schedule", "cancel"),
    _S.SENDING: ("pause", "cancel"),
    _S.PAUSED: ("resume", "cancel"),
}
LIVE = frozenset({_S.SCHEDULED.value, _S.SENDING.value, _S.PAUSED.value})
PARTS = ("sent", "failed", "unsubscribed", "waiting")


def bar(progress: Progress) -> dict[str, Any]:
    """The progress bar's parts as percentages of the audience (``waiting``: pending+queued)."""
    counts = {
        "sent": progress.sent,
        "failed": progress.failed,
        "unsubscribed": progress.unsubscribed,
        "waiting": progress.pending + progress.queued,
    }
    total = max(progress.audience, sum(counts.values()))
    parts, x = [], 0.0
    for name in PARTS:
        width = 100.0 * counts[name] / total if total else 0.0
        parts.append({"name": name, "x": round(x, 2), "width": round(width, 2)})
        x += width
    return {"counts": counts, "parts": parts}


async def _campaign(conn: Any, campaign_id: int) -> dict[str, Any]:
    found = await queries.describe(conn, campaign_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"there is no campaign {campaign_id}")
    return {
        **asdict(found),
        "bar": bar(found.progress),
        "actions": ACTIONS.get(found.status, ()),
        "live": found.status in LIVE,
    }


async def _accounts(session: SessionDep) -> dict[str, Any]:
    """Every account, by id, and the ids of those whose platform limits messaging to a window
    after the person's last message (Meta's 24 hours): their audiences are cut to it."""
    rows = [a for a in await accounts.list_accounts(session) if a.id is not None]
    return {
        "accounts": rows,
        "by_id": {a.id: a for a in rows},
        "meta_ids": [a.id for a in rows if a.channel in platforms.windowed_channels()],
    }


@router.get("/admin/newsletters", response_class=HTMLResponse)
async def newsletters_page(
    request: Request, session: SessionDep, _admin: PageAdmin
) -> HTMLResponse:
    conn = await session.connection()
    known = await _accounts(session)
    campaigns = [await _campaign(conn, c.id) for c in await queries.list_campaigns(conn)]
    shares = [
        {"account": a, **asdict(await queries.selling_share(conn, a.id))} for a in known["accounts"]
    ]
    context = {
        **known,
        "campaigns": campaigns,
        "segments": await segments.list_all(conn),
        "shares": shares,
        "max_share": queries.SELLING_MAX_SHARE,
        "report_days": queries.REPORT_DAYS,
        "audit": await _audit(conn),
    }
    return render(request, "newsletters/page.html", context)


async def _audit(conn: AsyncConnection) -> list[dict[str, Any]]:
    """The consent ledger's newest records, with the person's name."""
    events = await subscriptions.audit(conn, limit=AUDIT_SHOWN)
    names = await display_names(conn, {e.contact_id for e in events})
    return [{**asdict(e), "contact_name": names.get(e.contact_id)} for e in events]


@router.get("/admin/newsletters/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(
    request: Request,
    session: SessionDep,
    _admin: PageAdmin,
    campaign_id: int = Path(ge=1, le=2**63 - 1),
    status: str = "",
) -> HTMLResponse:
    conn = await session.connection()
    campaign = await _campaign(conn, campaign_id)
    chosen = status if status in {s.value for s in RecipientStatus} else ""
    page = await queries.recipients(
        conn, campaign_id, status=chosen or None, cursor=None, limit=RECIPIENTS_SHOWN
    )
    context = {
        **await _accounts(session),
        "c": campaign,
        "recipients": page.items,
        "more": page.next_cursor is not None,
        "statuses": [s.value for s in RecipientStatus],
        "status": chosen,
        "shown": RECIPIENTS_SHOWN,
    }
    return render(request, "newsletters/campaign.html", context)
