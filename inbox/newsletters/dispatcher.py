"""The dispatcher: starts scheduled campaigns when due, and feeds sending ones to the outbox.

It hands recipients to the outbox in small windows: per campaign, at most about
``window_seconds`` of the platform's pace is queued ahead of the sender, so the outbox is
never flooded with 100,000 rows, other conversations' replies are not stuck behind a send,
and a pause stops the flow at once (the sender also holds the rows already queued).

Each chunk is one transaction: the recipients are read again with their subscription (who
unsubscribed or became unreachable since the start is marked ``unsubscribed`` and not sent),
their text rendered, their outbox rows inserted with the key ``campaign:<id>:<contact>``
(insert-or-ignore, so two dispatchers, or one after a crash, never make a second row) and
the recipients marked ``queued`` with their outbox id. A campaign with no recipient pending
or queued is ``done``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox import platforms
from inbox.conversations.models import AccountContact, Contact
from inbox.db import Conn, dialect_of, insert_ignore, unit_of_work
from inbox.events import ThreadKind
from inbox.newsletters import campaigns as service
from inbox.newsletters.delivery import idempotency_key
from inbox.newsletters.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Subscription,
    SubscriptionStatus,
)
from inbox.outbound import Button, OutboundAction, buttons_from_json
from inbox.outbox.models import OutboxRequest, OutboxRow, OutboxStatus
from inbox.types import utcnow
from rules import templates

log = logging.getLogger("omnibox.newsletters")

_campaigns = Campaign.__table__  # type: ignore[attr-defined]
_recipients = CampaignRecipient.__table__  # type: ignore[attr-defined]
_subs = Subscription.__table__  # type: ignore[attr-defined]
_ac = AccountContact.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]

CHUNK = 500  # recipients per transaction


@dataclass(frozen=True, slots=True)
class Pace:
    """Recipients per second each platform takes: the sender's per-account rate (``rates``,
    by channel, as configured), times the recipients one call carries where the platform
    batches a text that is the same for everyone."""

    rates: Mapping[str, float]

    def recipients_per_second(self, channel: str, personalised: bool) -> float:
        traits = platforms.traits_of(channel)
        return traits.recipients_per_second(self.rates[channel], personalised)


@dataclass(frozen=True, slots=True)
class SendingCampaign:
    """A campaign being sent: what its pace depends on."""

    id: int
    text: str
    channel: str  # its account's


@dataclass(frozen=True, slots=True)
class PendingRecipient:
    """A recipient yet to be queued, with what its text needs and whether it may still be sent
    (``subscription``, ``opted_out``, ``unreachable`` are None where no row says)."""

    id: int
    contact_id: int
    peer_id: str
    display_name: str
    username: str | None
    language: str | None
    subscription: str | None
    opted_out: bool | None
    unreachable: bool | None

    @classmethod
    def of(cls, row: Any) -> PendingRecipient:
        return cls(
            id=row.id,
            contact_id=row.contact_id,
            peer_id=row.peer_id,
            display_name=row.display_name,
            username=row.username,
            language=row.language,
            subscription=row.subscription,
            opted_out=row.opted_out,
            unreachable=row.unreachable,
        )


def variables(contact: PendingRecipient) -> dict[str, Any]:
    name = contact.display_name or ""
    return {
        "contact": {
            "id": contact.contact_id,
            "name": name,
            "display_name": name,
            "first_name": name.split()[0] if name.split() else "",
            "username": contact.username,
            "language": contact.language,
        },
        "now": utcnow(),
    }


def render(campaign: service.CampaignState, contact: PendingRecipient) -> str:
    text = templates.render(templates.parse(campaign.text), variables(contact))
    if campaign.image_url:  # sent as a link: every platform previews it as the picture
        text = f"{text}\n\n{campaign.image_url}"
    return text


class Dispatcher:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        pace: Pace,
        window_seconds: float = 5.0,
        idle_seconds: float = 0.5,
    ) -> None:
        self._engine = engine
        self._pace = pace
        self._window = window_seconds
        self._idle = idle_seconds

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:
                log.exception("dispatcher iteration failed; pausing before the next")
                done = 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._idle if done == 0 else 0.05)

    async def run_once(self) -> int:
        """Start what is due and top up every sending campaign; returns recipients moved
        plus campaigns started or finished (0: nothing to do)."""
        done = await self._start_due()
        async with unit_of_work(self._engine, writer=False) as conn:
            sending = await _sending_campaigns(conn)
        for campaign in sending:
            done += await self._top_up(campaign)
        return done

    async def _start_due(self) -> int:
        async with unit_of_work(self._engine, writer=False) as conn:
            rows = await conn.execute(
                select(_campaigns.c.id).where(
                    _campaigns.c.status == CampaignStatus.SCHEDULED.value,
                    _campaigns.c.scheduled_at <= utcnow(),
                )
            )
            due = [int(r.id) for r in rows]
        started = 0
        for campaign_id in due:
            try:
                async with unit_of_work(self._engine) as conn:
                    await service.start(conn, campaign_id)
                started += 1
            except service.IllegalTransition:  # another process started or cancelled it
                continue
            except Exception:
                log.exception("could not start campaign %s", campaign_id)
        return started

    async def _top_up(self, campaign: SendingCampaign) -> int:
        personalised = "{" in campaign.text
        rate = self._pace.recipients_per_second(campaign.channel, personalised)
        ahead = max(1, math.ceil(rate * self._window))

        async with unit_of_work(self._engine) as conn:
            return await fill(conn, campaign.id, ahead)


async def _sending_campaigns(conn: Conn) -> list[SendingCampaign]:
    from inbox.accounts.models import Account

    accounts = Account.__table__  # type: ignore[attr-defined]
    rows = await conn.execute(
        select(_campaigns.c.id, _campaigns.c.text, accounts.c.channel)
        .join(accounts, accounts.c.id == _campaigns.c.account_id)
        .where(_campaigns.c.status == CampaignStatus.SENDING.value)
        .order_by(_campaigns.c.id)
    )
    return [SendingCampaign(id=r.id, text=r.text, channel=r.channel) for r in rows]


async def _count(conn: Conn, campaign_id: int, status: RecipientStatus) -> int:
    found = await conn.scalar(
        select(func.count()).where(
            _recipients.c.campaign_id == campaign_id, _recipients.c.status == status.value
        )
    )
    return int(found or 0)


async def fill(conn: Conn, campaign_id: int, ahead: int) -> int:
    """Queue up to ``ahead`` recipients in total for one sending campaign (one chunk), or
    finish it; returns recipients moved (+1 when it finished)."""
    campaign = await service.find(conn, campaign_id)
    if campaign is None or campaign.status != CampaignStatus.SENDING.value:
        return 0
    queued = await _count(conn, campaign_id, RecipientStatus.QUEUED)
    room = min(CHUNK, ahead - queued)
    if room <= 0:
        return 0
    pending = await _pending(conn, campaign, room)
    if not pending:
        if queued == 0:
            return await _finish(conn, campaign_id)
        return 0
    return await _move(conn, campaign, pending)


async def _pending(
    conn: Conn, campaign: service.CampaignState, limit: int
) -> list[PendingRecipient]:
    query = (
        select(
            _recipients.c.id,
            _recipients.c.contact_id,
            _recipients.c.peer_id,
            _contacts.c.display_name,
            _contacts.c.username,
            _contacts.c.language,
            _subs.c.status.label("subscription"),
            _ac.c.opted_out,
            _ac.c.unreachable,
        )
        .join(_contacts, _contacts.c.id == _recipients.c.contact_id)
        .outerjoin(
            _subs,
            and_(_subs.c.account_id == campaign.account_id, _subs.c.contact_id == _contacts.c.id),
        )
        .outerjoin(
            _ac, and_(_ac.c.account_id == campaign.account_id, _ac.c.contact_id == _contacts.c.id)
        )
        .where(
            _recipients.c.campaign_id == campaign.id,
            _recipients.c.status == RecipientStatus.PENDING.value,
        )
        .order_by(_recipients.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=_recipients)
    return [PendingRecipient.of(r) for r in await conn.execute(query)]


def _eligible(row: PendingRecipient) -> bool:
    return (
        row.subscription == SubscriptionStatus.SUBSCRIBED.value
        and not row.opted_out
        and not row.unreachable
    )


async def _move(
    conn: Conn, campaign: service.CampaignState, pending: list[PendingRecipient]
) -> int:
    now = utcnow()
    skipped: list[dict[str, Any]] = []
    broken: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    buttons, bad_buttons = _buttons(campaign)
    for r in pending:
        if not _eligible(r):
            skipped.append({"rid": r.id, "status": RecipientStatus.UNSUBSCRIBED.value, "e": None})
            continue
        try:
            text = render(campaign, r)
        except Exception as exc:  # a contact whose values the template cannot take
            broken.append(
                {"rid": r.id, "status": RecipientStatus.FAILED.value, "e": f"template: {exc}"}
            )
            continue
        if bad_buttons is not None:
            broken.append({"rid": r.id, "status": RecipientStatus.FAILED.value, "e": bad_buttons})
            continue
        request = OutboxRequest(
            thread_kind=ThreadKind.DIRECT,
            peer_id=r.peer_id,
            text=text,
            recipient_id=r.peer_id,
            contact_id=r.contact_id,
            buttons=buttons,
            campaign_id=campaign.id,
            campaign_recipient_id=r.id,
        )
        rows.append(
            {
                "idempotency_key": idempotency_key(campaign.id, r.contact_id),
                "account_id": campaign.account_id,
                "action": OutboundAction.SEND.value,
                "request": request.to_json(),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
        )
    if skipped or broken:
        await conn.execute(
            update(_recipients)
            .where(_recipients.c.id == bindparam("rid"))
            .values(status=bindparam("status"), error=bindparam("e"), updated_at=now),
            skipped + broken,
        )
    if rows:
        await conn.execute(insert_ignore(dialect_of(conn), _outbox, ["idempotency_key"]), rows)
        keys = [row["idempotency_key"] for row in rows]
        found = await conn.execute(
            select(_outbox.c.id, _outbox.c.request).where(_outbox.c.idempotency_key.in_(keys))
        )
        await conn.execute(
            update(_recipients)
            .where(_recipients.c.id == bindparam("rid"))
            .values(
                status=RecipientStatus.QUEUED.value, outbox_id=bindparam("oid"), updated_at=now
            ),
            [
                {"rid": OutboxRequest.from_json(f.request).campaign_recipient_id, "oid": f.id}
                for f in found
            ],
        )
    return len(pending)


def _buttons(campaign: service.CampaignState) -> tuple[tuple[Button, ...], str | None]:
    """The campaign's buttons (checked when it was saved), or why they cannot be sent."""
    try:
        return buttons_from_json(campaign.buttons or None), None
    except ValueError as exc:
        return (), f"the campaign's buttons cannot be sent: {exc}"


async def _finish(conn: Conn, campaign_id: int) -> int:
    done = await conn.execute(
        update(_campaigns)
        .where(_campaigns.c.id == campaign_id, _campaigns.c.status == CampaignStatus.SENDING.value)
        .values(status=CampaignStatus.DONE.value, finished_at=utcnow(), updated_at=utcnow())
    )
    return 1 if done.rowcount else 0
