"""``POST /api/v1/auth/token``: email + password for a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import CurrentUser, RuntimeDep, SessionDep
from inbox.users.security import create_token
from inbox.users.service import authenticate

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the scheme name, not a secret


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str


@router.post("/auth/token")
async def issue_token(data: TokenIn, rt: RuntimeDep, session: SessionDep) -> TokenOut:
    user = await authenticate(session, data.email, data.password)
    if user is None or user.id is None:
        raise HTTPException(status_code=401, detail="wrong email or password")
    ttl = rt.settings.token_ttl_minutes
    return TokenOut(access_token=create_token(user.id, await rt.signing_key(), ttl))


@router.get("/users/me")
async def me(user: CurrentUser) -> UserOut:
    assert user.id is not None
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role)
