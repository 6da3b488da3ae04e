"""Stored report blocks (a family's rows of one UTC day, as columns) and the marks that say
a day changed since its block was built.

Database triggers on cycles, turns and conversation labels write the marks
(``block_triggers``), so no writer can forget one. A report reads a day's block only when the
day has no mark; otherwise it reads that day's rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Index, LargeBinary, String, event, text
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime


class ReportBlock(SQLModel, table=True):
    __tablename__ = "report_blocks"

    family: str = Field(sa_column=Column(String(16), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    rows: int = 0
    built_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ReportDirty(SQLModel, table=True):
    """One row per change (no unique key: concurrent writers never wait on each other)."""

    __tablename__ = "report_dirty"
    __table_args__ = (Index("ix_report_dirty_day", "family", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    family: str = Field(sa_column=Column(String(16), nullable=False))
    day: date = Field(sa_column=Column(Date, nullable=False))
    marked_at: datetime = Field(
        sa_column=Column(UTCDateTime(), nullable=False, server_default=text("CURRENT_TIMESTAMP"))
    )


def _install_triggers(target: Any, connection: Any, **kw: Any) -> None:
    """``metadata.create_all`` (tests, a fresh SQLite file) gets the triggers migrations make."""
    from inbox.reporting.block_triggers import statements

    made = {t.name for t in kw.get("tables") or target.sorted_tables}
    if ReportDirty.__tablename__ not in made:
        return
    for sql in statements(connection.dialect.name):
        connection.exec_driver_sql(sql)


event.listen(SQLModel.metadata, "after_create", _install_triggers)  # after every table exists
