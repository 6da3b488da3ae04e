"""Teams of agents: where rules and admins route conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class Team(SQLModel, table=True):
    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    # Round-robin: the member who got the team's last conversation; the next one follows.
    last_assignee_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # Business hours of the team (rules.calendar format); None: the account's calendar applies.
    calendar: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_members"

    team_id: int = Field(
        sa_column=Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
