"""Carrying out what the rules decided, in the worker's transaction.

Each action maps onto what an agent could do by hand: the same conversation service, the same
outbox, and what they change goes into the transaction's ``changes`` (the reactions follow,
:mod:`inbox.changes`). Replies are keyed by the message and the action's place, so the same
decision can never queue two replies, and they stop at the per-conversation hourly budget (a
loop guard).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from inbox.automation.webhooks import enqueue_webhook
from inbox.changes import Changes
from inbox.conversations.assignment import pick_assignee
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
    changes: Changes,
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
            note = await _reply(conn, stored, action, key, changes)
        else:
            note = await _apply_one(conn, stored, action, key, changes)
        if note:
            notes.append(note)
    return notes


async def _reply(
    conn: Conn, stored: Stored, action: a.Reply, key: str, changes: Changes
) -> str | None:
    conversation = await conversation_row(conn, stored.conversation_id)
    assert conversation is not None  # the message the rules answer was just stored in it
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
        await enqueue_reply(conn, conversation, reply, changes)
    except NothingToAnswer as exc:
        return f"reply skipped: {exc}"
    return None


async def _external_id(conn: Conn, message_id: int) -> str | None:
    found: str | None = await conn.scalar(
        select(_messages.c.external_id).where(_messages.c.id == message_id)
    )
    return found


async def _apply_one(
    conn: Conn, stored: Stored, action: a.Action, key: str, changes: Changes
) -> str | None:
    cid = stored.conversation_id
    change = await _conversation_change(conn, action)
    if change is not None:
        await apply_change(conn, cid, change, changes)
    elif isinstance(action, a.HideComment):
        conversation = await conversation_row(conn, cid)
        assert conversation is not None  # the message the rules act on was stored in it
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


async def _conversation_change(conn: Conn, action: a.Action) -> Change | None:
    """The conversation change an action makes, the same as an agent's; None for the others."""
    if isinstance(action, a.AssignAgent):
        return Change(assignee_id=action.user_id)
    if isinstance(action, a.AssignTeam):
        assignee = await pick_assignee(conn, action.team_id, action.strategy)
        return Change(team_id=action.team_id, assignee_id=assignee if assignee else UNSET)
    if isinstance(action, a.AddLabels):
        return Change(add_labels=action.labels)
    if isinstance(action, a.RemoveLabels):
        return Change(remove_labels=action.labels)
    if isinstance(action, a.SetPriority):
        return Change(priority=action.priority)
    if isinstance(action, a.SetStatus):
        until = None
        if action.status == "snoozed":
            until = utcnow() + timedelta(minutes=action.snooze_minutes or 60)
        return Change(status=action.status, snoozed_until=until)
    return None
