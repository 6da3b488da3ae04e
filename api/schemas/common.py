"""Pieces every response model shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A response body, read from the attributes of ``inbox``'s read models (frozen
    dataclasses). Times are written as pydantic writes them (``2026-01-02T03:04:05Z``)."""

    model_config = ConfigDict(from_attributes=True)
