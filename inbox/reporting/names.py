"""Display names for group keys: agents, teams and accounts by id; channels and labels as is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.db import Conn
from inbox.teams.models import Team
from inbox.users.models import User

_tables: dict[str, Any] = {
    "agent": (User.__table__, "name"),  # type: ignore[attr-defined]
    "team": (Team.__table__, "name"),  # type: ignore[attr-defined]
    "account": (Account.__table__, "name"),  # type: ignore[attr-defined]
}


async def names_for(conn: Conn, group: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if isinstance(k, int)]
    if group not in _tables or not ids:
        return {k: str(k) for k in keys if k is not None}
    table, column = _tables[group]
    stmt = select(table.c.id.label("id"), table.c[column].label("name")).where(table.c.id.in_(ids))
    return {r["id"]: str(r["name"]) for r in (await conn.execute(stmt)).mappings()}
