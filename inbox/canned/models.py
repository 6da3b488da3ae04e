"""A canned reply: a short code (typed after ``/`` in the reply box) and its text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class CannedReply(SQLModel, table=True):
    __tablename__ = "canned_replies"

    id: int | None = Field(default=None, primary_key=True)
    # Stored case-folded: "/Hello" and "/hello" are the same code.
    short_code: str = Field(max_length=32, unique=True, index=True)
    title: str = Field(default="", max_length=200)
    text: str = Field(max_length=10_000)
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
