"""Segments: who a campaign is for, as one query over subscriptions and contacts.

The audience of a segment is every contact *subscribed* to the segment's account whom the
account may still message (not opted out, not unreachable), narrowed by contact labels (any
of them), language (a prefix: ``pt`` matches ``pt-BR``) and recent activity. Where the
platform lets an account message a person only for a while after that person's last message
(its traits' messaging window, e.g. Meta's 24 hours), the audience is always cut to that window.

The same ``SELECT`` sizes the audience for a preview and freezes it when a campaign starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from inbox.accounts.models import Account
from inbox.conversations.models import AccountContact, Contact, ContactLabel
from inbox.db import Conn
from inbox.errors import Conflict, Invalid, NotFound
from inbox.newsletters.models import Segment, Subscription, SubscriptionStatus
from inbox.newsletters.rows import AudienceMember, AudiencePreview, SegmentRow
from inbox.platforms import traits_of
from inbox.types import utcnow

_segments = Segment.__table__  # type: ignore[attr-defined]
_subs = Subscription.__table__  # type: ignore[attr-defined]
_ac = AccountContact.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]
_labels = ContactLabel.__table__  # type: ignore[attr-defined]
_accounts = Account.__table__  # type: ignore[attr-defined]

SAMPLE_SIZE = 20


class SegmentError(Invalid):
    """The segment cannot be saved as given (422)."""


class SegmentNotFound(NotFound):
    pass


class SegmentInUse(Conflict, ValueError):
    """A campaign that has not started yet names the segment (409)."""


@dataclass(frozen=True, slots=True)
class Audience:
    """The filters of an audience; a campaign without a segment has none but the account."""

    account_id: int
    labels: tuple[str, ...] = ()
    language: str | None = None
    active_within_days: int | None = None


@dataclass(frozen=True, slots=True)
class SegmentBody:
    name: str
    account_id: int
    labels: list[str] = field(default_factory=list)
    language: str | None = None
    active_within_days: int | None = None


def audience_of(segment: SegmentRow) -> Audience:
    return Audience(
        segment.account_id, segment.labels, segment.language, segment.active_within_days
    )


async def account_channel(conn: Conn, account_id: int) -> str | None:
    found = await conn.scalar(select(_accounts.c.channel).where(_accounts.c.id == account_id))
    return None if found is None else str(found)


def audience_select(audience: Audience, channel: str) -> Select[Any]:
    """``(contact_id, peer_id)`` of everyone in the audience now; peer_id is where the DM
    goes (the Telegram private chat, the VK user, the PSID / IGSID): the contact's own id."""
    conditions: list[ColumnElement[bool]] = [
        _subs.c.account_id == audience.account_id,
        _subs.c.status == SubscriptionStatus.SUBSCRIBED.value,
        _ac.c.opted_out.is_(False),
        _ac.c.unreachable.is_(False),
    ]
    if audience.labels:
        conditions.append(
            exists().where(
                _labels.c.contact_id == _contacts.c.id, _labels.c.label.in_(audience.labels)
            )
        )
    if audience.language:
        prefix = audience.language.lower()
        lang = func.lower(_contacts.c.language)
        conditions.append(or_(lang == prefix, lang.like(f"{prefix}-%")))
    since = []
    if audience.active_within_days is not None:
        since.append(utcnow() - timedelta(days=audience.active_within_days))
    window = traits_of(channel).window
    if window is not None:
        since.append(utcnow() - window.open_for)
    if since:
        conditions.append(_ac.c.last_inbound_at >= max(since))
    return (
        select(_contacts.c.id.label("contact_id"), _contacts.c.external_id.label("peer_id"))
        .select_from(_subs)
        .join(_contacts, _contacts.c.id == _subs.c.contact_id)
        .join(
            _ac,
            and_(_ac.c.account_id == _subs.c.account_id, _ac.c.contact_id == _subs.c.contact_id),
        )
        .where(*conditions)
    )


async def preview(conn: Conn, audience: Audience, *, sample: int = SAMPLE_SIZE) -> AudiencePreview:
    """The audience's size now and a few of its people (for the admin's preview)."""
    channel = await account_channel(conn, audience.account_id)
    if channel is None:
        raise SegmentNotFound("the segment's account no longer exists")
    query = audience_select(audience, channel)
    window = traits_of(channel).window
    size = await conn.scalar(select(func.count()).select_from(query.subquery()))
    people = query.add_columns(_contacts.c.display_name, _contacts.c.language).order_by(
        _contacts.c.id
    )
    rows = (await conn.execute(people.limit(sample))).all()
    return AudiencePreview(
        size=int(size or 0),
        sample=tuple(
            AudienceMember(r.contact_id, r.display_name or r.peer_id, r.language) for r in rows
        ),
        note=window.audience_note if window is not None else None,
    )


# --- the segments themselves -----------------------------------------------------------------


def _values(body: SegmentBody) -> dict[str, Any]:
    name = body.name.strip()
    if not name:
        raise SegmentError("a segment needs a name")
    labels = sorted({label.strip() for label in body.labels if label.strip()})
    if body.active_within_days is not None and body.active_within_days < 1:
        raise SegmentError("active_within_days must be at least 1")
    language = (body.language or "").strip().lower() or None
    return {
        "name": name,
        "account_id": body.account_id,
        "labels": labels,
        "language": language,
        "active_within_days": body.active_within_days,
    }


def to_public(row: Any) -> SegmentRow:
    return SegmentRow(
        id=row.id,
        name=row.name,
        account_id=row.account_id,
        labels=tuple(row.labels or ()),
        language=row.language,
        active_within_days=row.active_within_days,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _check_account(conn: Conn, account_id: int) -> None:
    if await account_channel(conn, account_id) is None:
        raise SegmentError(f"there is no account {account_id}")


async def create(conn: Conn, body: SegmentBody) -> SegmentRow:
    values = _values(body)
    await _check_account(conn, body.account_id)
    now = utcnow()
    row = (
        await conn.execute(
            _segments.insert()
            .values(**values, created_at=now, updated_at=now)
            .returning(*_segments.c)
        )
    ).one()
    return to_public(row)


async def get_row(conn: Conn, segment_id: int) -> SegmentRow:
    row = (await conn.execute(select(_segments).where(_segments.c.id == segment_id))).first()
    if row is None:
        raise SegmentNotFound(f"there is no segment {segment_id}")
    return to_public(row)


async def replace(conn: Conn, segment_id: int, body: SegmentBody) -> SegmentRow:
    await get_row(conn, segment_id)
    values = _values(body)
    await _check_account(conn, body.account_id)
    row = (
        await conn.execute(
            _segments.update()
            .where(_segments.c.id == segment_id)
            .values(**values, updated_at=utcnow())
            .returning(*_segments.c)
        )
    ).one()
    return to_public(row)


async def remove(conn: Conn, segment_id: int) -> None:
    """Started campaigns keep their frozen audiences; one yet to start would silently widen to
    every subscriber, so while one names the segment it stays."""
    from inbox.newsletters.models import Campaign, CampaignStatus

    await get_row(conn, segment_id)
    campaigns = Campaign.__table__  # type: ignore[attr-defined]
    waiting = await conn.scalar(
        select(func.count()).where(
            campaigns.c.segment_id == segment_id,
            campaigns.c.status.in_([CampaignStatus.DRAFT.value, CampaignStatus.SCHEDULED.value]),
        )
    )
    if waiting:
        raise SegmentInUse(f"{waiting} campaign(s) not yet started use this segment")
    await conn.execute(
        campaigns.update().where(campaigns.c.segment_id == segment_id).values(segment_id=None)
    )
    await conn.execute(_segments.delete().where(_segments.c.id == segment_id))


async def list_all(conn: Conn, account_id: int | None = None) -> list[SegmentRow]:
    query = select(_segments).order_by(_segments.c.id)
    if account_id is not None:
        query = query.where(_segments.c.account_id == account_id)
    return [to_public(r) for r in await conn.execute(query)]
