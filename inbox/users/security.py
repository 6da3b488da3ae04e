"""Password hashing (argon2id) and bearer tokens (HS256 JWT signed with SECRET_KEY)."""

from __future__ import annotations

from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from inbox.types import utcnow

_hasher = PasswordHasher()  # argon2id, library defaults (above the OWASP minimum)
# Checked against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("omnibox-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def create_token(user_id: int, secret_key: str, ttl_minutes: int) -> str:
    now = utcnow()
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=ttl_minutes)}
    return jwt.encode(claims, secret_key, algorithm="HS256")


def read_token(token: str, secret_key: str) -> int | None:
    """The user id in a valid, unexpired token; None otherwise."""
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], options={"require": ["exp"]})
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
