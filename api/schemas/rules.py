"""Rules, their dry run and their traces, as ``/api/v1/rules`` answers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from api.schemas.common import ApiModel
from inbox.automation.store import StoredRule


class RuleOut(ApiModel):
    """A stored rule: ``id``, ``position`` and ``updated_at``, and beside them the rule's own
    fields as written (``name, mode, when, if, then, stop``; empty ones left out)."""

    model_config = ConfigDict(extra="allow")

    id: int
    position: int
    updated_at: datetime

    @classmethod
    def of(cls, rule: StoredRule) -> RuleOut:
        stored = {"id": rule.id, "position": rule.position, "updated_at": rule.updated_at}
        return cls(**stored, **rule.definition)


class DryRunOut(ApiModel):
    would_do: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    trace: list[dict[str, Any]]


class RuleTraceOut(ApiModel):
    event: str
    trace: list[dict[str, Any]] | None
    created_at: datetime
