"""Contacts, conversations and messages: what the agents read.

Threading: a DM conversation per account + peer; a comment conversation per post + commenter,
so each person's public thread under a post is handled (assigned, resolved, measured) on its
own, with the whole reply chain inside it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class SenderType(StrEnum):
    CONTACT = "contact"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


def _utc_column(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Contact(SQLModel, table=True):
    """One per platform identity (channel + the platform's user id)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_contacts_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=300)
    username: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=16)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class AccountContact(SQLModel, table=True):
    """What one account may do with one contact: opted out, unreachable, last inbound."""

    __tablename__ = "account_contacts"
    __table_args__ = (UniqueConstraint("account_id", "contact_id", name="uq_account_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=False))
    opted_out: bool = False
    unreachable: bool = False
    last_inbound_at: datetime | None = _utc_column(nullable=True)
    updated_at: datetime = _utc_column()


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("account_id", "thread_key", name="uq_conversations_thread"),
        Index("ix_conversations_activity", "last_message_at", "id"),
        Index("ix_conversations_status_activity", "status", "last_message_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    channel: str = Field(max_length=16)
    kind: str = Field(max_length=16)  # direct | comment
    thread_key: str = Field(max_length=255)
    peer_id: str = Field(max_length=128)
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=False, index=True)
    )
    status: str = Field(default=ConversationStatus.OPEN.value, max_length=16)
    assignee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id"), nullable=True, index=True)
    )
    team_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True, index=True))
    priority: str | None = Field(default=None, max_length=16)
    snoozed_until: datetime | None = _utc_column(nullable=True)
    post_id: str | None = Field(default=None, max_length=255)
    post_url: str | None = Field(default=None, max_length=1024)
    post_text: str | None = Field(default=None)
    last_message_at: datetime = _utc_column()
    last_customer_message_at: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class ConversationLabel(SQLModel, table=True):
    __tablename__ = "conversation_labels"

    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), primary_key=True)
    )
    label: str = Field(sa_column=Column(String(64), primary_key=True, index=True))


class ContactLabel(SQLModel, table=True):
    """Labels on a person (VIP, wholesale, …): shown on the contact, read by the rules."""

    __tablename__ = "contact_labels"

    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contacts.id"), primary_key=True))
    label: str = Field(sa_column=Column(String(64), primary_key=True, index=True))


class Message(SQLModel, table=True):
    """A message, comment, note or system line in a conversation.

    ``external_id`` is the platform's id (unique per account); agents' notes have none.
    Order in a conversation is the platform's own time, then arrival.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id", name="uq_messages_external"),
        Index("ix_messages_conversation_order", "conversation_id", "platform_ts", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=False)
    )
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    external_id: str | None = Field(default=None, max_length=255)
    direction: str = Field(max_length=4)  # in | out
    sender_type: str = Field(max_length=16)
    author_external_id: str | None = Field(default=None, max_length=64)
    author_name: str | None = Field(default=None, max_length=300)
    kind: str = Field(default="message", max_length=16)  # message | postback | note | system
    text: str = ""
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    payload: str | None = None
    reply_to_external_id: str | None = Field(default=None, max_length=255)
    parent_comment_id: str | None = Field(default=None, max_length=255)
    edit_history: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    private: bool = False
    delivery_status: str | None = Field(default=None, max_length=16)  # queued | sent | failed
    delivery_error: str | None = Field(default=None, max_length=2000)
    sender_id: int | None = Field(  # the agent who wrote it (outbound, notes)
        default=None, sa_column=Column(Integer, ForeignKey("users.id"), nullable=True)
    )
    # The conversation's team when the brand's reply was made: metrics credit it, not today's.
    team_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    platform_ts: datetime = _utc_column()
    created_at: datetime = _utc_column()
    edited_at: datetime | None = _utc_column(nullable=True)
    deleted_at: datetime | None = _utc_column(nullable=True)
