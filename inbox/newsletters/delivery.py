"""Where campaigns meet the outbox and the worker: cheap hooks, no policy.

- The outbox sender is handed :func:`campaign_states` (by the composition root) and reads it
  before sending a campaign's rows (a paused campaign's rows wait, a cancelled one's are
  dropped).
- Reactions (:mod:`inbox.changes`, listed in :mod:`inbox.reactions`):
  :func:`record_campaign_outcome` when a campaign row is sent or failed, so the recipient's
  status and failure reason follow the outbox; :func:`opt_out_unreachable` when a send found
  the person gone; :func:`label_campaign_reply` after the worker stored a customer's direct
  message: a reply within :data:`REPLY_WINDOW` of a campaign labels the conversation
  ``campaign:<id>``. Campaign messages are not written into each recipient's conversation
  (100,000 rows for one send); this label is what ties the reply to the campaign instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from inbox.changes import Change, Changes, DeliveryDone, MessageStored
from inbox.conversations.models import ConversationLabel
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.events import EventKind, ThreadKind
from inbox.newsletters import subscriptions
from inbox.newsletters.models import Campaign, CampaignRecipient, RecipientStatus
from inbox.outbox.outcomes import CANCELLED_REASON
from inbox.types import utcnow

_campaigns = Campaign.__table__  # type: ignore[attr-defined]
_recipients = CampaignRecipient.__table__  # type: ignore[attr-defined]
_conv_labels = ConversationLabel.__table__  # type: ignore[attr-defined]

REPLY_WINDOW = timedelta(days=3)


def idempotency_key(campaign_id: int, contact_id: int) -> str:
    return f"campaign:{campaign_id}:{contact_id}"


def label_for(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


async def campaign_states(conn: Conn, campaign_ids: Iterable[int]) -> dict[int, str]:
    """Status by campaign id; a deleted campaign is missing."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    rows = await conn.execute(
        select(_campaigns.c.id, _campaigns.c.status).where(_campaigns.c.id.in_(ids))
    )
    return {int(r.id): str(r.status) for r in rows}


async def record_campaign_outcome(conn: Conn, batch: Sequence[Change], _changes: Changes) -> None:
    """Reaction: a campaign row's outcome on its recipient (the sent ones in one statement)."""
    done = [c for c in batch if isinstance(c, DeliveryDone) and c.campaign_recipient_id]
    sent = sorted({c.campaign_recipient_id for c in done if c.sent and c.campaign_recipient_id})
    now = utcnow()
    if sent:
        await conn.execute(
            update(_recipients)
            .where(_recipients.c.id.in_(sent))
            .values(status=RecipientStatus.SENT.value, error=None, updated_at=now)
        )
    failed = [
        {"rid": c.campaign_recipient_id, "st": _failed_status(c.error), "err": c.error}
        for c in done
        if not c.sent
    ]
    if failed:
        await conn.execute(
            update(_recipients)
            .where(_recipients.c.id == bindparam("rid"))
            .values(status=bindparam("st"), error=bindparam("err"), updated_at=now),
            failed,
        )


def _failed_status(error: str | None) -> str:
    if error == CANCELLED_REASON:
        return RecipientStatus.CANCELLED.value
    return RecipientStatus.FAILED.value


async def opt_out_unreachable(conn: Conn, batch: Sequence[Change], _changes: Changes) -> None:
    """Reaction: a blocked bot or a revoked permission also ends the newsletter (the error
    says why)."""
    for c in batch:
        if isinstance(c, DeliveryDone) and c.unreachable and c.contact_id is not None:
            await subscriptions.opt_out_if_subscribed(
                conn, c.account_id, c.contact_id, "send_failure", source=c.error
            )


async def label_campaign_reply(conn: Conn, batch: Sequence[Change], _changes: Changes) -> None:
    """Reaction: a customer's new direct message may answer a campaign (:func:`label_reply`)."""
    for c in batch:
        if (
            isinstance(c, MessageStored)
            and c.inbound
            and c.event.kind is EventKind.MESSAGE
            and c.event.thread.kind is ThreadKind.DIRECT
        ):
            row = c.conversation
            await label_reply(conn, row.account_id, row.id, row.contact_id)


async def label_reply(
    conn: Conn, account_id: int, conversation_id: int, contact_id: int
) -> str | None:
    """Label the conversation with the campaign its contact was last sent within the reply
    window, if any; returns the label. One indexed lookup per customer message."""
    campaign_id = await conn.scalar(
        select(_recipients.c.campaign_id)
        .join(_campaigns, _campaigns.c.id == _recipients.c.campaign_id)
        .where(
            _recipients.c.contact_id == contact_id,
            _recipients.c.status == RecipientStatus.SENT.value,
            _recipients.c.updated_at >= utcnow() - REPLY_WINDOW,
            _campaigns.c.account_id == account_id,
        )
        .order_by(_recipients.c.updated_at.desc())
        .limit(1)
    )
    if campaign_id is None:
        return None
    label = label_for(int(campaign_id))
    await conn.execute(
        insert_ignore(dialect_of(conn), _conv_labels, ["conversation_id", "label"]),
        [{"conversation_id": conversation_id, "label": label}],
    )
    return label
