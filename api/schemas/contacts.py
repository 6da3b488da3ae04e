"""A contact, as ``/api/v1/contacts/{id}`` answers it."""

from __future__ import annotations

from datetime import datetime

from api.schemas.common import ApiModel
from api.schemas.conversations import PostOut


class AccountReachOut(ApiModel):
    account_id: int
    account_name: str
    channel: str
    opted_out: bool
    unreachable: bool
    last_inbound_at: datetime | None


class ContactSubscriptionOut(ApiModel):
    account_id: int
    status: str
    since: datetime
    method: str
    account_name: str | None


class LedgerOut(ApiModel):
    """One opt-in or opt-out as the subscription ledger recorded it."""

    id: int
    account_id: int
    contact_id: int
    action: str
    method: str
    source: str | None
    at: datetime
    recorded_at: datetime


class ContactLedgerEntryOut(LedgerOut):
    """A ledger entry on the contact panel, which lists every account's."""

    account_name: str | None


class NewsletterStateOut(ApiModel):
    subscriptions: list[ContactSubscriptionOut]
    ledger: list[ContactLedgerEntryOut]


class ContactConversationOut(ApiModel):
    id: int
    kind: str
    status: str
    channel: str
    account_id: int
    last_message_at: datetime
    post: PostOut | None


class ContactOut(ApiModel):
    id: int
    channel: str
    external_id: str
    display_name: str
    username: str | None
    language: str | None
    created_at: datetime
    labels: list[str]
    subscriptions: list[AccountReachOut]
    newsletter: NewsletterStateOut
    conversations: list[ContactConversationOut]
