"""All tables in one metadata: imported by migrations and by tests that build the schema."""

from __future__ import annotations

from sqlmodel import SQLModel

from inbox.accounts.models import Account
from inbox.conversations.models import (
    AccountContact,
    Contact,
    Conversation,
    ConversationLabel,
    Message,
)
from inbox.queue.models import DeadEventRow, QueuedEventRow
from inbox.users.models import User

metadata = SQLModel.metadata

__all__ = [
    "Account",
    "AccountContact",
    "Contact",
    "Conversation",
    "ConversationLabel",
    "DeadEventRow",
    "Message",
    "QueuedEventRow",
    "User",
    "metadata",
]
