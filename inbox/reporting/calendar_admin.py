"""Setting a team's or an account's business calendar, and marking the history it re-measures.

The calendar is checked (``rules.calendar.BusinessCalendar.from_dict``) and stored in its
normal form. In the same transaction the cycles it measures are marked ``bh_pending``: all of
the account's for an account calendar, those held by the team for a team calendar. The
worker then recomputes their business-hours figures (:mod:`inbox.reporting.recompute`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from inbox.accounts.models import Account
from inbox.db import Conn
from inbox.errors import Invalid
from inbox.reporting.models import Cycle
from inbox.teams.models import Team
from rules.calendar import BusinessCalendar

_accounts = Account.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]


class CalendarError(Invalid):
    """A calendar that does not parse; the message names the field."""


def normalise(raw: Any) -> dict[str, Any] | None:
    """The calendar in its stored form; None (no calendar) for None or an empty mapping."""
    if raw is None or raw == {}:
        return None
    try:
        return BusinessCalendar.from_dict(raw).to_dict()
    except (ValueError, TypeError) as exc:
        raise CalendarError(f"invalid calendar: {exc}") from exc


async def team_calendar(conn: Conn, team_id: int) -> tuple[bool, dict[str, Any] | None]:
    """(whether the team exists, its calendar)."""
    row = (await conn.execute(select(_teams.c.calendar).where(_teams.c.id == team_id))).first()
    return (row is not None, None if row is None else row.calendar)


async def account_calendar(conn: Conn, account_id: int) -> tuple[bool, dict[str, Any] | None]:
    row = (
        await conn.execute(select(_accounts.c.options).where(_accounts.c.id == account_id))
    ).first()
    return (row is not None, None if row is None else (row.options or {}).get("calendar"))


async def set_team_calendar(conn: Conn, team_id: int, calendar: dict[str, Any] | None) -> int:
    """Store (None: clear) the team's calendar; returns how many cycles were marked."""
    await conn.execute(update(_teams).where(_teams.c.id == team_id).values(calendar=calendar))
    return await _mark(conn, _cycles.c.team_id == team_id)


async def set_account_calendar(conn: Conn, account_id: int, calendar: dict[str, Any] | None) -> int:
    options = await conn.scalar(select(_accounts.c.options).where(_accounts.c.id == account_id))
    changed = {k: v for k, v in (options or {}).items() if k != "calendar"}
    if calendar is not None:
        changed["calendar"] = calendar
    await conn.execute(
        update(_accounts).where(_accounts.c.id == account_id).values(options=changed)
    )
    return await _mark(conn, _cycles.c.account_id == account_id)


async def _mark(conn: Conn, which: Any) -> int:
    result = await conn.execute(update(_cycles).where(which).values(bh_pending=True))
    return int(result.rowcount or 0)
