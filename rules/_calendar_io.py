"""The plain (JSON/YAML) shape of a business calendar, with errors an admin can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NUMBERS = {name: i for names in (DAYS, _LONG) for i, name in enumerate(names)}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_KEYS = {"timezone", "weekly", "holidays"}


def parse_time(value: Any, where: str = "") -> time:
    """``"HH:MM"`` or ``"HH:MM:SS"``; ``"24:00"`` means midnight at the end of the day.

    An int is minutes after midnight: YAML 1.1 reads an unquoted ``22:00`` as 1320.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24 * 60:
        return time((value // 60) % 24, value % 60)
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match:
        h, m, s = int(match[1]), int(match[2]), int(match[3] or 0)
        if (h, m, s) == (24, 0, 0):
            return time(0, 0)
        if h < 24 and m < 60 and s < 60:
            return time(h, m, s)
    message = f"{value!r} is not a time like '09:00'"
    raise ValueError(f"{where}: {message}" if where else message)


def format_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def parse(
    data: Mapping[str, Any],
) -> tuple[str, dict[int, tuple[tuple[time, time], ...]], frozenset[date]]:
    if not isinstance(data, Mapping):
        raise ValueError("calendar must be a mapping with timezone, weekly and holidays")
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"calendar: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    tz = data.get("timezone")
    if not isinstance(tz, str) or not tz:
        raise ValueError("calendar.timezone must be an IANA name such as 'Europe/Moscow'")
    return tz, _parse_weekly(data.get("weekly") or {}), _parse_holidays(data.get("holidays"))


def _parse_weekly(raw: Any) -> dict[int, tuple[tuple[time, time], ...]]:
    if not isinstance(raw, Mapping):
        raise ValueError("calendar.weekly must map mon..sun to lists of [start, end]")
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, ranges in raw.items():
        day = DAY_NUMBERS.get(str(key).strip().lower())
        if day is None:
            raise ValueError(f"calendar.weekly: unknown day {key!r}; use {', '.join(DAYS)}")
        if not isinstance(ranges, list | tuple):
            raise ValueError(f"calendar.weekly.{key}: expected a list of [start, end]")
        pairs = []
        for i, pair in enumerate(ranges):
            where = f"calendar.weekly.{key}[{i}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{where}: expected [start, end], got {pair!r}")
            pairs.append((parse_time(pair[0], where), parse_time(pair[1], where)))
        weekly[day] = weekly.get(day, ()) + tuple(pairs)
    return weekly


def _parse_holidays(raw: Any) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list | tuple | set | frozenset):
        raise ValueError("calendar.holidays must be a list of dates like '2026-12-31'")
    days = set()
    for item in raw:
        if isinstance(item, date):  # YAML reads an unquoted 2026-12-31 as a date
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(str(item)))
        except ValueError:
            msg = f"calendar.holidays: {item!r} is not a date like '2026-12-31'"
            raise ValueError(msg) from None
    return frozenset(days)


def dump(
    timezone: str, weekly: Mapping[int, tuple[tuple[time, time], ...]], holidays: frozenset[date]
) -> dict[str, Any]:
    return {
        "timezone": timezone,
        "weekly": {
            DAYS[day]: [[format_time(s), format_time(e)] for s, e in ranges]
            for day, ranges in sorted(weekly.items())
        },
        "holidays": [d.isoformat() for d in sorted(holidays)],
    }
