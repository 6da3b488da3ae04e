"""Create, read and end web sessions. The caller's transaction commits (services never do)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inbox.db import Conn
from inbox.sessions.models import WebSession
from inbox.types import utcnow
from inbox.users.models import User

_sessions = WebSession.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
# A session seen less than this long ago is not re-stamped: one write a minute, not a request.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Me:
    """The signed-in user as plain values: still readable after the request's transaction
    has rolled back (an error page renders the top bar from it)."""

    id: int
    email: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    session_id: str
    csrf_token: str
    me: Me


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(
    session: AsyncSession,
    user_id: int,
    *,
    ttl: timedelta,
    user_agent: str = "",
    ip: str = "",
) -> str:
    """A new session for ``user_id``; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id=token_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            user_agent=user_agent[:300],
            ip=ip[:64],
            created_at=now,
            last_seen_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def resolve(session: AsyncSession, token: str, *, idle: timedelta) -> SignedIn | None:
    """The active user behind a cookie token, or None (unknown, expired, idle, deactivated)."""
    if not token or len(token) > 200:
        return None
    sid = token_hash(token)
    row = (
        await session.execute(
            select(WebSession, User)
            .join(User, _users.c.id == _sessions.c.user_id)
            .where(_sessions.c.id == sid)
        )
    ).first()
    if row is None:
        return None
    web, user = row
    now = utcnow()
    if web.expires_at <= now or web.last_seen_at + idle <= now or not user.is_active:
        return None  # the row goes with the worker's purge of ended sessions
    if now - web.last_seen_at > _TOUCH_EVERY:
        await session.execute(
            update(_sessions).where(_sessions.c.id == sid).values(last_seen_at=now)
        )
    assert user.id is not None
    me = Me(id=user.id, email=user.email, name=user.name, role=user.role)
    return SignedIn(user=user, session_id=sid, csrf_token=web.csrf_token, me=me)


async def end(session: AsyncSession, token: str) -> None:
    await session.execute(delete(_sessions).where(_sessions.c.id == token_hash(token)))


async def end_all(session: AsyncSession, user_id: int) -> int:
    """Sign a user out everywhere (deactivation, password change, an admin's call)."""
    result = await session.execute(delete(_sessions).where(_sessions.c.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_ended(conn: Conn, *, idle: timedelta) -> int:
    """Delete sessions past their absolute or idle lifetime (the worker calls this now and
    then; a refused cookie is not deleted by the request that refused it, which rolls back)."""
    now = utcnow()
    result = await conn.execute(
        delete(_sessions).where(
            (_sessions.c.expires_at <= now) | (_sessions.c.last_seen_at <= now - idle)
        )
    )
    return int(result.rowcount or 0)
