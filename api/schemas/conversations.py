"""Conversations and their messages, as ``/api/v1/conversations`` answers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.schemas.common import ApiModel


class ContactRefOut(ApiModel):
    id: int
    display_name: str
    username: str | None
    external_id: str


class PostOut(ApiModel):
    id: str
    url: str | None
    text: str | None


class MessagePreviewOut(ApiModel):
    text: str
    direction: str
    sender_type: str
    private: bool
    attachments: int
    deleted: bool


class ConversationOut(ApiModel):
    id: int
    channel: str
    account_id: int
    kind: str
    status: str
    assignee_id: int | None
    team_id: int | None
    labels: list[str]
    priority: str | None
    snoozed_until: datetime | None
    contact: ContactRefOut
    post: PostOut | None
    last_message_at: datetime
    created_at: datetime
    updated_at: datetime


class ConversationListItem(ConversationOut):
    last_message: MessagePreviewOut | None


class ConversationPage(ApiModel):
    items: list[ConversationListItem]
    next_cursor: str | None


class AuthorOut(ApiModel):
    external_id: str | None
    name: str | None


class MessageOut(ApiModel):
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
    author: AuthorOut
    reply_to_external_id: str | None
    parent_comment_id: str | None
    payload: str | None
    edited_at: datetime | None
    deleted_at: datetime | None
    edit_history: list[dict[str, Any]]


class MessagePage(ApiModel):
    items: list[MessageOut]
    next_cursor: str | None


class ModerationQueued(ApiModel):
    outbox_id: int
    action: str
    status: str
