"""Rows to ``rules.facts``: what the rules may know about a message, its contact and thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from inbox.contacts.queries import contact_labels
from inbox.conversations.models import AccountContact, Contact, Conversation
from inbox.conversations.service import labels_of
from inbox.db import Conn
from inbox.events import InboundEvent
from inbox.types import utcnow
from rules.calendar import BusinessCalendar
from rules.facts import ContactFacts, ConversationFacts, Facts, MessageFacts

if TYPE_CHECKING:
    from inbox.automation.runner import Stored

_contacts = Contact.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]
_account_contacts = AccountContact.__table__  # type: ignore[attr-defined]


async def build_facts(
    conn: Conn,
    event: InboundEvent,
    stored: Stored,
    trigger: str,
    calendar: BusinessCalendar | None,
) -> Facts:
    conversation = (
        await conn.execute(
            select(_conversations).where(_conversations.c.id == stored.conversation_id)
        )
    ).one()
    contact = (
        await conn.execute(select(_contacts).where(_contacts.c.id == conversation.contact_id))
    ).one()
    opted_out = await conn.scalar(
        select(_account_contacts.c.opted_out).where(
            _account_contacts.c.account_id == stored.account_id,
            _account_contacts.c.contact_id == contact.id,
        )
    )
    return Facts(
        event=trigger,
        message=MessageFacts(
            text=event.text,
            channel=event.channel.value,
            account_id=stored.account_id,
            kind=event.thread.kind.value,
            direction=event.direction.value,
            sender_type="contact",
            attachment_types=tuple(a.type for a in event.attachments),
        ),
        contact=ContactFacts(
            id=contact.id,
            display_name=contact.display_name,
            username=contact.username,
            language=contact.language,
            is_new=stored.new_contact,
            labels=await contact_labels(conn, contact.id),
            subscribed=not opted_out,
        ),
        conversation=ConversationFacts(
            id=conversation.id,
            status=conversation.status,
            assignee_id=conversation.assignee_id,
            team_id=conversation.team_id,
            labels=await labels_of(conn, conversation.id),
            priority=conversation.priority,
            is_new=stored.new_conversation,
            reopened=stored.reopened,
        ),
        now=utcnow(),
        calendar=calendar,
    )
