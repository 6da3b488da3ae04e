"""Typed reads from untrusted JSON that fail as :class:`AnomalousPayload`, never KeyError.

Every normaliser goes through these, so a missing or ill-typed field anywhere surfaces as
the one exception the pipeline expects, with a path that says what was missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from inbox.events import AnomalousPayload

_MS_THRESHOLD = 10**11  # epoch seconds stay below this until the year 5138


def obj(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise AnomalousPayload(f"{where}.{key}: expected an object")
    return value


def opt_obj(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AnomalousPayload(f"{where}.{key}: expected an object")
    return value


def objects(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    """A list of objects; absent means empty."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise AnomalousPayload(f"{where}.{key}: expected a list of objects")
    return value


def ident(data: Mapping[str, Any], key: str, where: str) -> str:
    """A Meta id: a non-empty string (a bare integer is tolerated and turned into text)."""
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    raise AnomalousPayload(f"{where}.{key}: expected an id")


def opt_ident(data: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if data.get(key) in (None, "") else ident(data, key, where)


def string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    raise AnomalousPayload(f"{where}.{key}: expected non-empty text")


def opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise AnomalousPayload(f"{where}.{key}: expected text")


def integer(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise AnomalousPayload(f"{where}.{key}: expected an integer")


def from_epoch_ms(ms: int, where: str) -> datetime:
    """Messenger ``timestamp``: epoch milliseconds, kept exact (no float rounding)."""
    seconds, millis = divmod(ms, 1000)
    return from_epoch_s(seconds, where) + timedelta(milliseconds=millis)


def from_epoch_s(seconds: int, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise AnomalousPayload(f"{where}: timestamp {seconds} out of range") from exc


def from_epoch_guess(value: int, where: str) -> datetime:
    """Graph ``time`` is seconds by contract, but Instagram has sent ms: tell them apart."""
    if value > _MS_THRESHOLD:
        return from_epoch_ms(value, where)
    return from_epoch_s(value, where)
