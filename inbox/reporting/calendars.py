"""Which business calendar measures a cycle: its team's, else its account's, else none.

Without a calendar every hour counts, so business-hours figures equal wall-clock ones.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.db import Conn
from inbox.teams.models import Team
from rules.calendar import BusinessCalendar

log = logging.getLogger("omnibox.reporting")

_accounts = Account.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]


def parse(raw: Any, what: str) -> BusinessCalendar | None:
    if not raw:
        return None
    try:
        return BusinessCalendar.from_dict(raw)
    except (ValueError, TypeError) as exc:
        log.error("%s has an invalid calendar, counting every hour: %s", what, exc)
        return None


async def calendar_for(conn: Conn, account_id: int, team_id: int | None) -> BusinessCalendar | None:
    if team_id is not None:
        raw = await conn.scalar(select(_teams.c.calendar).where(_teams.c.id == team_id))
        found = parse(raw, f"team {team_id}")
        if found is not None:
            return found
    options = await conn.scalar(select(_accounts.c.options).where(_accounts.c.id == account_id))
    return parse((options or {}).get("calendar"), f"account {account_id}")


def business_seconds(
    calendar: BusinessCalendar | None, start: datetime, end: datetime | None
) -> float | None:
    if end is None:
        return None
    if calendar is None:
        return max(0.0, (end - start).total_seconds())
    return calendar.business_seconds_between(start, end)
