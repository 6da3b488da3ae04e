"""Typed reads from VK's JSON, so a bad field becomes ``AnomalousPayload``, never a crash.

VK payloads are plain JSON and the worker must only ever see our two exception types, so
every value the normaliser relies on goes through one of these checks. ``bool`` is refused
where an integer is expected: JSON ``true`` is not an id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from inbox.events import AnomalousPayload

EPOCH = datetime.fromtimestamp(0, UTC)


def _describe(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def _bad(where: str, key: str, expected: str, value: object) -> AnomalousPayload:
    return AnomalousPayload(f"{where}.{key}: expected {expected}, got {_describe(value)}")


def opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, key, "an integer", value)
    return value


def req_int(obj: Mapping[str, Any], key: str, where: str) -> int:
    value = opt_int(obj, key, where)
    if value is None:
        raise _bad(where, key, "an integer", value)
    return value


def opt_number(obj: Mapping[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(where, key, "a number", value)
    return float(value)


def opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _bad(where, key, "a string", value)


def req_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = opt_str(obj, key, where)
    if not value:
        raise _bad(where, key, "a non-empty string", value)
    return value


def opt_map(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = obj.get(key)
    if value is None or isinstance(value, Mapping):
        return value
    raise _bad(where, key, "an object", value)


def req_map(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = opt_map(obj, key, where)
    if value is None:
        raise _bad(where, key, "an object", value)
    return value


def opt_list(obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """An optional array; absent or null reads as empty."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(where, key, "an array", value)
    return value


def utc(seconds: float, where: str) -> datetime:
    """Unix seconds to an aware UTC datetime; absurd values are anomalies, not OverflowError."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise AnomalousPayload(f"{where}: timestamp {seconds!r} out of range") from exc


def req_date(obj: Mapping[str, Any], key: str, where: str) -> datetime:
    return utc(req_int(obj, key, where), f"{where}.{key}")
