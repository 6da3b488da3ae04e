"""Store one normalised event: contact, conversation, message, flags.

Each function here is idempotent on the platform's own ids, because the queue delivers at
least once: applying the same event twice leaves the database as applying it once did. A new
message is appended to ``changes`` (:class:`~inbox.changes.MessageStored`); the worker runs
the reactions to it (metric cycles, newsletter signals, a campaign reply's label, the rules).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from inbox.changes import Changes, ConversationSnapshot, MessageStored
from inbox.conversations import repository as repo
from inbox.conversations.models import ConversationStatus, SenderType
from inbox.db import Conn
from inbox.events import Direction, EventKind, InboundEvent, ThreadKind
from inbox.newsletters import signals
from inbox.reporting import csat
from inbox.types import utcnow


@dataclasses.dataclass(frozen=True, slots=True)
class Applied:
    """What an event did; the pipeline counts it and announces the conversation."""

    stored: bool  # a new message row was written
    conversation_id: int | None = None


async def apply_event(
    conn: Conn, account_id: int, event: InboundEvent, changes: Changes
) -> Applied:
    if event.kind in (EventKind.MESSAGE, EventKind.POSTBACK):
        return await _store_message(conn, account_id, event, changes)
    if event.kind is EventKind.EDIT:
        return await _apply_edit(conn, account_id, event)
    if event.kind is EventKind.DELETE:
        return await _apply_delete(conn, account_id, event)
    if event.kind in (EventKind.OPT_IN, EventKind.OPT_OUT):
        return await _apply_opt(conn, account_id, event)
    return Applied(stored=False)  # reactions and system bookkeeping: nothing to keep yet


async def _customer_contact(conn: Conn, event: InboundEvent) -> tuple[int, bool]:
    """The customer of the thread: the author, or for the brand's own DM echoes the peer."""
    if event.direction is Direction.IN:
        a = event.author
        return await repo.upsert_contact(
            conn,
            channel=str(event.channel),
            external_id=a.id,
            display_name=a.display_name or a.username or "",
            username=a.username,
            language=a.language,
        )
    return await repo.upsert_contact(
        conn,
        channel=str(event.channel),
        external_id=event.thread.peer_id,
        display_name="",
        username=None,
        language=None,
    )


async def _conversation_for(
    conn: Conn, account_id: int, event: InboundEvent, contact_id: int | None = None
) -> ConversationSnapshot:
    thread = event.thread
    if (
        event.direction is Direction.OUT
        and thread.kind is ThreadKind.COMMENT
        and thread.parent_comment_id
    ):
        # The brand answering a comment belongs in the commenter's conversation.
        parent = await repo.find_message(conn, account_id, thread.parent_comment_id)
        if parent is not None:
            found = await repo.get_conversation_row(conn, parent.conversation_id)
            if found is not None:
                return found
    if contact_id is None:
        contact_id, _new = await _customer_contact(conn, event)
    post = thread.post
    return await repo.upsert_conversation(
        conn,
        {
            "account_id": account_id,
            "channel": str(event.channel),
            "kind": thread.kind.value,
            "thread_key": thread.key,
            "peer_id": thread.peer_id,
            "contact_id": contact_id,
            "post_id": post.id if post else None,
            "post_url": post.url if post else None,
            "post_text": post.text if post else None,
            "last_message_at": event.platform_ts,
        },
    )


def _message_values(account_id: int, conversation_id: int, event: InboundEvent) -> dict[str, Any]:
    inbound = event.direction is Direction.IN
    return {
        "conversation_id": conversation_id,
        "account_id": account_id,
        "external_id": event.external_id,
        "direction": event.direction.value,
        "sender_type": (SenderType.CONTACT if inbound else SenderType.AGENT).value,
        "author_external_id": event.author.id,
        "author_name": event.author.display_name or event.author.username,
        "kind": "postback" if event.kind is EventKind.POSTBACK else "message",
        "text": event.text,
        "attachments": [_attachment(a) for a in event.attachments],
        "payload": event.payload,
        "reply_to_external_id": event.reply_to_external_id,
        "parent_comment_id": event.thread.parent_comment_id,
        "platform_ts": event.platform_ts,
    }


def _attachment(attachment: Any) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(attachment).items() if v not in (None, {})}


async def _store_message(
    conn: Conn, account_id: int, event: InboundEvent, changes: Changes
) -> Applied:
    inbound = event.direction is Direction.IN
    contact_id, new_contact = None, False
    if inbound:  # (the customer of an outbound echo is found through the thread)
        contact_id, new_contact = await _customer_contact(conn, event)
    conversation = await _conversation_for(conn, account_id, event, contact_id)
    values = _message_values(account_id, conversation.id, event)
    if not inbound:  # an echo of a reply typed in the platform's app: its team is credited
        values["team_id"] = conversation.team_id
    message_id = await repo.insert_message(conn, values)
    if message_id is None:
        return Applied(stored=False, conversation_id=conversation.id)
    answer = csat.parse_answer(event.payload) if inbound else None
    if answer is not None:  # a survey answer: rated, never a new turn, never a reopen
        if await csat.record_answer(conn, conversation.id, *answer, event.platform_ts):
            await csat.thank(conn, conversation.id, answer[0], changes)
        return Applied(stored=True, conversation_id=conversation.id)
    await repo.touch_conversation(conn, conversation, event.platform_ts, from_customer=inbound)
    if inbound:
        await repo.set_account_contact(
            conn, account_id, conversation.contact_id, last_inbound_at=event.platform_ts
        )
    new_conversation = inbound and conversation.last_customer_message_at is None
    changes.append(
        MessageStored(
            conversation,
            message_id,
            event,
            new_conversation=new_conversation,
            reopened=inbound
            and not new_conversation
            and conversation.status != ConversationStatus.OPEN.value,
            new_contact=new_contact,
        )
    )
    return Applied(stored=True, conversation_id=conversation.id)


async def _apply_edit(conn: Conn, account_id: int, event: InboundEvent) -> Applied:
    existing = await repo.find_message(conn, account_id, event.external_id)
    if existing is None:
        # The edit came before the original (or the original predates us): keep the edited
        # text; the original, when it arrives, is then a known id and is ignored.
        conversation = await _conversation_for(conn, account_id, event)
        values = _message_values(account_id, conversation.id, event)
        values["edited_at"] = event.platform_ts
        stored = await repo.insert_message(conn, values)
        return Applied(stored=stored is not None, conversation_id=conversation.id)
    if existing.text != event.text:
        history = [
            *(existing.edit_history or []),
            {"text": existing.text, "replaced_at": event.platform_ts.isoformat()},
        ]
        await repo.update_message(
            conn, existing.id, text=event.text, edit_history=history, edited_at=event.platform_ts
        )
    return Applied(stored=False, conversation_id=existing.conversation_id)


async def _apply_delete(conn: Conn, account_id: int, event: InboundEvent) -> Applied:
    existing = await repo.find_message(conn, account_id, event.external_id)
    if existing is None:
        # Leave a tombstone so a late original is recognised as deleted, not shown.
        conversation = await _conversation_for(conn, account_id, event)
        values = _message_values(account_id, conversation.id, event)
        values["deleted_at"] = event.platform_ts
        await repo.insert_message(conn, values)
        return Applied(stored=False, conversation_id=conversation.id)
    if existing.deleted_at is None:
        await repo.update_message(conn, existing.id, deleted_at=event.platform_ts)
    return Applied(stored=False, conversation_id=existing.conversation_id)


async def _apply_opt(conn: Conn, account_id: int, event: InboundEvent) -> Applied:
    contact_id, _new = await _customer_contact(conn, event)
    opted_out = event.kind is EventKind.OPT_OUT
    await repo.set_account_contact(conn, account_id, contact_id)
    # The subscription decides (and mirrors ``opted_out``): a late, older signal changes nothing.
    outcome = await signals.after_opt(conn, account_id, contact_id, event)
    if outcome is None:
        await repo.set_account_contact(conn, account_id, contact_id, opted_out=opted_out)
    elif outcome.changed and not opted_out:  # unblocked: reachable again
        await repo.set_account_contact(conn, account_id, contact_id, unreachable=False)
    conversation_id = await repo.find_conversation(conn, account_id, event.thread.key)
    if conversation_id is not None:
        note = "blocked the bot / denied messages" if opted_out else "allowed messages again"
        await repo.insert_message(
            conn,
            {
                "conversation_id": conversation_id,
                "account_id": account_id,
                "external_id": event.external_id,
                "direction": Direction.IN.value,
                "sender_type": SenderType.SYSTEM.value,
                "kind": "system",
                "text": f"{event.author.display_name or 'The contact'} {note}",
                "attachments": [],
                "edit_history": [],
                "platform_ts": event.platform_ts,
                "created_at": utcnow(),
            },
        )
    return Applied(stored=False, conversation_id=conversation_id)
