"""Changes agents make to a conversation (status, assignee, team, priority, labels).

Checked here, not in the route, so the API and the rules engine's actions share one meaning
of "assign to a user who can take it". What follows a change (the status log and metric
cycles, the CSAT survey after a resolve) is not called from here: the change is appended to
the caller's ``changes`` as a :class:`~inbox.changes.ConversationChanged`, and the owner of the
transaction runs the reactions (:mod:`inbox.changes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from inbox.changes import Change as ChangeRecord
from inbox.changes import Changes, ConversationChanged, TeamDeleted
from inbox.conversations.models import (
    ContactLabel,
    Conversation,
    ConversationLabel,
    ConversationStatus,
)
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.errors import Invalid
from inbox.teams.models import Team
from inbox.types import utcnow
from inbox.users.models import User

_conversations = Conversation.__table__  # type: ignore[attr-defined]
_labels = ConversationLabel.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]
_contact_labels = ContactLabel.__table__  # type: ignore[attr-defined]

PRIORITIES = ("low", "medium", "high", "urgent")
UNSET = object()


class InvalidChange(Invalid):
    """The change names something that does not exist or cannot be used."""


@dataclass(frozen=True, slots=True)
class Change:
    status: str | None = None
    snoozed_until: datetime | None = None
    assignee_id: Any = UNSET  # an int, None to unassign, UNSET to leave alone
    team_id: Any = UNSET
    priority: Any = UNSET
    labels: list[str] | None = None  # the whole set
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    actor_id: int | None = None  # the agent making the change; None: a rule or the system


def normalise_label(label: str) -> str:
    cleaned = " ".join(label.split()).casefold()
    if not cleaned or len(cleaned) > 64:
        raise InvalidChange(f"a label is 1 to 64 characters, not {label!r}")
    return cleaned


async def apply_change(conn: Conn, conversation_id: int, change: Change, changes: Changes) -> None:
    values: dict[str, Any] = {}
    if change.status is not None:
        if change.status not in {s.value for s in ConversationStatus}:
            raise InvalidChange(f"unknown status {change.status!r}")
        values["status"] = change.status
        values["snoozed_until"] = (
            change.snoozed_until if change.status == ConversationStatus.SNOOZED else None
        )
    if change.assignee_id is not UNSET:
        if change.assignee_id is not None:
            active = await conn.scalar(
                select(_users.c.is_active).where(_users.c.id == change.assignee_id)
            )
            if not active:
                raise InvalidChange(f"no active user {change.assignee_id}")
        values["assignee_id"] = change.assignee_id
    if change.team_id is not UNSET:
        if change.team_id is not None and (
            await conn.scalar(select(_teams.c.id).where(_teams.c.id == change.team_id)) is None
        ):
            raise InvalidChange(f"no team {change.team_id}")
        values["team_id"] = change.team_id
    if change.priority is not UNSET:
        if change.priority is not None and change.priority not in PRIORITIES:
            raise InvalidChange(f"priority is one of {', '.join(PRIORITIES)}")
        values["priority"] = change.priority
    if values:
        values["updated_at"] = utcnow()
        await conn.execute(
            update(_conversations).where(_conversations.c.id == conversation_id).values(**values)
        )
        changes.append(
            ConversationChanged(
                conversation_id, values["updated_at"], change.status, change.actor_id
            )
        )
    await _apply_labels(conn, conversation_id, change)


async def _apply_labels(conn: Conn, conversation_id: int, change: Change) -> None:
    if change.labels is not None:
        await conn.execute(delete(_labels).where(_labels.c.conversation_id == conversation_id))
        await add_labels(conn, conversation_id, [normalise_label(x) for x in change.labels])
    if change.add_labels:
        await add_labels(conn, conversation_id, [normalise_label(x) for x in change.add_labels])
    if change.remove_labels:
        gone = [normalise_label(x) for x in change.remove_labels]
        await conn.execute(
            delete(_labels).where(
                _labels.c.conversation_id == conversation_id, _labels.c.label.in_(gone)
            )
        )


async def add_labels(conn: Conn, conversation_id: int, labels: list[str]) -> None:
    if labels:
        await conn.execute(
            insert_ignore(dialect_of(conn), _labels, ["conversation_id", "label"]),
            [{"conversation_id": conversation_id, "label": x} for x in dict.fromkeys(labels)],
        )


async def labels_of(conn: Conn, conversation_id: int) -> frozenset[str]:
    rows = await conn.execute(
        select(_labels.c.label).where(_labels.c.conversation_id == conversation_id)
    )
    return frozenset(r.label for r in rows)


async def contact_labels(conn: Conn, contact_id: int) -> frozenset[str]:
    """The labels on the person (what the rules see as ``contact.labels``)."""
    rows = await conn.execute(
        select(_contact_labels.c.label).where(_contact_labels.c.contact_id == contact_id)
    )
    return frozenset(r.label for r in rows)


async def forget_team(conn: Conn, batch: Sequence[ChangeRecord], _changes: Changes) -> None:
    """Reaction: a deleted team's conversations are left without a team."""
    gone = [c.team_id for c in batch if isinstance(c, TeamDeleted)]
    if gone:
        await conn.execute(
            update(_conversations).where(_conversations.c.team_id.in_(gone)).values(team_id=None)
        )
