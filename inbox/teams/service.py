"""Teams and their members; assignment by round-robin or by fewest open conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from inbox.conversations.models import Conversation, ConversationStatus
from inbox.db import Conn
from inbox.teams.models import Team, TeamMember
from inbox.users.models import User

_teams = Team.__table__  # type: ignore[attr-defined]
_members = TeamMember.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]


class TeamError(ValueError):
    """A team change that cannot be made (name taken, unknown user); the message says why."""


async def list_teams(conn: Conn) -> list[dict[str, Any]]:
    teams = (await conn.execute(select(_teams).order_by(_teams.c.name))).all()
    members = (await conn.execute(select(_members).order_by(_members.c.user_id))).all()
    by_team: dict[int, list[int]] = {}
    for m in members:
        by_team.setdefault(m.team_id, []).append(m.user_id)
    return [{"id": t.id, "name": t.name, "member_ids": by_team.get(t.id, [])} for t in teams]


async def get_team(conn: Conn, team_id: int) -> dict[str, Any] | None:
    return next((t for t in await list_teams(conn) if t["id"] == team_id), None)


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


async def delete_team(conn: Conn, team_id: int) -> None:
    await conn.execute(
        update(_conversations).where(_conversations.c.team_id == team_id).values(team_id=None)
    )
    await conn.execute(delete(_members).where(_members.c.team_id == team_id))
    await conn.execute(delete(_teams).where(_teams.c.id == team_id))


async def _active_members(conn: Conn, team_id: int) -> list[int]:
    rows = await conn.execute(
        select(_members.c.user_id)
        .join(_users, _users.c.id == _members.c.user_id)
        .where(_members.c.team_id == team_id, _users.c.is_active.is_(True))
        .order_by(_members.c.user_id)
    )
    return [int(r.user_id) for r in rows]


async def pick_assignee(conn: Conn, team_id: int, strategy: str) -> int | None:
    """The member to give the team's next conversation, or None for a team with no one.

    ``round_robin`` follows the member who got the last one; ``least_open`` takes whoever
    has the fewest open conversations (ties by id, so the choice is stable).
    """
    members = await _active_members(conn, team_id)
    if not members:
        return None
    if strategy == "least_open":
        rows = await conn.execute(
            select(_conversations.c.assignee_id, func.count().label("n"))
            .where(
                _conversations.c.assignee_id.in_(members),
                _conversations.c.status == ConversationStatus.OPEN.value,
            )
            .group_by(_conversations.c.assignee_id)
        )
        counts: dict[int, int] = {int(r.assignee_id): int(r.n) for r in rows}
        return min(members, key=lambda u: (counts.get(u, 0), u))
    last = await conn.scalar(select(_teams.c.last_assignee_id).where(_teams.c.id == team_id))
    later = [u for u in members if last is not None and u > last]
    chosen = later[0] if later else members[0]
    await conn.execute(update(_teams).where(_teams.c.id == team_id).values(last_assignee_id=chosen))
    return chosen
