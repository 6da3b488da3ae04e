"""An account's ``options``, as the admin routes that keep a setting there read and change them
(the CSAT survey, the newsletter keywords): one key changed, the others kept."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from inbox.accounts.models import Account

_accounts = Account.__table__  # type: ignore[attr-defined]


async def read_options(session: AsyncSession, account_id: int) -> dict[str, Any]:
    """A copy to change; 404 for an unknown account."""
    conn = await session.connection()
    row = (
        await conn.execute(select(_accounts.c.options).where(_accounts.c.id == account_id))
    ).first()
    if row is None:
        raise HTTPException(status_code=404, detail="no such account")
    return dict(row.options or {})


async def write_options(
    rt: Runtime, session: AsyncSession, account_id: int, options: dict[str, Any]
) -> None:
    """Stored in the request's transaction; the account cache reads the account again."""
    conn = await session.connection()
    await conn.execute(
        update(_accounts).where(_accounts.c.id == account_id).values(options=options)
    )
    rt.accounts.forget()
