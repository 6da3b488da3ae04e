"""What the conversation read side returns: frozen dataclasses, one per kind of row.

The one style of read model in ``inbox`` (conversations, contacts, canned replies, teams,
newsletters, rules, SLA policies): a frozen, slotted dataclass, never a ``dict[str, Any]``.
mypy checks each field where it is read, nothing downstream can change a row, and the REST
API describes the same fields with its own pydantic models (``api/schemas``), read by
attribute. Raw JSON the platforms sent (attachments, edit history) stays plain JSON inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ContactRef:
    """The person a conversation is with, as the list shows them."""

    id: int
    display_name: str
    username: str | None
    external_id: str


@dataclass(frozen=True, slots=True)
class PostRef:
    """The post a comment conversation sits under."""

    id: str
    url: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class MessagePreview:
    """The latest message of a conversation, cut for the list."""

    text: str
    direction: str
    sender_type: str
    private: bool
    attachments: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: int
    channel: str
    account_id: int
    kind: str
    status: str
    assignee_id: int | None
    team_id: int | None
    labels: tuple[str, ...]
    priority: str | None
    snoozed_until: datetime | None
    contact: ContactRef
    post: PostRef | None
    last_message_at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConversationListRow(ConversationRow):
    """A row of the conversation list: the conversation and its latest message."""

    last_message: MessagePreview | None


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a message on the platform (a commenter, a group admin), when it says."""

    external_id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A message as agents read it; a deleted one keeps its place but not its content."""

    id: int
    conversation_id: int
    direction: str
    sender_type: str
    kind: str
    text: str
    attachments: list[dict[str, Any]]
    created_at: datetime
    received_at: datetime
    external_id: str | None
    delivery_status: str | None
    delivery_error: str | None
    sender_id: int | None
    private: bool
    author: Author
    reply_to_external_id: str | None
    parent_comment_id: str | None
    payload: str | None
    edited_at: datetime | None
    deleted_at: datetime | None
    edit_history: list[dict[str, Any]]
