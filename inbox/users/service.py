"""Creating users and checking their credentials."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from inbox.errors import Conflict, Invalid
from inbox.users.models import Role, User
from inbox.users.security import hash_password, verify_password

_users = User.__table__  # type: ignore[attr-defined]


class UserExists(Conflict):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    session: AsyncSession, *, email: str, password: str, role: Role, name: str = ""
) -> User:
    if len(password) < 8:
        raise Invalid("password must be at least 8 characters")
    email = normalise_email(email)
    if "@" not in email:
        raise Invalid(f"not an email address: {email!r}")
    if await session.scalar(select(_users.c.id).where(_users.c.email == email)) is not None:
        raise UserExists(f"a user with email {email} exists")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role.value)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise UserExists(f"a user with email {email} exists") from exc
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.scalars(select(User).order_by(_users.c.id))).all())


async def update_user(
    session: AsyncSession,
    user: User,
    *,
    name: str | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
    password: str | None = None,
) -> User:
    if name is not None:
        user.name = name
    if role is not None:
        user.role = role.value
    if is_active is not None:
        user.is_active = is_active
    if password is not None:
        if len(password) < 8:
            raise Invalid("password must be at least 8 characters")
        user.password_hash = hash_password(password)
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email))
    )
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.is_active else None
