"""The three row sets reports read, and which time, agent and team each one is counted by.

- cycles by when they opened: first response (credited to the agent and team who gave it),
  first automated response, SLA first-response and resolution compliance;
- cycles by when they were resolved: resolution (credited to the assignee and team holding
  the cycle at the resolve, or, unassigned, to the agent who resolved it) and CSAT;
- customer turns by when they started: response time (credited to the replying agent and
  the team of that moment) and next-response compliance (turns after the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlalchemy.sql import FromClause

from inbox.conversations.models import ConversationLabel
from inbox.reporting.models import Cycle, ResponseTurn

cycles = Cycle.__table__  # type: ignore[attr-defined]
turns = ResponseTurn.__table__  # type: ignore[attr-defined]
labels = ConversationLabel.__table__  # type: ignore[attr-defined]


def flag(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return case((cond, literal(1)), else_=literal(0))


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    table: Any
    time: ColumnElement[Any]
    agent: ColumnElement[Any]
    team: ColumnElement[Any]
    stats: dict[str, ColumnElement[Any]]
    tallies: dict[str, ColumnElement[Any]]

    def source(self, with_labels: bool) -> FromClause:
        src: FromClause = self.table
        if with_labels:
            src = src.join(labels, labels.c.conversation_id == self.table.c.conversation_id)
        return src


def opened(now: datetime) -> Family:
    del now
    return Family(
        name="opened",
        table=cycles,
        time=cycles.c.opened_at,
        agent=cycles.c.first_response_agent_id,
        team=cycles.c.first_response_team_id,
        stats={
            "first_response": cycles.c.first_response_seconds,
            "first_response_business": cycles.c.first_response_bh_seconds,
            "first_automated_response": cycles.c.first_automated_seconds,
        },
        tallies={
            "sla_first_response_met": flag(cycles.c.first_response_breached.is_(False)),
            "sla_first_response_breached": flag(cycles.c.first_response_breached.is_(True)),
            "sla_resolution_met": flag(cycles.c.resolution_breached.is_(False)),
            "sla_resolution_breached": flag(cycles.c.resolution_breached.is_(True)),
        },
    )


def resolved(now: datetime) -> Family:
    del now
    score = cycles.c.csat_score
    return Family(
        name="resolved",
        table=cycles,
        time=cycles.c.resolved_at,
        # the assignee holding the cycle at the resolve; unassigned, the agent who resolved it
        agent=func.coalesce(cycles.c.agent_id, cycles.c.resolved_by_id),
        team=cycles.c.team_id,
        stats={
            "resolution": cycles.c.resolution_seconds,
            "resolution_business": cycles.c.resolution_bh_seconds,
            "csat": score,
        },
        tallies={f"csat_{n}": flag(score == n) for n in range(1, 6)},
    )


def turn_rows(now: datetime) -> Family:
    due, replied = turns.c.due_at, turns.c.replied_at
    later_turn = and_(turns.c.seq > 1, due.is_not(None))
    resolved_at = turns.c.cycle_resolved_at
    missed_open = and_(replied.is_(None), due < now, or_(resolved_at.is_(None), resolved_at > due))
    return Family(
        name="turns",
        table=turns,
        time=turns.c.started_at,
        agent=turns.c.agent_id,
        team=turns.c.team_id,
        stats={"response": turns.c.seconds, "response_business": turns.c.bh_seconds},
        tallies={
            "answered": flag(replied.is_not(None)),
            "sla_next_response_met": flag(and_(later_turn, replied.is_not(None), replied <= due)),
            "sla_next_response_breached": flag(
                and_(later_turn, or_(and_(replied.is_not(None), replied > due), missed_open))
            ),
        },
    )


FAMILIES = (opened, resolved, turn_rows)
