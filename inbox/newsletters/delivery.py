"""Where campaigns meet the outbox and the worker: cheap hooks, no policy.

- The sender reads :func:`campaign_states` before sending a campaign's rows (a paused
  campaign's rows wait, a cancelled one's are dropped).
- ``inbox.outbox.store`` calls :func:`recipient_finished` when a campaign row is sent or
  failed, so the recipient's status and failure reason follow the outbox.
- The worker calls :func:`label_reply` after storing a customer's direct message: a reply
  within :data:`REPLY_WINDOW` of a campaign labels the conversation ``campaign:<id>``.
  Campaign messages are not written into each recipient's conversation (100,000 rows for
  one send); this label is what ties the reply to the campaign instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from inbox.conversations.models import Conversation, ConversationLabel
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.newsletters.models import Campaign, CampaignRecipient, RecipientStatus
from inbox.types import utcnow

_campaigns = Campaign.__table__  # type: ignore[attr-defined]
_recipients = CampaignRecipient.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]
_conv_labels = ConversationLabel.__table__  # type: ignore[attr-defined]

REPLY_WINDOW = timedelta(days=3)
CANCELLED_REASON = "the campaign was cancelled before this was sent"
CAMPAIGN_KEY = "campaign_id"  # in an outbox row's request
RECIPIENT_KEY = "campaign_recipient_id"  # ("recipient_id" is the customer's platform id)


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


async def recipient_finished(
    conn: Conn, request: dict[str, Any], *, sent: bool, error: str | None = None
) -> None:
    """Record a campaign row's outcome on its recipient (no-op for other rows)."""
    recipient_id = request.get(RECIPIENT_KEY)
    if recipient_id is None:
        return
    if sent:
        status = RecipientStatus.SENT.value
    elif error == CANCELLED_REASON:
        status = RecipientStatus.CANCELLED.value
    else:
        status = RecipientStatus.FAILED.value
    await conn.execute(
        update(_recipients)
        .where(_recipients.c.id == int(recipient_id))
        .values(status=status, error=None if sent else error, updated_at=utcnow())
    )


async def recipients_sent(conn: Conn, requests: Iterable[dict[str, Any]]) -> None:
    """:func:`recipient_finished` (sent) for many campaign rows in one statement."""
    ids = sorted({int(r[RECIPIENT_KEY]) for r in requests if r.get(RECIPIENT_KEY) is not None})
    if ids:
        await conn.execute(
            update(_recipients)
            .where(_recipients.c.id.in_(ids))
            .values(status=RecipientStatus.SENT.value, error=None, updated_at=utcnow())
        )


async def label_reply(conn: Conn, account_id: int, conversation_id: int) -> str | None:
    """Label the conversation with the campaign its contact was last sent within the reply
    window, if any; returns the label. One indexed lookup per customer message."""
    contact_id = await conn.scalar(
        select(_conversations.c.contact_id).where(_conversations.c.id == conversation_id)
    )
    if contact_id is None:
        return None
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
