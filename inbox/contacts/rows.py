"""What the contact read side returns: frozen dataclasses (the read-model style of every
``inbox`` query; see :mod:`inbox.conversations.rows`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inbox.conversations.rows import PostRef
from inbox.newsletters.rows import LedgerEntry, SubscriptionRow


@dataclass(frozen=True, slots=True)
class AccountReach:
    """What one account may do with the person: opted out, unreachable, last inbound."""

    account_id: int
    account_name: str
    channel: str
    opted_out: bool
    unreachable: bool
    last_inbound_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewsletterState:
    """Per account: subscribed or not and since when, and the signals, newest first."""

    subscriptions: tuple[SubscriptionRow, ...]
    ledger: tuple[LedgerEntry, ...]


@dataclass(frozen=True, slots=True)
class ContactConversation:
    id: int
    kind: str
    status: str
    channel: str
    account_id: int
    last_message_at: datetime
    post: PostRef | None


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A person across their accounts and conversations (the latest ones), with their labels."""

    id: int
    channel: str
    external_id: str
    display_name: str
    username: str | None
    language: str | None
    created_at: datetime
    labels: tuple[str, ...]
    subscriptions: tuple[AccountReach, ...]
    newsletter: NewsletterState
    conversations: tuple[ContactConversation, ...]
