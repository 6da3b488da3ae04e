"""SLA targets, the breaches found against them, and the no-reply timers that have fired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class SlaPolicy(SQLModel, table=True):
    """Targets in minutes for the cycles it applies to.

    A policy applies to an account, a team and/or a priority (None: any). The most specific
    policy matching a cycle wins (team over account over priority-only; see ``sla.pick``).
    """

    __tablename__ = "sla_policies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    account_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True),
    )
    team_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=True),
    )
    priority: str | None = Field(default=None, max_length=16)
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = False  # targets count business hours of the cycle's calendar
    enabled: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class SlaBreach(SQLModel, table=True):
    """One missed target: found by the SLA deadlines job within seconds of its deadline."""

    __tablename__ = "sla_breaches"
    __table_args__ = (
        UniqueConstraint("cycle_id", "metric", "turn_seq", name="uq_sla_breach"),
        Index("ix_sla_breaches_at", "breached_at"),
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
    policy_id: int | None = Field(default=None, nullable=True)
    metric: str = Field(max_length=24)  # first_response | next_response | resolution
    turn_seq: int = 0  # the customer turn for next_response; 0 otherwise
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    breached_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class NoReplyFiring(SQLModel, table=True):
    """A ``no_reply`` wait that ran out on a customer turn: its rules ran (at most once)."""

    __tablename__ = "no_reply_firings"
    __table_args__ = (
        UniqueConstraint("cycle_id", "turn_seq", "minutes", name="uq_no_reply_firing"),
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
    turn_seq: int
    minutes: int
    fired_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
