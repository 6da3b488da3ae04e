"""The key that signs API tokens: the configured ``SECRET_KEY``, or one made for this install.

No deployment may sign with a key anybody knows. When ``OMNIBOX_SECRET_KEY`` is unset, the
first process to start draws a random key and stores it in the database, beside the data it
protects; every later process (a restart, ``omnibox api`` beside ``omnibox worker``) reads the
same one, so sign-ins survive restarts. Two processes starting at once both try an
insert-or-ignore and then both read the row that won.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Column, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from inbox.db import insert_ignore, unit_of_work
from inbox.types import UTCDateTime, utcnow

SIGNING_KEY = "token_signing_key"


class ServiceSecret(SQLModel, table=True):
    """A secret the service made for itself (never one a person typed)."""

    __tablename__ = "service_secrets"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


_secrets = ServiceSecret.__table__  # type: ignore[attr-defined]


async def signing_key(engine: AsyncEngine, configured: str | None) -> str:
    """``configured`` when set; else this install's stored key, made on first use."""
    if configured:
        return configured
    async with unit_of_work(engine) as conn:
        await conn.execute(
            insert_ignore(conn.dialect.name, _secrets, ["name"]).values(
                name=SIGNING_KEY, value=secrets.token_urlsafe(48), created_at=utcnow()
            )
        )
        stored = await conn.scalar(select(_secrets.c.value).where(_secrets.c.name == SIGNING_KEY))
    assert isinstance(stored, str)
    return stored
