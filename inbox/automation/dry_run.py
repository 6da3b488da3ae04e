"""``POST /api/v1/rules/test``: what the rules would do with a message, doing nothing.

The admin describes a message (and, if it matters, its contact and conversation); the stored
rule set, or rules given in the request, are evaluated exactly as the worker would, and the
answer is the trace. Nothing is written and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from inbox.automation.runner import compile_stored, directory, load_calendar
from inbox.db import Conn
from inbox.types import utcnow
from rules.actions import action_to_json
from rules.compile import compile_rules, validate
from rules.evaluate import evaluate
from rules.facts import ContactFacts, ConversationFacts, Facts, MessageFacts
from rules.schema import Channel


class TestContact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str = "Test Contact"
    username: str | None = None
    language: str | None = None
    is_new: bool = False
    labels: list[str] = Field(default_factory=list)
    subscribed: bool = True


class TestConversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "pending", "snoozed", "resolved"] = "open"
    assignee_id: int | None = None
    team_id: int | None = None
    labels: list[str] = Field(default_factory=list)
    priority: str | None = None
    is_new: bool = False
    reopened: bool = False


class TestMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=10_000)
    channel: Channel  # the channels a rule may name
    account_id: int = 0
    kind: Literal["direct", "comment"] = "direct"
    attachment_types: list[str] = Field(default_factory=list)
    event: Literal["message_received", "conversation_opened"] = "message_received"
    at: datetime | None = Field(default=None, description="when it arrives (default: now)")
    contact: TestContact = Field(default_factory=TestContact)
    conversation: TestConversation = Field(default_factory=TestConversation)
    rules: list[dict[str, Any]] | None = Field(
        default=None, description="rules to try instead of the stored ones", max_length=1000
    )


@dataclass(frozen=True, slots=True)
class DryRun:
    """``would_do``: the actions as the worker would run them; ``actions`` and ``trace``: the
    evaluation as it is stored on a message (webhook secrets redacted)."""

    would_do: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    trace: list[dict[str, Any]]


async def dry_run(conn: Conn, body: TestMessage) -> DryRun:
    if body.rules is not None:
        known = await directory(conn)
        compiled = compile_rules(validate(body.rules, known), known, warm=False)
    else:
        compiled = await compile_stored(conn)
    facts = Facts(
        event=body.event,
        message=MessageFacts(
            text=body.text,
            channel=body.channel,
            account_id=body.account_id,
            kind=body.kind,
            direction="in",
            sender_type="contact",
            attachment_types=tuple(body.attachment_types),
        ),
        contact=ContactFacts(
            id=0,
            display_name=body.contact.display_name,
            username=body.contact.username,
            language=body.contact.language,
            is_new=body.contact.is_new,
            labels=frozenset(body.contact.labels),
            subscribed=body.contact.subscribed,
        ),
        conversation=ConversationFacts(
            id=0,
            status=body.conversation.status,
            assignee_id=body.conversation.assignee_id,
            team_id=body.conversation.team_id,
            labels=frozenset(body.conversation.labels),
            priority=body.conversation.priority,
            is_new=body.conversation.is_new,
            reopened=body.conversation.reopened,
        ),
        now=body.at or utcnow(),
        calendar=await load_calendar(conn, body.account_id) if body.account_id else None,
    )
    evaluation = evaluate(compiled, facts, explain=True)
    stored = evaluation.to_json()
    return DryRun(
        would_do=[action_to_json(x) for x in evaluation.actions],
        actions=stored["actions"],
        trace=stored["trace"],
    )
