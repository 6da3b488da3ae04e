"""Campaigns: write them, schedule or start them, pause, resume, cancel.

Starting freezes the audience: one ``INSERT … SELECT`` copies the segment's audience into
``campaign_recipients`` in the same transaction that flips the campaign to ``sending``, so the
audience is exactly the segment at that moment: who subscribes later is not added, and who
unsubscribes later is skipped when their turn comes (the dispatcher checks again). A guarded
``UPDATE … WHERE status IN (…)`` makes every transition safe against a second caller (the
API and the dispatcher of another process starting the same scheduled campaign).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from jinja2 import meta
from sqlalchemy import func, literal, select, update

from inbox.db import Conn
from inbox.errors import Conflict, Invalid, NotFound
from inbox.newsletters import segments
from inbox.newsletters.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from inbox.outbound import buttons_from_json
from inbox.outbox.models import OutboxRow, OutboxStatus
from inbox.outbox.outcomes import CANCELLED_REASON
from inbox.types import UTCDateTime, utcnow
from rules import templates

_campaigns = Campaign.__table__  # type: ignore[attr-defined]
_recipients = CampaignRecipient.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]

TAGS = ("useful", "selling")
VARIABLES = frozenset({"contact", "now"})  # a campaign has no conversation or message
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
CANCELLABLE = (*EDITABLE, CampaignStatus.SENDING, CampaignStatus.PAUSED)
DELETABLE = (*EDITABLE, CampaignStatus.CANCELLED, CampaignStatus.DONE)


class CampaignNotFound(NotFound):
    pass


class InvalidCampaign(Invalid):
    """The fields cannot make a campaign (422)."""


class IllegalTransition(Conflict, ValueError):
    """Not from the campaign's present status (409)."""


@dataclass(frozen=True, slots=True)
class CampaignBody:
    name: str
    account_id: int
    text: str
    tag: str
    segment_id: int | None = None
    image_url: str | None = None
    buttons: list[dict[str, Any]] = field(default_factory=list)


FIELDS = ("name", "account_id", "text", "tag", "segment_id", "image_url", "buttons")


@dataclass(frozen=True, slots=True)
class CampaignState:
    """A stored campaign as its transitions and the dispatcher read it: its status and the
    fields an edit writes back (``buttons`` as stored, so an edit rewrites what it read)."""

    id: int
    status: str
    name: str
    account_id: int
    text: str
    tag: str
    segment_id: int | None
    image_url: str | None
    buttons: list[dict[str, Any]] | None

    @classmethod
    def of(cls, row: Any) -> CampaignState:
        return cls(
            id=row.id,
            status=row.status,
            name=row.name,
            account_id=row.account_id,
            text=row.text,
            tag=row.tag,
            segment_id=row.segment_id,
            image_url=row.image_url,
            buttons=row.buttons,
        )


_STATE = select(*(_campaigns.c[f.name] for f in fields(CampaignState)))


def check_text(source: str) -> None:
    """A sandboxed template over ``contact`` and ``now`` only (:mod:`rules.templates`)."""
    if not source.strip():
        raise InvalidCampaign("the campaign's text is empty")
    try:
        templates.parse(source)
        unknown = meta.find_undeclared_variables(templates.ENV.parse(source)) - VARIABLES
    except ValueError as exc:
        raise InvalidCampaign(str(exc)) from exc
    if unknown:
        raise InvalidCampaign(
            f"a campaign's text can use only {{{{ contact.* }}}} and {{{{ now }}}}, "
            f"not {', '.join(sorted(unknown))}"
        )


async def _check(conn: Conn, values: dict[str, Any]) -> None:
    if not str(values["name"]).strip():
        raise InvalidCampaign("a campaign needs a name")
    if values["tag"] not in TAGS:
        raise InvalidCampaign(f"tag must be one of {', '.join(TAGS)}")
    check_text(values["text"])
    try:
        buttons_from_json(values["buttons"] or None)
    except ValueError as exc:
        raise InvalidCampaign(str(exc)) from exc
    if await segments.account_channel(conn, values["account_id"]) is None:
        raise InvalidCampaign(f"there is no account {values['account_id']}")
    if values["segment_id"] is not None:
        try:
            segment = await segments.get_row(conn, values["segment_id"])
        except segments.SegmentNotFound as exc:
            raise InvalidCampaign(str(exc)) from exc
        if segment.account_id != values["account_id"]:
            raise InvalidCampaign("the segment belongs to another account")


async def find(conn: Conn, campaign_id: int) -> CampaignState | None:
    row = (await conn.execute(_STATE.where(_campaigns.c.id == campaign_id))).first()
    return None if row is None else CampaignState.of(row)


async def get_row(conn: Conn, campaign_id: int) -> CampaignState:
    found = await find(conn, campaign_id)
    if found is None:
        raise CampaignNotFound(f"there is no campaign {campaign_id}")
    return found


async def create(conn: Conn, body: CampaignBody, created_by: int | None) -> int:
    values = {name: getattr(body, name) for name in FIELDS}
    await _check(conn, values)
    now = utcnow()
    row = (
        await conn.execute(
            _campaigns.insert()
            .values(
                **values,
                status=CampaignStatus.DRAFT.value,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
            .returning(_campaigns.c.id)
        )
    ).one()
    return int(row.id)


async def update_fields(conn: Conn, campaign_id: int, changes: dict[str, Any]) -> None:
    """Edit a campaign that has not started (draft or scheduled): 409 once it has."""
    row = await get_row(conn, campaign_id)
    if row.status not in EDITABLE:
        raise IllegalTransition(
            f"the campaign is {row.status}: only a draft or scheduled campaign can be edited"
        )
    values = {name: getattr(row, name) for name in FIELDS}
    values.update({k: v for k, v in changes.items() if k in FIELDS})
    await _check(conn, values)
    await _transition(conn, campaign_id, EDITABLE, row.status, **values)


async def delete(conn: Conn, campaign_id: int) -> None:
    row = await get_row(conn, campaign_id)
    if row.status not in DELETABLE:
        raise IllegalTransition(f"the campaign is {row.status}: pause or cancel it first")
    await conn.execute(_recipients.delete().where(_recipients.c.campaign_id == campaign_id))
    await conn.execute(_campaigns.delete().where(_campaigns.c.id == campaign_id))


async def _transition(
    conn: Conn, campaign_id: int, allowed: tuple[CampaignStatus, ...], to: str, **values: Any
) -> None:
    done = await conn.execute(
        update(_campaigns)
        .where(_campaigns.c.id == campaign_id, _campaigns.c.status.in_([s.value for s in allowed]))
        .values(status=to, updated_at=utcnow(), **values)
    )
    if done.rowcount == 0:
        row = await get_row(conn, campaign_id)
        raise IllegalTransition(f"the campaign is {row.status}; it cannot become {to}")


async def schedule(conn: Conn, campaign_id: int, at: datetime) -> None:
    if at.tzinfo is None:
        raise InvalidCampaign("give the time with its time zone (e.g. 2026-12-24T09:00:00Z)")
    await _transition(conn, campaign_id, EDITABLE, CampaignStatus.SCHEDULED.value, scheduled_at=at)


async def start(conn: Conn, campaign_id: int) -> int:
    """Freeze the audience and start sending; returns the audience size."""
    now = utcnow()
    await _transition(conn, campaign_id, EDITABLE, CampaignStatus.SENDING.value, started_at=now)
    row = await get_row(conn, campaign_id)  # read after the guard: no edit can follow it
    channel = await segments.account_channel(conn, row.account_id)
    if channel is None:
        raise InvalidCampaign("the campaign's account no longer exists")
    audience = segments.Audience(row.account_id)
    if row.segment_id is not None:
        audience = segments.audience_of(await segments.get_row(conn, row.segment_id))
    people = segments.audience_select(audience, channel).subquery()
    frozen = select(
        literal(campaign_id).label("campaign_id"),
        people.c.contact_id,
        people.c.peer_id,
        literal(RecipientStatus.PENDING.value).label("status"),
        literal(now, UTCDateTime()).label("updated_at"),
    )
    await conn.execute(
        _recipients.insert().from_select(
            ["campaign_id", "contact_id", "peer_id", "status", "updated_at"], frozen
        )
    )
    size = int(
        await conn.scalar(select(func.count()).where(_recipients.c.campaign_id == campaign_id)) or 0
    )
    await conn.execute(
        update(_campaigns).where(_campaigns.c.id == campaign_id).values(audience_size=size)
    )
    return size


async def pause(conn: Conn, campaign_id: int) -> None:
    """The dispatcher stops handing recipients to the outbox, and the sender leaves the
    campaign's queued rows alone until :func:`resume`."""
    await _transition(conn, campaign_id, (CampaignStatus.SENDING,), CampaignStatus.PAUSED.value)


async def resume(conn: Conn, campaign_id: int) -> None:
    await _transition(conn, campaign_id, (CampaignStatus.PAUSED,), CampaignStatus.SENDING.value)


async def cancel(conn: Conn, campaign_id: int) -> None:
    """Nobody else gets it: pending recipients and queued outbox rows are cancelled; a row the
    sender is sending at this moment finishes and is recorded as it ends."""
    now = utcnow()
    await _transition(
        conn, campaign_id, CANCELLABLE, CampaignStatus.CANCELLED.value, finished_at=now
    )
    queued = select(_recipients.c.outbox_id).where(
        _recipients.c.campaign_id == campaign_id,
        _recipients.c.status == RecipientStatus.QUEUED.value,
        _recipients.c.outbox_id.is_not(None),
    )
    stopped = (
        await conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(queued), _outbox.c.status == OutboxStatus.QUEUED.value)
            .values(
                status=OutboxStatus.FAILED.value,
                last_error=CANCELLED_REASON,
                finished_at=now,
                lease_until=None,
            )
            .returning(_outbox.c.id)
        )
    ).all()
    stopped_ids = [r.id for r in stopped]
    await conn.execute(
        update(_recipients)
        .where(
            _recipients.c.campaign_id == campaign_id,
            _recipients.c.status == RecipientStatus.PENDING.value,
        )
        .values(status=RecipientStatus.CANCELLED.value, updated_at=now)
    )
    if stopped_ids:
        await conn.execute(
            update(_recipients)
            .where(
                _recipients.c.campaign_id == campaign_id,
                _recipients.c.outbox_id.in_(stopped_ids),
            )
            .values(status=RecipientStatus.CANCELLED.value, error=CANCELLED_REASON, updated_at=now)
        )
