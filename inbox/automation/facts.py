"""Rows to ``rules.facts``: what the rules may know about a message, its contact and thread."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from inbox.conversations.models import Contact, Conversation
from inbox.conversations.service import contact_labels, labels_of
from inbox.db import Conn
from inbox.events import InboundEvent
from inbox.newsletters import subscriptions
from inbox.newsletters.models import SubscriptionStatus
from inbox.types import utcnow
from rules.calendar import BusinessCalendar
from rules.facts import ContactFacts, ConversationFacts, Facts, MessageFacts

if TYPE_CHECKING:
    from inbox.automation.runner import Stored
    from inbox.automation.timed import CustomerMessage, Timer

_contacts = Contact.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]


async def build_facts(
    conn: Conn,
    event: InboundEvent,
    stored: Stored,
    trigger: str,
    calendar: BusinessCalendar | None,
) -> Facts:
    contact, conversation = await _thread_facts(conn, stored)
    return Facts(
        event=trigger,
        message=MessageFacts(
            text=event.text,
            channel=str(event.channel),
            account_id=stored.account_id,
            kind=event.thread.kind.value,
            direction=event.direction.value,
            sender_type="contact",
            attachment_types=tuple(a.type for a in event.attachments),
        ),
        contact=contact,
        conversation=conversation,
        now=utcnow(),
        calendar=calendar,
    )


async def timed_facts(
    conn: Conn,
    stored: Stored,
    message: CustomerMessage,
    calendar: BusinessCalendar | None,
    timer: Timer,
    now: datetime,
) -> Facts:
    """Facts for a clock event: the customer's last message (a stored row) stands for it."""
    contact, conversation = await _thread_facts(conn, stored)
    return Facts(
        event=timer.trigger.value,
        message=MessageFacts(
            text=message.text or "",
            channel=message.channel,
            account_id=stored.account_id,
            kind=message.conversation_kind,
            direction="in",
            sender_type="contact",
            attachment_types=tuple(
                str(a.get("type", "")) for a in message.attachments or () if isinstance(a, dict)
            ),
        ),
        contact=contact,
        conversation=conversation,
        now=now,
        calendar=calendar,
        minutes=timer.minutes,
        sla_metric=timer.sla_metric,
    )


async def _thread_facts(conn: Conn, stored: Stored) -> tuple[ContactFacts, ConversationFacts]:
    conversation = (
        await conn.execute(
            select(_conversations).where(_conversations.c.id == stored.conversation_id)
        )
    ).one()
    contact = (
        await conn.execute(select(_contacts).where(_contacts.c.id == conversation.contact_id))
    ).one()
    subscription = await subscriptions.status_of(conn, stored.account_id, contact.id)
    return (
        ContactFacts(
            id=contact.id,
            display_name=contact.display_name,
            username=contact.username,
            language=contact.language,
            is_new=stored.new_contact,
            labels=await contact_labels(conn, contact.id),
            subscribed=subscription == SubscriptionStatus.SUBSCRIBED.value,
        ),
        ConversationFacts(
            id=conversation.id,
            status=conversation.status,
            assignee_id=conversation.assignee_id,
            team_id=conversation.team_id,
            labels=await labels_of(conn, conversation.id),
            priority=conversation.priority,
            is_new=stored.new_conversation,
            reopened=stored.reopened,
        ),
    )
