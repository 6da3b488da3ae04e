"""What the demo creates before any message arrives: users, teams, the four demo accounts,
canned replies and the example rules. Each piece is created only if it is missing, so a run
that stopped half-way can be run again; an instance with real accounts is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.account_forms import ACCOUNT_IN
from demo import scenario
from demo.routing import MARK, is_demo
from inbox.accounts.models import Account
from inbox.accounts.service import create_account
from inbox.automation import store
from inbox.automation.runner import directory
from inbox.canned.models import CannedReply
from inbox.db import Conn
from inbox.teams.service import create_team, list_teams
from inbox.types import utcnow
from inbox.users.models import Role, User
from inbox.users.service import create_user

log = logging.getLogger("omnibox.demo")
# The README's example rule file: in a checkout beside the packages; else (a non-editable
# install) under the working directory.
RULES_FILES = (
    Path(__file__).resolve().parents[1] / "docs" / "rules.example.yaml",
    Path("docs") / "rules.example.yaml",
)
FILLED = "demo_filled"  # account option set once every conversation is in

_accounts = Account.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
_canned = CannedReply.__table__  # type: ignore[attr-defined]


class NotFresh(Exception):
    """The instance has real accounts: the demo would mix made-up people into a real inbox."""


@dataclass
class Setup:
    users: dict[str, int]  # email -> id
    new_users: list[str]  # emails created now (their password is the demo one)
    accounts: dict[str, int]  # channel -> account id
    started_at: datetime  # the first run's time: message times count back from it
    notes: list[str] = field(default_factory=list)


async def demo_accounts(conn: Conn) -> dict[str, Any]:
    """The demo accounts by channel; NotFresh if any account is not a demo account."""
    rows = (await conn.execute(select(_accounts))).all()
    real = [r for r in rows if not is_demo(r.options)]
    if real:
        names = ", ".join(f"{r.channel} '{r.name}'" for r in real[:3])
        raise NotFresh(
            f"this instance already has real accounts ({names}); omnibox demo fills a fresh "
            "instance: point OMNIBOX_DATABASE_URL at a new database (e.g. "
            "sqlite+aiosqlite:///./demo.db) and run it there"
        )
    return {r.channel: r for r in rows}


def is_filled(accounts: dict[str, Any]) -> bool:
    return set(accounts) == set(scenario.ACCOUNTS) and all(
        (r.options or {}).get(FILLED) for r in accounts.values()
    )


async def create_missing(session: AsyncSession) -> Setup:
    """Everything but the conversations, in the caller's transaction."""
    conn = await session.connection()
    users, new_users = await _users_of(session)
    await _teams(conn, users)
    accounts = await _accounts_of(session, await demo_accounts(conn))
    await _canned_replies(conn, users["admin@example.com"])
    notes = await _rules(conn)
    started = min(r.created_at for r in (await conn.execute(select(_accounts.c.created_at))).all())
    return Setup(users, new_users, accounts, started, notes)


async def mark_filled(conn: Conn, account_ids: dict[str, int]) -> None:
    for account_id in account_ids.values():
        options = await conn.scalar(select(_accounts.c.options).where(_accounts.c.id == account_id))
        await conn.execute(
            _accounts.update()
            .where(_accounts.c.id == account_id)
            .values(options={**(options or {}), FILLED: True})
        )


async def _users_of(session: AsyncSession) -> tuple[dict[str, int], list[str]]:
    ids: dict[str, int] = {}
    created: list[str] = []
    for u in scenario.USERS:
        found = await session.scalar(select(_users.c.id).where(_users.c.email == u.email))
        if found is None:
            user = await create_user(
                session, email=u.email, password=scenario.PASSWORD, role=Role(u.role), name=u.name
            )
            assert user.id is not None
            found = user.id
            created.append(u.email)
        ids[u.email] = int(found)
    return ids, created


async def _teams(conn: Conn, users: dict[str, int]) -> None:
    existing = {t.name.casefold() for t in await list_teams(conn)}
    for name, emails in scenario.TEAMS.items():
        if name.casefold() not in existing:
            await create_team(conn, name, [users[e] for e in emails])


async def _accounts_of(session: AsyncSession, existing: dict[str, Any]) -> dict[str, int]:
    ids = {channel: int(r.id) for channel, r in existing.items()}
    for channel, body in scenario.ACCOUNTS.items():
        if channel in ids:
            continue
        account = await create_account(session, ACCOUNT_IN.validate_python(body))
        options: dict[str, Any] = {**(account.options or {}), MARK: True}
        if channel == "instagram":
            today = datetime.now(ZoneInfo("Asia/Seoul")).date().isoformat()
            options["calendar"] = {**scenario.SEOUL_HOURS, "holidays": [today]}
        account.options = options
        session.add(account)
        await session.flush()
        assert account.id is not None
        ids[channel] = account.id
    return ids


async def _canned_replies(conn: Conn, author: int) -> None:
    have = set((await conn.execute(select(_canned.c.short_code))).scalars())
    now = utcnow()
    rows = [
        {
            "short_code": code,
            "title": title,
            "text": text,
            "created_by": author,
            "created_at": now,
            "updated_at": now,
        }
        for code, title, text in scenario.CANNED
        if code not in have
    ]
    if rows:
        await conn.execute(_canned.insert(), rows)


async def _rules(conn: Conn) -> list[str]:
    """The README's example rules, unless the instance already has rules of its own."""
    from rules.compile import validate
    from rules.schema import load_yaml

    if await store.definitions(conn):
        return []
    found = next((path for path in RULES_FILES if path.is_file()), None)
    if found is None:
        return [f"no rules imported: {RULES_FILES[0].name} is not here (not a checkout)"]
    text = found.read_text(encoding="utf-8")
    rules = validate([r.to_dict() for r in load_yaml(text)], await directory(conn))
    await store.replace_all(conn, [r.to_dict() for r in rules])
    return []
