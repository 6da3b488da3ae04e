"""The three row sets reports read, and which time, agent and team each one is counted by.

- cycles by when they opened: first response (credited to the agent and team who gave it),
  first automated response, SLA first-response and resolution compliance;
- cycles by when they were resolved: resolution (credited to the assignee and team holding
  the cycle at the resolve, or, unassigned, to the agent who resolved it) and CSAT;
- customer turns by when they started: response time (credited to the replying agent and
  the team of that moment) and next-response compliance (turns after the first).

Each family names the columns it loads (SQL, into a :class:`~inbox.reporting.frame.Frame`)
and derives its figures from them with numpy: the same code for a stored block and for raw
rows, on both backends. A turn's "missed" depends on the time of the report, so it is
derived at read time, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, func
from sqlalchemy.sql import FromClause

from inbox.conversations.models import ConversationLabel
from inbox.reporting.frame import Array, Frame
from inbox.reporting.models import Cycle, ResponseTurn

cycles = Cycle.__table__  # type: ignore[attr-defined]
turns = ResponseTurn.__table__  # type: ignore[attr-defined]
labels = ConversationLabel.__table__  # type: ignore[attr-defined]

Derived = tuple[dict[str, Array], dict[str, Array]]  # stats (float, NaN = none), tallies (bool)


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    table: Any
    time: ColumnElement[Any]
    agent: ColumnElement[Any]
    team: ColumnElement[Any]
    # the family's own columns, loaded beside the shared ones: name -> (SQL, frame kind)
    columns: dict[str, tuple[ColumnElement[Any], str]]
    derive: Callable[[Frame, float], Derived]  # (frame, now as epoch seconds)

    def source(self, with_labels: bool) -> FromClause:
        src: FromClause = self.table
        if with_labels:
            src = src.join(labels, labels.c.conversation_id == self.table.c.conversation_id)
        return src

    @property
    def loads(self) -> dict[str, tuple[ColumnElement[Any], str]]:
        """Every loaded column: the time, agent and team it is counted by, the row's channel,
        account and conversation, then its own."""
        return {
            "time": (self.time, "t"),
            "agent": (self.agent, "i"),
            "team": (self.team, "i"),
            "channel": (self.table.c.channel, "s"),
            "account": (self.table.c.account_id, "i"),
            "conversation": (self.table.c.conversation_id, "i"),
            **self.columns,
        }

    @property
    def kinds(self) -> dict[str, str]:
        return {name: kind for name, (_, kind) in self.loads.items()}


def _derive_opened(frame: Frame, now: float) -> Derived:
    del now
    c = frame.columns
    first, resolution = c["first_response_breached"], c["resolution_breached"]
    stats = {
        "first_response": c["first_response"],
        "first_response_business": c["first_response_business"],
        "first_automated_response": c["first_automated_response"],
    }
    tallies = {
        "sla_first_response_met": first == 0,
        "sla_first_response_breached": first == 1,
        "sla_resolution_met": resolution == 0,
        "sla_resolution_breached": resolution == 1,
    }
    return stats, tallies


def _derive_resolved(frame: Frame, now: float) -> Derived:
    del now
    c = frame.columns
    score = c["csat"]
    stats = {
        "resolution": c["resolution"],
        "resolution_business": c["resolution_business"],
        "csat": score,
    }
    return stats, {f"csat_{n}": score == n for n in range(1, 6)}


def _derive_turns(frame: Frame, now: float) -> Derived:
    c = frame.columns
    due, replied, resolved = c["due"], c["replied"], c["resolved"]
    has_due, answered = ~np.isnan(due), ~np.isnan(replied)
    later_turn = (c["seq"] > 1) & has_due
    with np.errstate(invalid="ignore"):  # NaN comparisons are False, as NULL ones are not true
        late = answered & (replied > due)
        missed_open = ~answered & (due < now) & (np.isnan(resolved) | (resolved > due))
        met = later_turn & answered & (replied <= due)
    stats = {"response": c["response"], "response_business": c["response_business"]}
    tallies = {
        "answered": answered,
        "sla_next_response_met": met,
        "sla_next_response_breached": later_turn & (late | missed_open),
    }
    return stats, tallies


OPENED = Family(
    name="opened",
    table=cycles,
    time=cycles.c.opened_at,
    agent=cycles.c.first_response_agent_id,
    team=cycles.c.first_response_team_id,
    columns={
        "first_response": (cycles.c.first_response_seconds, "f"),
        "first_response_business": (cycles.c.first_response_bh_seconds, "f"),
        "first_automated_response": (cycles.c.first_automated_seconds, "f"),
        "first_response_breached": (cycles.c.first_response_breached, "b"),
        "resolution_breached": (cycles.c.resolution_breached, "b"),
    },
    derive=_derive_opened,
)

# the assignee holding the cycle at the resolve; unassigned, the agent who resolved it
_resolver = func.coalesce(cycles.c.agent_id, cycles.c.resolved_by_id)
RESOLVED = Family(
    name="resolved",
    table=cycles,
    time=cycles.c.resolved_at,
    agent=_resolver,
    team=cycles.c.team_id,
    columns={
        "resolution": (cycles.c.resolution_seconds, "f"),
        "resolution_business": (cycles.c.resolution_bh_seconds, "f"),
        "csat": (cycles.c.csat_score, "f"),
    },
    derive=_derive_resolved,
)

TURNS = Family(
    name="turns",
    table=turns,
    time=turns.c.started_at,
    agent=turns.c.agent_id,
    team=turns.c.team_id,
    columns={
        "response": (turns.c.seconds, "f"),
        "response_business": (turns.c.bh_seconds, "f"),
        "seq": (turns.c.seq, "i"),
        "due": (turns.c.due_at, "t"),
        "replied": (turns.c.replied_at, "t"),
        "resolved": (turns.c.cycle_resolved_at, "t"),
    },
    derive=_derive_turns,
)

FAMILIES = (OPENED, RESOLVED, TURNS)
BY_NAME = {f.name: f for f in FAMILIES}
