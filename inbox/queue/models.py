"""Tables of the queue: the embedded queue itself, and the dead letters of both backends."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class QueuedEventRow(SQLModel, table=True):
    """One received webhook event; also the embedded queue's item.

    Times are unix seconds (floats): the claim query compares them on every poll, and plain
    numbers keep that cheap and identical on both databases. Rows stay after processing (status
    ``done``) long enough to drop platform redeliveries at the door, then are purged.
    """

    __tablename__ = "queue_events"
    __table_args__ = (
        UniqueConstraint("account_id", "dedup_key", name="uq_queue_events_dedup"),
        Index("ix_queue_events_ready", "status", "available_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    account_id: int = Field(sa_column=Column(Integer, nullable=False))
    dedup_key: str = Field(sa_column=Column(String(128), nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: float = Field(sa_column=Column(Float, nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(8), nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    available_at: float = Field(sa_column=Column(Float, nullable=False))
    lease_owner: str | None = Field(default=None, sa_column=Column(String(128)))
    lease_until: float | None = Field(default=None, sa_column=Column(Float))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    processed_at: float | None = Field(default=None, sa_column=Column(Float))


class DeadEventRow(SQLModel, table=True):
    """An event that kept failing; an admin can read why and replay it."""

    __tablename__ = "dead_events"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    account_id: int = Field(sa_column=Column(Integer, nullable=False, index=True))
    dedup_key: str = Field(sa_column=Column(String(128), nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: float = Field(sa_column=Column(Float, nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    parked_at: float = Field(sa_column=Column(Float, nullable=False))
    source_id: str = Field(sa_column=Column(String(64), nullable=False))
