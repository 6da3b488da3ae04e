"""Carrying out what the rules decided, in the worker's transaction.

Each action maps onto what an agent could do by hand: the same conversation service, the same
outbox. Replies are keyed by the message and the action's place, so the same decision can never
queue two replies, and they stop at the per-conversation hourly budget (a loop guard).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from inbox.conversations.models import Conversation, Message, SenderType
from inbox.conversations.service import UNSET, Change, apply_change
from inbox.db import Conn
from inbox.newsletters import subscriptions
from inbox.outbound import OutboundAction
from inbox.outbox.enqueue import (
    NothingToAnswer,
    Reply,
    conversation_row,
    enqueue_moderation,
    enqueue_reply,
)
from inbox.outbox.webhooks import enqueue_webhook
from inbox.teams.service import pick_assignee
from inbox.types import utcnow
from rules import actions as a

if TYPE_CHECKING:
    from inbox.automation.runner import Stored

_messages = Message.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]


async def apply_all(
    conn: Conn,
    stored: Stored,
    decided: Sequence[a.Action],
    *,
    reply_budget: int,
    key_prefix: str | None = None,
) -> list[str]:
    """Apply in order (later rules win); returns notes on what was skipped and why.

    ``key_prefix`` names the decision when it is not the message's own (a clock event), so
    its replies and webhooks are not taken for the ones the message itself caused.
    """
    notes: list[str] = []
    prefix = key_prefix or f"rule:{stored.message_id}"
    for n, action in enumerate(decided):
        key = f"{prefix}:{n}"
        if isinstance(action, a.Reply):
            if reply_budget <= 0:
                notes.append("reply skipped: the conversation's automatic replies this hour")
                continue
            reply_budget -= 1
            note = await _reply(conn, stored, action, key)
        else:
            note = await _apply_one(conn, stored, action, key)
        if note:
            notes.append(note)
    return notes


async def _reply(conn: Conn, stored: Stored, action: a.Reply, key: str) -> str | None:
    conversation = await conversation_row(conn, stored.conversation_id)
    target = await conn.scalar(
        select(_messages.c.external_id).where(_messages.c.id == stored.message_id)
    )
    reply = Reply(
        text=action.text,
        sender_type=SenderType.BOT,
        idempotency_key=key,
        private=action.private and conversation.kind == "comment",
        target_external_id=target if conversation.kind == "comment" else None,
    )
    try:
        await enqueue_reply(conn, conversation, reply)
    except NothingToAnswer as exc:
        return f"reply skipped: {exc}"
    return None


async def _external_id(conn: Conn, message_id: int) -> str | None:
    found: str | None = await conn.scalar(
        select(_messages.c.external_id).where(_messages.c.id == message_id)
    )
    return found


async def _apply_one(conn: Conn, stored: Stored, action: a.Action, key: str) -> str | None:
    cid = stored.conversation_id
    if isinstance(action, a.AssignAgent):
        await apply_change(conn, cid, Change(assignee_id=action.user_id))
    elif isinstance(action, a.AssignTeam):
        assignee = await pick_assignee(conn, action.team_id, action.strategy)
        await apply_change(
            conn, cid, Change(team_id=action.team_id, assignee_id=assignee if assignee else UNSET)
        )
    elif isinstance(action, a.AddLabels):
        await apply_change(conn, cid, Change(add_labels=action.labels))
    elif isinstance(action, a.RemoveLabels):
        await apply_change(conn, cid, Change(remove_labels=action.labels))
    elif isinstance(action, a.SetPriority):
        await apply_change(conn, cid, Change(priority=action.priority))
    elif isinstance(action, a.SetStatus):
        until = None
        if action.status == "snoozed":
            until = utcnow() + timedelta(minutes=action.snooze_minutes or 60)
        await apply_change(conn, cid, Change(status=action.status, snoozed_until=until))
    elif isinstance(action, a.HideComment):
        conversation = await conversation_row(conn, cid)
        target = await _external_id(conn, stored.message_id)
        if conversation.kind != "comment" or not target:
            return "hide skipped: the message is not a comment"
        await enqueue_moderation(conn, conversation, OutboundAction.HIDE, target, key)
    elif isinstance(action, a.CallWebhook):
        await enqueue_webhook(conn, stored, action.url, action.secret, key)
    elif isinstance(action, a.Subscribe):
        contact_id = await conn.scalar(
            select(_conversations.c.contact_id).where(_conversations.c.id == cid)
        )
        record = subscriptions.opt_in if action.on else subscriptions.opt_out
        await record(conn, stored.account_id, int(contact_id), "rule", source=key)
    return None
