"""Users, teams and canned replies, as the people and canned-reply routes answer them."""

from __future__ import annotations

from datetime import datetime

from api.schemas.common import ApiModel


class CannedOut(ApiModel):
    id: int
    short_code: str
    title: str
    text: str
    updated_at: datetime


class CannedList(ApiModel):
    items: list[CannedOut]


class UserDetailOut(ApiModel):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime


class TeamOut(ApiModel):
    id: int
    name: str
    member_ids: list[int]
