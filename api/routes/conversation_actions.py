"""What agents do to a conversation: reply, write a note, change it, moderate a comment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException
from pydantic import BaseModel, Field, model_validator

from api.deps import ChangesDep, CurrentUser, SessionDep
from api.schemas.conversations import ConversationOut, MessageOut, ModerationQueued
from inbox.changes import ConversationSnapshot
from inbox.conversations import queries
from inbox.conversations.models import ConversationStatus, SenderType
from inbox.conversations.service import UNSET, Change, apply_change
from inbox.events import ThreadKind
from inbox.live import after_commit, conversation_changed
from inbox.outbound import OutboundAction
from inbox.outbox.enqueue import (
    Reply,
    add_note,
    conversation_row,
    enqueue_moderation,
    enqueue_reply,
)

router = APIRouter(prefix="/api/v1", tags=["conversations"])


class NewMessage(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    private: bool = Field(default=False, description="a private note: never leaves the service")
    private_reply: bool = Field(
        default=False, description="for comments: answer the commenter in private, not publicly"
    )

    @model_validator(mode="after")
    def _not_blank(self) -> NewMessage:
        if not self.text.strip():
            raise ValueError("text is blank")
        return self


class ConversationPatch(BaseModel):
    status: Literal["open", "pending", "snoozed", "resolved"] | None = None
    snoozed_until: datetime | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    priority: Literal["low", "medium", "high", "urgent"] | None = None
    labels: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50
    )

    @model_validator(mode="after")
    def _snooze_needs_a_time(self) -> ConversationPatch:
        if self.status == ConversationStatus.SNOOZED.value and self.snoozed_until is None:
            raise ValueError("snoozing needs snoozed_until")
        if self.snoozed_until is not None and self.snoozed_until.tzinfo is None:
            raise ValueError("snoozed_until needs a time zone")
        return self


class Moderation(BaseModel):
    action: Literal["hide", "unhide", "delete"]


async def _conversation(session: SessionDep, conversation_id: int) -> ConversationSnapshot:
    found = await conversation_row(await session.connection(), conversation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such conversation")
    return found


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def post_message(
    conversation_id: int,
    body: NewMessage,
    session: SessionDep,
    user: CurrentUser,
    changes: ChangesDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> MessageOut:
    """An agent's reply (queued for delivery; its ``delivery_status`` follows) or a note."""
    conversation = await _conversation(session, conversation_id)
    after_commit(session, conversation_changed(conversation_id, "message"))  # if it commits
    conn = await session.connection()
    assert user.id is not None
    if body.private:
        message_id = await add_note(conn, conversation, body.text, user.id)
    else:
        key = f"agent:{user.id}:{idempotency_key or uuid.uuid4().hex}"
        reply = Reply(
            text=body.text,
            sender_type=SenderType.AGENT,
            idempotency_key=key,
            private=body.private_reply and conversation.kind == ThreadKind.COMMENT,
            sender_id=user.id,
        )
        message_id = await enqueue_reply(conn, conversation, reply, changes)
    found = await queries.get_message(conn, message_id)
    assert found is not None
    return MessageOut.model_validate(found)


@router.patch("/conversations/{conversation_id}")
async def patch_conversation(
    conversation_id: int,
    body: ConversationPatch,
    session: SessionDep,
    user: CurrentUser,
    changes: ChangesDep,
) -> ConversationOut:
    await _conversation(session, conversation_id)
    after_commit(session, conversation_changed(conversation_id, "update"))  # if it commits
    given = body.model_fields_set
    change = Change(
        status=body.status,
        snoozed_until=body.snoozed_until,
        assignee_id=body.assignee_id if "assignee_id" in given else UNSET,
        team_id=body.team_id if "team_id" in given else UNSET,
        priority=body.priority if "priority" in given else UNSET,
        labels=body.labels,
        actor_id=user.id,
    )
    conn = await session.connection()
    await apply_change(conn, conversation_id, change, changes)
    found = await queries.get_conversation(conn, conversation_id)
    assert found is not None
    return ConversationOut.model_validate(found)


@router.post("/conversations/{conversation_id}/messages/{message_id}/moderation", status_code=202)
async def moderate(
    conversation_id: int,
    message_id: int,
    body: Moderation,
    session: SessionDep,
    _user: CurrentUser,
) -> ModerationQueued:
    """Hide, unhide or delete a customer's comment on the platform (queued like a reply)."""
    conversation = await _conversation(session, conversation_id)
    after_commit(session, conversation_changed(conversation_id, "update"))  # if it commits
    conn = await session.connection()
    message = await queries.get_message(conn, message_id)
    if message is None or message.conversation_id != conversation_id:
        raise HTTPException(status_code=404, detail="no such message in this conversation")
    if conversation.kind != ThreadKind.COMMENT or not message.external_id:
        raise HTTPException(status_code=409, detail="only comments can be moderated")
    key = f"moderate:{message_id}:{body.action}:{uuid.uuid4().hex}"
    outbox_id = await enqueue_moderation(
        conn, conversation, OutboundAction(body.action), message.external_id, key
    )
    return ModerationQueued(outbox_id=outbox_id, action=body.action, status="queued")
