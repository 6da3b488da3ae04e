"""What the newsletter read side returns: frozen dataclasses (the read-model style of every
``inbox`` query; see :mod:`inbox.conversations.rows`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """Whether a contact gets an account's newsletters, since when and what set it.

    ``account_name`` is filled where a person's page shows it (the contact panel)."""

    account_id: int
    status: str
    since: datetime
    method: str
    account_name: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One opt-in or opt-out as the ledger recorded it."""

    id: int
    account_id: int
    contact_id: int
    action: str
    method: str
    source: str | None
    at: datetime
    recorded_at: datetime
    account_name: str | None = None


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A subscription row with the person's name (``id`` pages the list)."""

    id: int
    account_id: int
    contact_id: int
    name: str
    channel: str
    status: str
    since: datetime
    method: str


@dataclass(frozen=True, slots=True)
class SegmentRow:
    id: int
    name: str
    account_id: int
    labels: tuple[str, ...]
    language: str | None
    active_within_days: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AudienceMember:
    contact_id: int
    display_name: str
    language: str | None


@dataclass(frozen=True, slots=True)
class AudiencePreview:
    """How many a campaign would reach now, a few of them, and why it may be fewer."""

    size: int
    sample: tuple[AudienceMember, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    """A campaign's recipients by status; ``audience`` is the size frozen at its start."""

    audience: int
    pending: int
    queued: int
    sent: int
    failed: int
    unsubscribed: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class CampaignRow:
    id: int
    name: str
    account_id: int
    segment_id: int | None
    text: str
    image_url: str | None
    buttons: list[dict[str, Any]]
    tag: str
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    audience_size: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CampaignDetail(CampaignRow):
    """One campaign with how far its sending has come."""

    progress: Progress


@dataclass(frozen=True, slots=True)
class RecipientRow:
    id: int
    contact_id: int
    peer_id: str
    status: str
    error: str | None
    outbox_id: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecipientPage:
    items: tuple[RecipientRow, ...]
    next_cursor: int | None


@dataclass(frozen=True, slots=True)
class SellingShare:
    """The 80/20 rule over an account's campaigns started in the last ``days``."""

    account_id: int
    days: int
    campaigns: int
    useful: int
    selling: int
    selling_share: float
    max_selling_share: float
    within_rule: bool
