"""The outbox: every platform call the service makes, first written down, then delivered.

A row is written in the same transaction as what caused it (the agent's reply, the rule that
fired), so a crash can neither lose the send nor make it twice. ``idempotency_key`` is unique:
the same cause enqueued again (a redelivered webhook, a retried API call) finds its row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for its turn (or for a retry)
    LEASED = "leased"  # taken by a sender, waiting for its rate-limit slot: not called yet
    SENDING = "sending"  # the call is being made: written before the call, checked after a crash
    SENT = "sent"
    FAILED = "failed"


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "available_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    conversation_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=True)
    )
    message_id: int | None = Field(  # the outbound message agents see (for sends)
        default=None, sa_column=Column(Integer, ForeignKey("messages.id"), nullable=True)
    )
    action: str = Field(max_length=16)  # send | hide | unhide | delete | webhook
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=OutboxStatus.QUEUED.value, max_length=16)
    attempts: int = 0
    available_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    external_id: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
