"""Teams and their members. (Assignment by round-robin or by fewest open conversations reads
the conversations: :mod:`inbox.conversations.assignment`.)

Reads return :class:`TeamRow`, a frozen dataclass (the read-model style of every ``inbox``
query).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from inbox.changes import Changes, TeamDeleted
from inbox.db import Conn
from inbox.errors import Conflict
from inbox.teams.models import Team, TeamMember
from inbox.users.models import User

_teams = Team.__table__  # type: ignore[attr-defined]
_members = TeamMember.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]


class TeamError(Conflict, ValueError):
    """A team change that cannot be made (name taken, unknown user); the message says why."""


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: int
    name: str
    member_ids: tuple[int, ...]


async def list_teams(conn: Conn) -> list[TeamRow]:
    teams = (await conn.execute(select(_teams).order_by(_teams.c.name))).all()
    members = (await conn.execute(select(_members).order_by(_members.c.user_id))).all()
    by_team: dict[int, list[int]] = {}
    for m in members:
        by_team.setdefault(m.team_id, []).append(m.user_id)
    return [TeamRow(t.id, t.name, tuple(by_team.get(t.id, ()))) for t in teams]


async def get_team(conn: Conn, team_id: int) -> TeamRow | None:
    return next((t for t in await list_teams(conn) if t.id == team_id), None)


async def _name_taken(conn: Conn, name: str, other_than: int | None = None) -> bool:
    """Case-insensitively in any script (SQLite's lower() knows only ASCII); teams are few."""
    rows = await conn.execute(select(_teams.c.id, _teams.c.name))
    return any(r.name.casefold() == name.casefold() and r.id != other_than for r in rows)


async def create_team(conn: Conn, name: str, member_ids: list[int]) -> int:
    name = name.strip()
    if await _name_taken(conn, name):
        raise TeamError(f"a team named {name!r} exists")
    row = (await conn.execute(_teams.insert().returning(_teams.c.id), [{"name": name}])).one()
    await set_members(conn, int(row.id), member_ids)
    return int(row.id)


async def rename_team(conn: Conn, team_id: int, name: str) -> None:
    name = name.strip()
    if await _name_taken(conn, name, other_than=team_id):
        raise TeamError(f"a team named {name!r} exists")
    await conn.execute(update(_teams).where(_teams.c.id == team_id).values(name=name))


async def set_members(conn: Conn, team_id: int, user_ids: list[int]) -> None:
    wanted = sorted(set(user_ids))
    if wanted:
        known = set(
            (await conn.execute(select(_users.c.id).where(_users.c.id.in_(wanted)))).scalars()
        )
        missing = [u for u in wanted if u not in known]
        if missing:
            raise TeamError(f"no user with id {', '.join(map(str, missing))}")
    await conn.execute(delete(_members).where(_members.c.team_id == team_id))
    if wanted:
        await conn.execute(_members.insert(), [{"team_id": team_id, "user_id": u} for u in wanted])


async def delete_team(conn: Conn, team_id: int, changes: Changes) -> None:
    """Its conversations lose the team by reaction (``conversations.service.forget_team``)."""
    await conn.execute(delete(_members).where(_members.c.team_id == team_id))
    await conn.execute(delete(_teams).where(_teams.c.id == team_id))
    changes.append(TeamDeleted(team_id))
