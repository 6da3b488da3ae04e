"""Rules as stored, and the trace every evaluation leaves.

A rule's ``definition`` is the document ``rules.schema.Rule`` validates (YAML or JSON); the
table adds its place in the order. ``rules_revision`` in ``RuleSetState`` grows at every
change so each worker recompiles exactly when it must.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class RuleRow(SQLModel, table=True):
    __tablename__ = "rules"

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(index=True)
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class RuleSetState(SQLModel, table=True):
    """One row: the revision of the rule set (bumped in the transaction of every change)."""

    __tablename__ = "rule_set_state"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0


class RuleTrace(SQLModel, table=True):
    __tablename__ = "rule_traces"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(Integer, ForeignKey("messages.id"), nullable=False, index=True)
    )
    conversation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=False)
    )
    event: str = Field(max_length=32)
    trace: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
