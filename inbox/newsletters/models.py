"""Subscriptions with an opt-in/opt-out ledger, segments, campaigns and their recipients."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


def _ts(nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _fk(target: str, *, nullable: bool = False, cascade: bool = False) -> Any:
    ondelete = "CASCADE" if cascade else None
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable),
    )


class SubscriptionStatus(StrEnum):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"


class Subscription(SQLModel, table=True):
    """Whether one contact gets one account's newsletters now (the ledger says why)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("account_id", "contact_id", name="uq_subscription"),
        Index("ix_subscriptions_account_status", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = _fk("accounts.id")
    contact_id: int = _fk("contacts.id")
    status: str = Field(max_length=16)
    changed_at: datetime = _ts(nullable=False)  # when the current status began
    method: str = Field(max_length=32)  # what set it (see SubscriptionEvent.method)


class SubscriptionEvent(SQLModel, table=True):
    """The ledger: every opt-in and opt-out, when, how and from what, never rewritten.

    ``method``: keyword, button, send_failure, rule, api; or a platform's own, as its normaliser
    names it (telegram_start, telegram_blocked, command for /stop, vk_message_allow, ...).
    ``source``: what carried it (the keyword, VK's ``key``, the failed campaign, the admin).
    """

    __tablename__ = "subscription_events"
    __table_args__ = (
        Index("ix_subscription_events_account_at", "account_id", "at"),
        Index("ix_subscription_events_contact", "contact_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = _fk("accounts.id")
    contact_id: int = _fk("contacts.id")
    action: str = Field(max_length=8)  # opt_in | opt_out
    method: str = Field(max_length=32)
    source: str | None = Field(default=None, max_length=255)
    at: datetime = _ts(nullable=False)  # the platform's time of the signal
    recorded_at: datetime = _ts(nullable=False)


class Segment(SQLModel, table=True):
    """Who a campaign is for: subscribers of an account narrowed by these (None: any)."""

    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    account_id: int = _fk("accounts.id")
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str | None = Field(default=None, max_length=16)
    active_within_days: int | None = None  # last inbound message at most this many days ago
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_scheduled", "status", "scheduled_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    account_id: int = _fk("accounts.id")
    segment_id: int | None = _fk("segments.id", nullable=True)
    text: str = Field(max_length=4096)  # a sandboxed template ({{ contact.first_name }}, …)
    image_url: str | None = Field(default=None, max_length=1024)
    buttons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    tag: str = Field(max_length=8)  # useful | selling (the 80/20 rule is reported)
    status: str = Field(default=CampaignStatus.DRAFT.value, max_length=16)
    scheduled_at: datetime | None = _ts()
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    audience_size: int | None = None  # frozen when it starts
    created_by: int | None = _fk("users.id", nullable=True)
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)


class RecipientStatus(StrEnum):
    PENDING = "pending"  # frozen in the audience, not yet handed to the outbox
    QUEUED = "queued"  # its outbox row exists
    SENT = "sent"
    FAILED = "failed"
    UNSUBSCRIBED = "unsubscribed"  # opted out (or became unreachable) before it was sent
    CANCELLED = "cancelled"


class CampaignRecipient(SQLModel, table=True):
    """One person of a frozen audience: one outbox row at most (key campaign:<id>:<contact>)."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_recipient"),
        Index("ix_campaign_recipients_status", "campaign_id", "status", "id"),
        # A customer's reply: was this contact sent a campaign lately? (delivery.label_reply)
        Index("ix_campaign_recipients_contact", "contact_id", "status", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = _fk("campaigns.id", cascade=True)
    contact_id: int = _fk("contacts.id")
    peer_id: str = Field(max_length=128)  # where the DM goes (Telegram chat, VK peer, PSID)
    status: str = Field(default=RecipientStatus.PENDING.value, max_length=16)
    outbox_id: int | None = Field(default=None, nullable=True)
    error: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = _ts(nullable=False)
