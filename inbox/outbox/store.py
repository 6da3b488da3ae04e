"""The outbox's reads and writes: claim due rows, then record how each call ended.

A claimed row is ``leased``: a sender holds it (until ``lease_until``, which the sender
extends while it waits for rate-limit slots) but has not called the platform yet, so a row
found ``leased`` after its lease ran out is simply taken again. Right before a call that
could reach a customer twice, the row turns ``sending`` (:func:`mark_calling`). A row found
still ``sending`` after its lease ran out belongs to a sender that died mid-call: the claim
reports it as ``interrupted`` so the sender can tell a safe resend (idempotent on the
platform) from one that could reach the customer twice.

A row that finished for good (sent or failed) is appended to the caller's ``changes`` as a
:class:`~inbox.changes.DeliveryDone`: metric cycles, a campaign recipient's status and an
opt-out after a permanent failure follow it by reaction, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, tuple_, update

from inbox.changes import Changes, DeliveryDone
from inbox.conversations.models import AccountContact, Message
from inbox.db import Conn
from inbox.outbox.models import OutboxRequest, OutboxRow, OutboxStatus
from inbox.types import utcnow

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_messages = Message.__table__  # type: ignore[attr-defined]
_account_contacts = AccountContact.__table__  # type: ignore[attr-defined]


_HELD = (OutboxStatus.LEASED.value, OutboxStatus.SENDING.value)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    idempotency_key: str
    account_id: int
    conversation_id: int | None
    message_id: int | None
    action: str
    request: OutboxRequest
    attempts: int
    interrupted: bool  # a sender died while this row was being sent
    # Before its call: a batched call's random_id (``batch:<n>``), kept for a resend after a crash.
    external_id: str | None = None

    def done(
        self, *, sent: bool, error: str | None = None, unreachable: bool = False
    ) -> DeliveryDone:
        return DeliveryDone(
            account_id=self.account_id,
            sent=sent,
            conversation_id=self.conversation_id,
            message_id=self.message_id,
            contact_id=self.request.contact_id,
            campaign_recipient_id=self.request.campaign_recipient_id,
            error=error,
            unreachable=unreachable,
        )


async def claim(conn: Conn, *, limit: int, lease_seconds: float) -> list[Claimed]:
    now = utcnow()
    due = (
        select(_outbox.c.id, _outbox.c.status)
        .where(
            or_(
                and_(_outbox.c.status == OutboxStatus.QUEUED.value, _outbox.c.available_at <= now),
                and_(_outbox.c.status.in_(_HELD), _outbox.c.lease_until < now),
            )
        )
        .order_by(_outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = (await conn.execute(due)).all()
    if not rows:
        return []
    interrupted = {r.id for r in rows if r.status == OutboxStatus.SENDING.value}
    claimed = (
        await conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_([r.id for r in rows]))
            .values(
                status=OutboxStatus.LEASED.value,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=_outbox.c.attempts + 1,
            )
            .returning(
                _outbox.c.id,
                _outbox.c.idempotency_key,
                _outbox.c.account_id,
                _outbox.c.conversation_id,
                _outbox.c.message_id,
                _outbox.c.action,
                _outbox.c.request,
                _outbox.c.attempts,
                _outbox.c.external_id,
            )
        )
    ).all()
    items = [
        Claimed(
            id=r.id,
            idempotency_key=r.idempotency_key,
            account_id=r.account_id,
            conversation_id=r.conversation_id,
            message_id=r.message_id,
            action=r.action,
            request=OutboxRequest.from_json(r.request),
            attempts=r.attempts,
            interrupted=r.id in interrupted,
            external_id=r.external_id,
        )
        for r in claimed
    ]
    return sorted(items, key=lambda c: c.id)


async def last_inbound_at(conn: Conn, account_id: int, contact_id: int) -> datetime | None:
    found: datetime | None = await conn.scalar(
        select(_account_contacts.c.last_inbound_at).where(
            _account_contacts.c.account_id == account_id,
            _account_contacts.c.contact_id == contact_id,
        )
    )
    return found


async def mark_sent(conn: Conn, item: Claimed, external_id: str | None, changes: Changes) -> None:
    now = utcnow()
    await conn.execute(
        update(_outbox)
        .where(_outbox.c.id == item.id)
        .values(
            status=OutboxStatus.SENT.value,
            external_id=external_id,
            lease_until=None,
            last_error=None,
            finished_at=now,
        )
    )
    changes.append(item.done(sent=True))
    if item.message_id is None:
        return
    if external_id is not None:
        # The platform may have echoed the message back before this row was finished (VK
        # message_reply, Meta echoes): that copy is this message, so it goes.
        await conn.execute(
            delete(_messages).where(
                _messages.c.account_id == item.account_id,
                _messages.c.external_id == external_id,
                _messages.c.id != item.message_id,
            )
        )
    await conn.execute(
        update(_messages)
        .where(_messages.c.id == item.message_id)
        .values(
            delivery_status=OutboxStatus.SENT.value, delivery_error=None, external_id=external_id
        )
    )


async def mark_sent_many(
    conn: Conn, done: Sequence[tuple[Claimed, str | None]], changes: Changes
) -> None:
    """:func:`mark_sent` for rows with no message of their own (newsletter rows), in two
    statements however many there are."""
    if not done:
        return
    assert all(item.message_id is None for item, _ in done)
    now = utcnow()
    await conn.execute(
        update(_outbox)
        .where(_outbox.c.id == bindparam("oid"))
        .values(
            status=OutboxStatus.SENT.value,
            external_id=bindparam("ext"),
            lease_until=None,
            last_error=None,
            finished_at=now,
        ),
        [{"oid": item.id, "ext": external_id} for item, external_id in done],
    )
    changes.extend(item.done(sent=True) for item, _ in done)


async def mark_failed(
    conn: Conn, item: Claimed, reason: str, changes: Changes, *, unreachable: bool
) -> None:
    now = utcnow()
    reason = reason[:2000]
    await conn.execute(
        update(_outbox)
        .where(_outbox.c.id == item.id)
        .values(
            status=OutboxStatus.FAILED.value, lease_until=None, last_error=reason, finished_at=now
        )
    )
    if item.message_id is not None:
        await conn.execute(
            update(_messages)
            .where(_messages.c.id == item.message_id)
            .values(delivery_status=OutboxStatus.FAILED.value, delivery_error=reason)
        )
    contact_id = item.request.contact_id
    if unreachable and contact_id is not None:
        await conn.execute(
            update(_account_contacts)
            .where(
                _account_contacts.c.account_id == item.account_id,
                _account_contacts.c.contact_id == contact_id,
            )
            .values(unreachable=True, updated_at=now)
        )
    changes.append(item.done(sent=False, error=reason, unreachable=unreachable))


async def mark_batch(conn: Conn, ids: list[int], marker: str) -> None:
    """Written before a batched call: which call (its random_id) these rows went out in."""
    await conn.execute(
        update(_outbox)
        .where(_outbox.c.id.in_(ids))
        .values(external_id=marker, status=OutboxStatus.SENDING.value)
    )


async def mark_calling(conn: Conn, items: Sequence[Claimed], *, lease_seconds: float) -> list[bool]:
    """Right before the calls: ``sending`` for the rows this sender still holds (``leased``,
    and not taken again since: the claim counts an attempt), with a fresh lease. False for a
    row another sender took after this one's lease ran out: it must not be called here."""
    if not items:
        return []
    now = utcnow()
    mine = await conn.execute(
        update(_outbox)
        .where(
            tuple_(_outbox.c.id, _outbox.c.attempts).in_([(i.id, i.attempts) for i in items]),
            _outbox.c.status == OutboxStatus.LEASED.value,
        )
        .values(
            status=OutboxStatus.SENDING.value, lease_until=now + timedelta(seconds=lease_seconds)
        )
        .returning(_outbox.c.id)
    )
    held = {r.id for r in mine}
    return [i.id in held for i in items]


async def extend_leases(conn: Conn, ids: Sequence[int], *, lease_seconds: float) -> None:
    """Still held: rows waiting in this sender for their rate-limit slot keep their lease."""
    if ids:
        await conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(list(ids)), _outbox.c.status.in_(_HELD))
            .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
        )


async def release(conn: Conn, ids: Sequence[int]) -> None:
    """A stopping sender hands back the rows it took but never called (not an attempt)."""
    if ids:
        await conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(list(ids)), _outbox.c.status == OutboxStatus.LEASED.value)
            .values(
                status=OutboxStatus.QUEUED.value,
                lease_until=None,
                attempts=_outbox.c.attempts - 1,
            )
        )


async def reschedule(
    conn: Conn, item: Claimed, delay: float, reason: str, *, count_attempt: bool = True
) -> None:
    values: dict[str, Any] = {
        "status": OutboxStatus.QUEUED.value,
        "available_at": utcnow() + timedelta(seconds=delay),
        "lease_until": None,
        "last_error": reason[:2000],
    }
    if not count_attempt:  # waiting out a rate limit is not a failed attempt
        values["attempts"] = _outbox.c.attempts - 1
    await conn.execute(update(_outbox).where(_outbox.c.id == item.id).values(**values))
