"""Cycle rows, customer-turn rows and the status log they are derived from.

Durations are stored (seconds, wall clock and business hours) so reports aggregate indexed
rows instead of replaying messages. ``bh_pending`` marks rows whose business-hours figures
must be recomputed because a calendar changed; the worker recomputes them in batches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


def _ts(nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _seconds() -> Any:
    return Field(default=None, sa_column=Column(Float, nullable=True))


def _user_ref() -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


class StatusChange(SQLModel, table=True):
    """Every status an agent, a rule or the system set on a conversation, with when."""

    __tablename__ = "conversation_status_log"
    __table_args__ = (Index("ix_status_log_conversation", "conversation_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=False)
    )
    status: str = Field(max_length=16)
    at: datetime = _ts(nullable=False)
    actor_id: int | None = _user_ref()  # None: a rule or the system


class Cycle(SQLModel, table=True):
    """One cycle of a conversation: first customer message after new/resolved → resolved."""

    __tablename__ = "conversation_cycles"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_cycles_conversation_seq"),
        Index("ix_cycles_opened", "opened_at"),
        Index("ix_cycles_account_opened", "account_id", "opened_at"),
        Index("ix_cycles_resolved", "resolved_at"),
        Index("ix_cycles_first_response", "first_response_at"),
        Index("ix_cycles_bh_pending", "bh_pending"),
        # the SLA deadlines job's next deadline among open cycles
        Index("ix_cycles_open_first_due", "resolved_at", "first_response_due_at"),
        Index("ix_cycles_open_resolution_due", "resolved_at", "resolution_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=False)
    )
    seq: int  # 1, 2, … within the conversation
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    channel: str = Field(max_length=16)
    opened_at: datetime = _ts(nullable=False)  # the customer's first message (platform time)
    first_response_at: datetime | None = _ts()
    first_response_agent_id: int | None = _user_ref()
    first_response_team_id: int | None = Field(default=None, nullable=True)
    first_response_native: bool = False  # typed in the platform's own app (an echo)
    first_response_seconds: float | None = _seconds()
    first_response_bh_seconds: float | None = _seconds()
    first_automated_at: datetime | None = _ts()
    first_automated_seconds: float | None = _seconds()
    resolved_at: datetime | None = _ts()
    resolved_by_id: int | None = _user_ref()
    resolution_seconds: float | None = _seconds()
    resolution_bh_seconds: float | None = _seconds()
    # Who holds the cycle: the assignee and team when it was resolved (or now, while open).
    agent_id: int | None = _user_ref()
    team_id: int | None = Field(default=None, nullable=True)
    priority: str | None = Field(default=None, max_length=16)
    customer_turns: int = 0
    answered_turns: int = 0
    csat_requested_at: datetime | None = _ts()
    csat_score: int | None = None
    csat_at: datetime | None = _ts()
    sla_policy_id: int | None = Field(default=None, nullable=True)
    first_response_due_at: datetime | None = _ts()
    resolution_due_at: datetime | None = _ts()
    first_response_breached: bool | None = None  # None: no target, or not decided yet
    resolution_breached: bool | None = None
    bh_pending: bool = False
    updated_at: datetime = _ts(nullable=False)


class ResponseTurn(SQLModel, table=True):
    """A customer turn: the first unanswered customer message → the next human public reply."""

    __tablename__ = "response_turns"
    __table_args__ = (
        UniqueConstraint("cycle_id", "seq", name="uq_turns_cycle_seq"),
        Index("ix_turns_started", "started_at"),
        Index("ix_turns_open_due", "replied_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("conversation_cycles.id", ondelete="CASCADE"), nullable=False
        )
    )
    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=False)
    )
    seq: int  # 1, 2, … within the cycle
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    channel: str = Field(max_length=16)
    started_at: datetime = _ts(nullable=False)
    replied_at: datetime | None = _ts()
    agent_id: int | None = _user_ref()
    team_id: int | None = Field(default=None, nullable=True)
    native: bool = False
    automated_at: datetime | None = _ts()  # the first bot reply inside the turn, if any
    seconds: float | None = _seconds()
    bh_seconds: float | None = _seconds()
    due_at: datetime | None = _ts()  # next-response SLA deadline
    # The cycle's resolve, copied here so that reports read turn rows without joining cycles.
    cycle_resolved_at: datetime | None = _ts()
