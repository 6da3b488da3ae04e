"""The report bodies of ``/api/v1/reports``, for the documentation.

The routes write the report's own plain values with orjson (a large series is written in a
millisecond, where validating it through these models would cost tens); these models say what
that JSON is, and a test validates real answers against them, so the two cannot drift.
Durations are seconds; a share or a compliance is 0-1; null where nothing was measured.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Period(_Strict):
    from_: str = Field(alias="from", json_schema_extra={"format": "date-time"})
    to: str = Field(json_schema_extra={"format": "date-time"})
    tz: str


class Stats(_Strict):
    count: int
    mean: float | None
    median: float | None
    p90: float | None


class Csat(Stats):
    distribution: dict[str, int] = Field(description="answers per score, keys 1 to 5")
    satisfied_share: float | None = Field(description="the share of 4s and 5s")


class SlaFigure(_Strict):
    met: int
    breached: int
    compliance: float | None = Field(description="met ÷ (met + breached)")


class SlaFigures(_Strict):
    first_response: SlaFigure
    next_response: SlaFigure
    resolution: SlaFigure


class Metrics(_Strict):
    cycles: int
    resolved: int
    customer_turns: int
    answered_turns: int
    first_response: Stats
    first_response_business: Stats
    first_automated_response: Stats
    response: Stats
    response_business: Stats
    resolution: Stats
    resolution_business: Stats
    csat: Csat
    sla: SlaFigures


class GroupMetrics(_Strict):
    key: str | None
    name: str | None
    metrics: Metrics


class LiveCounts(_Strict):
    open: int
    unassigned: int
    waiting: int
    breached: int


class Summary(_Strict):
    period: Period
    group_by: str | None
    total: Metrics
    groups: list[GroupMetrics]
    live: LiveCounts


class Bucket(_Strict):
    start: str = Field(json_schema_extra={"format": "date"})
    metrics: Metrics


class Series(_Strict):
    key: str | None
    name: str | None
    buckets: list[Bucket]


class Timeseries(_Strict):
    period: Period
    interval: str
    group_by: str | None
    series: list[Series]
