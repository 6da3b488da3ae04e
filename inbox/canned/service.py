"""Canned replies: list and search for the reply box; admins write them.

A short code is what an agent types after ``/``: letters (any script), digits, ``_`` and ``-``,
stored NFC-normalised and case-folded, so ``/Привет`` and ``/привет`` are one code. The unique
index decides whether a code is taken, never a check-then-insert. Reads return
:class:`CannedRow`, a frozen dataclass (the read-model style of every ``inbox`` query).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from inbox.canned.models import CannedReply
from inbox.db import Conn
from inbox.errors import Conflict, Invalid
from inbox.types import utcnow

_canned = CannedReply.__table__  # type: ignore[attr-defined]

SHORT_CODE_MAX = 32
TITLE_MAX = 200
TEXT_MAX = 10_000
SEARCH_LIMIT = 50


class InvalidCanned(Invalid):
    pass


class CodeTaken(Conflict, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CannedBody:
    short_code: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class CannedRow:
    id: int
    short_code: str
    title: str
    text: str
    updated_at: datetime


def normalise_code(raw: str) -> str:
    code = unicodedata.normalize("NFC", raw.strip()).casefold()
    if not 1 <= len(code) <= SHORT_CODE_MAX:
        raise InvalidCanned(f"a short code is 1 to {SHORT_CODE_MAX} characters")
    if not all(unicodedata.category(ch)[0] in "LMN" or ch in "_-" for ch in code):
        raise InvalidCanned("a short code holds only letters, digits, '_' and '-'")
    return code


def _checked(body: CannedBody) -> dict[str, Any]:
    title = " ".join(body.title.split())
    if len(title) > TITLE_MAX:
        raise InvalidCanned(f"a title is at most {TITLE_MAX} characters")
    if not body.text.strip() or len(body.text) > TEXT_MAX:
        raise InvalidCanned(f"the text is 1 to {TEXT_MAX} characters")
    return {"short_code": normalise_code(body.short_code), "title": title, "text": body.text}


def _out(r: Any) -> CannedRow:
    return CannedRow(
        id=r.id, short_code=r.short_code, title=r.title, text=r.text, updated_at=r.updated_at
    )


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(conn: Conn, q: str | None) -> list[CannedRow]:
    """Codes starting with ``q`` first, then titles or texts containing it; by code."""
    c = _canned
    query = select(c)
    order: list[Any] = [c.c.short_code]
    needle = unicodedata.normalize("NFC", (q or "").strip())
    if needle:
        prefix = c.c.short_code.like(_like(needle.casefold()) + "%", escape="\\")
        contains = f"%{_like(needle)}%"
        query = query.where(
            or_(
                prefix,
                c.c.title.ilike(contains, escape="\\"),
                c.c.text.ilike(contains, escape="\\"),
            )
        )
        order.insert(0, case((prefix, 0), else_=1))
    rows = await conn.execute(query.order_by(*order).limit(SEARCH_LIMIT))
    return [_out(r) for r in rows]


async def get(conn: Conn, canned_id: int) -> CannedRow | None:
    row = (await conn.execute(select(_canned).where(_canned.c.id == canned_id))).first()
    return None if row is None else _out(row)


async def create(conn: Conn, body: CannedBody, created_by: int | None) -> CannedRow:
    values = _checked(body)
    now = utcnow()
    try:
        new_id = await conn.scalar(
            insert(_canned)
            .values(**values, created_by=created_by, created_at=now, updated_at=now)
            .returning(_canned.c.id)
        )
    except IntegrityError as exc:  # the unique index on short_code said no
        raise CodeTaken(f"the short code {values['short_code']!r} is taken") from exc
    found = await get(conn, new_id)
    assert found is not None
    return found


async def replace(conn: Conn, canned_id: int, body: CannedBody) -> CannedRow | None:
    values = _checked(body)
    try:
        result = await conn.execute(
            update(_canned).where(_canned.c.id == canned_id).values(**values, updated_at=utcnow())
        )
    except IntegrityError as exc:
        raise CodeTaken(f"the short code {values['short_code']!r} is taken") from exc
    return await get(conn, canned_id) if result.rowcount else None


async def remove(conn: Conn, canned_id: int) -> bool:
    result = await conn.execute(delete(_canned).where(_canned.c.id == canned_id))
    return bool(result.rowcount)
