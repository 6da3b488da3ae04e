"""Who gets a team's next conversation: round-robin, or the member with the fewest open ones.

Here rather than in ``teams``: the choice reads the conversations' workload, and the people
rooms sit below the conversations.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from inbox.conversations.models import Conversation, ConversationStatus
from inbox.db import Conn
from inbox.teams.models import Team, TeamMember
from inbox.users.models import User

_teams = Team.__table__  # type: ignore[attr-defined]
_members = TeamMember.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
_conversations = Conversation.__table__  # type: ignore[attr-defined]


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
