"""The response and resolution metrics as one pure replay over a conversation's timeline.

- A cycle opens with the first customer message after the conversation was new or resolved,
  and closes when it is resolved; a customer message after that opens the next cycle.
- First response: the cycle's first customer message → the first public reply by a human.
  Bot and rule replies are *first automated response*, never human.
- Response time: each customer turn (the first customer message not yet answered) → the
  next public human reply. A turn still open when the cycle is resolved stays unanswered.
- Resolution: cycle open → resolved.
- The agent who replied, and the team at that moment, are credited; replies typed in the
  platform's own app (echoes) count, credited to no agent (``native``).

Items at the same instant are ordered customer, automated, human, resolved: platforms stamp
customer messages to the second, and a reply or a resolve is never before what it answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum


class ItemKind(IntEnum):
    CUSTOMER = 0
    AUTOMATED = 1
    HUMAN = 2
    RESOLVED = 3


@dataclass(frozen=True, slots=True)
class Item:
    at: datetime
    kind: ItemKind
    order: int = 0  # tie-break within a kind at the same instant (row id)
    agent_id: int | None = None  # HUMAN: who replied; RESOLVED: who resolved
    team_id: int | None = None  # HUMAN: the conversation's team when the reply was made
    native: bool = False  # HUMAN: typed in the platform's app, not in omnibox


@dataclass(slots=True)
class Turn:
    seq: int
    started_at: datetime
    replied_at: datetime | None = None
    agent_id: int | None = None
    team_id: int | None = None
    native: bool = False
    automated_at: datetime | None = None


@dataclass(slots=True)
class CycleFacts:
    seq: int
    opened_at: datetime
    first_response_at: datetime | None = None
    first_response_agent_id: int | None = None
    first_response_team_id: int | None = None
    first_response_native: bool = False
    first_automated_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by_id: int | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def open_turn(self) -> Turn | None:
        if self.turns and self.turns[-1].replied_at is None and self.resolved_at is None:
            return self.turns[-1]
        return None


def replay(items: Iterable[Item], first_seq: int = 1) -> list[CycleFacts]:
    """The cycles ``items`` make, numbered from ``first_seq``; ``items`` in any order."""
    cycles: list[CycleFacts] = []
    current: CycleFacts | None = None
    for item in sorted(items, key=lambda i: (i.at, i.kind, i.order)):
        if item.kind is ItemKind.CUSTOMER:
            if current is None:
                current = CycleFacts(seq=first_seq + len(cycles), opened_at=item.at)
                cycles.append(current)
            last = current.turns[-1] if current.turns else None
            if last is None or last.replied_at is not None:
                current.turns.append(Turn(seq=len(current.turns) + 1, started_at=item.at))
        elif current is None:
            continue  # a reply or a resolve outside any cycle (agent-initiated): not measured
        elif item.kind is ItemKind.AUTOMATED:
            if current.first_automated_at is None:
                current.first_automated_at = item.at
            turn = current.open_turn
            if turn is not None and turn.automated_at is None:
                turn.automated_at = item.at
        elif item.kind is ItemKind.HUMAN:
            _human_reply(current, item)
        else:  # RESOLVED
            current.resolved_at, current.resolved_by_id = item.at, item.agent_id
            current = None
    return cycles


def _human_reply(cycle: CycleFacts, item: Item) -> None:
    if cycle.first_response_at is None:
        cycle.first_response_at = item.at
        cycle.first_response_agent_id = item.agent_id
        cycle.first_response_team_id = item.team_id
        cycle.first_response_native = item.native
    turn = cycle.open_turn
    if turn is not None:
        turn.replied_at = item.at
        turn.agent_id, turn.team_id, turn.native = item.agent_id, item.team_id, item.native
