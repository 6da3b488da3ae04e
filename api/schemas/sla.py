"""SLA policies and business calendars, as their admin routes answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.schemas.common import ApiModel


class PolicyOut(ApiModel):
    id: int
    name: str
    account_id: int | None
    team_id: int | None
    priority: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    enabled: bool
    created_at: datetime


Calendar = dict[str, Any]
"""``timezone``, ``weekly`` (``{mon: [[start, end]], ...}``), ``holidays``."""


class TeamCalendarOut(ApiModel):
    team_id: int
    calendar: Calendar | None


class TeamCalendarSet(TeamCalendarOut):
    """``cycles_to_recompute``: how many cycles the change marked for re-measuring."""

    cycles_to_recompute: int


class AccountCalendarOut(ApiModel):
    account_id: int
    calendar: Calendar | None


class AccountCalendarSet(AccountCalendarOut):
    cycles_to_recompute: int
