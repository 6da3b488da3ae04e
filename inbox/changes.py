"""What a service changed, as small records, and the reactions that follow in the same
transaction.

A service in a lower room (a conversation's status, a queued reply, a delivery's outcome)
must not call the rooms above it (metrics, the CSAT survey, the rules, campaigns): it appends
what it changed to the :data:`Changes` list its caller hands in. Whoever owns the transaction
(the API request, the worker's event, the outbox's group commit, a maintenance job) then runs
:meth:`Reactions.run` on that list before committing; the one list of reactions is composed
at the top of ``inbox`` (:mod:`inbox.reactions`). A reaction may change things in turn
(resolving asks the CSAT survey, which queues a reply): its records are reacted to in the
next round, until a round adds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inbox.db import Conn
from inbox.events import Direction, InboundEvent


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    """A conversation as one statement read it: what the worker, the outbox and the
    reactions to their records need, typed. It lives here, below every room, because the
    records carry it; ``inbox.conversations.statements`` reads exactly these columns.
    Field order is column order (:meth:`of`)."""

    id: int
    account_id: int
    channel: str
    kind: str
    peer_id: str
    post_id: str | None
    contact_id: int
    status: str
    assignee_id: int | None
    team_id: int | None
    priority: str | None
    last_message_at: datetime
    last_customer_message_at: datetime | None

    @classmethod
    def of(cls, row: Sequence[Any]) -> ConversationSnapshot:
        """From a row of the conversation statements, which select exactly these fields in
        this order (they are built from the fields): taken by position, the cheapest way on
        the worker's path, where one is built per stored message."""
        return cls(*row)


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    """Status, assignee, team or priority set on a conversation (labels alone are not)."""

    conversation_id: int
    at: datetime
    status: str | None = None  # the status set, when the change set one
    actor_id: int | None = None  # the agent; None: a rule or the system


@dataclass(frozen=True, slots=True)
class MessageStored:
    """The worker stored a new message or button press (a customer's, or the brand's own
    typed in the platform's app). A survey answer is not one: it rates, it changes nothing."""

    conversation: ConversationSnapshot  # as read before this message
    message_id: int
    event: InboundEvent
    new_conversation: bool = False  # the customer's first message in this conversation
    reopened: bool = False  # the conversation was not open before it
    new_contact: bool = False

    @property
    def inbound(self) -> bool:
        return self.event.direction is Direction.IN


@dataclass(frozen=True, slots=True)
class ReplyQueued:
    """A reply written into a conversation, waiting in the outbox."""

    conversation: ConversationSnapshot  # the conversation the reply was queued in
    message_id: int


@dataclass(frozen=True, slots=True)
class DeliveryDone:
    """An outbox row finished for good: sent, or failed (``unreachable``: the person is
    gone, e.g. blocked the bot)."""

    account_id: int
    sent: bool
    conversation_id: int | None = None
    message_id: int | None = None  # the message it delivered (None: a campaign's, a webhook)
    contact_id: int | None = None
    campaign_recipient_id: int | None = None
    error: str | None = None
    unreachable: bool = False


@dataclass(frozen=True, slots=True)
class TeamDeleted:
    team_id: int


Change = ConversationChanged | MessageStored | ReplyQueued | DeliveryDone | TeamDeleted
Changes = list[Change]
# (conn, this round's changes, the list to append to: what the reaction changed in turn)
Reaction = Callable[[Conn, Sequence[Change], Changes], Awaitable[None]]

MAX_ROUNDS = 8


class ReactionsDidNotSettle(RuntimeError):
    """Reactions kept changing things round after round: a loop between them."""


class Reactions:
    """The reactions to run, in order, on every transaction's changes."""

    def __init__(self, *reactions: Reaction) -> None:
        self.reactions = reactions

    async def run(self, conn: Conn, changes: Changes) -> None:
        """React to ``changes`` in rounds: every reaction, in order, sees the whole round;
        what they append is the next round. Empties ``changes`` (a second call is free)."""
        done = rounds = 0
        while done < len(changes):
            if rounds == MAX_ROUNDS:
                raise ReactionsDidNotSettle(f"still changing after {rounds} rounds")
            rounds += 1
            batch, done = changes[done:], len(changes)
            for reaction in self.reactions:
                await reaction(conn, batch, changes)
        changes.clear()
