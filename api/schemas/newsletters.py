"""Segments and campaigns, as ``/api/v1/segments`` and ``/api/v1/campaigns`` answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.schemas.common import ApiModel


class SegmentOut(ApiModel):
    id: int
    name: str
    account_id: int
    labels: list[str]
    language: str | None
    active_within_days: int | None
    created_at: datetime
    updated_at: datetime


class SegmentList(ApiModel):
    items: list[SegmentOut]


class AudienceMemberOut(ApiModel):
    contact_id: int
    display_name: str
    language: str | None


class AudiencePreviewOut(ApiModel):
    size: int
    sample: list[AudienceMemberOut]
    note: str | None


class ProgressOut(ApiModel):
    audience: int
    pending: int
    queued: int
    sent: int
    failed: int
    unsubscribed: int
    cancelled: int


class CampaignOut(ApiModel):
    id: int
    name: str
    account_id: int
    segment_id: int | None
    text: str
    image_url: str | None
    buttons: list[dict[str, Any]]
    tag: str
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    audience_size: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class CampaignDetailOut(CampaignOut):
    progress: ProgressOut


class CampaignList(ApiModel):
    items: list[CampaignOut]


class RecipientOut(ApiModel):
    id: int
    contact_id: int
    peer_id: str
    status: str
    error: str | None
    outbox_id: int | None
    updated_at: datetime


class RecipientPageOut(ApiModel):
    items: list[RecipientOut]
    next_cursor: int | None


class SellingShareOut(ApiModel):
    account_id: int
    days: int
    campaigns: int
    useful: int
    selling: int
    selling_share: float
    max_selling_share: float
    within_rule: bool
