"""An account's business hours: weekly ranges in local wall time, overnight ranges, holidays.

Ranges are local wall-clock times in ``timezone``, so "09:00-18:00" stays 09:00-18:00 across
DST changes; ``business_seconds_between`` counts real elapsed seconds (a range that crosses a
DST change is an hour shorter or longer), which is what response-time metrics need, and always
agrees with ``is_open`` (see ``_calendar_time``).

A range whose end is not after its start is *overnight*: Fri 22:00-06:00 runs into Saturday,
and 18:00-00:00 runs to midnight. An overnight range belongs to the day it starts: a holiday
closes the ranges starting on it, while a range starting the evening before still runs until
its end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rules import _calendar_io
from rules._calendar_time import range_spans

Ranges = tuple[tuple[time, time], ...]
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str
    weekly: Mapping[int, Ranges]
    holidays: frozenset[date] = frozenset()
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown timezone {self.timezone!r}") from e
        weekly: dict[int, Ranges] = {}
        for day, ranges in self.weekly.items():
            if not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {day!r}")
            for pair in ranges:
                if len(pair) != 2 or not all(_is_naive_time(t) for t in pair):
                    raise ValueError(f"a range is (start, end) naive times, not {pair!r}")
            if ranges:
                weekly[day] = tuple(sorted((s, e) for s, e in ranges))
        object.__setattr__(self, "weekly", dict(sorted(weekly.items())))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_tz", tz)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from ``{"timezone", "weekly": {"mon": [["09:00", "18:00"]]}, "holidays"}``."""
        tz, weekly, holidays = _calendar_io.parse(data)
        return cls(timezone=tz, weekly=weekly, holidays=holidays)

    @property
    def zone(self) -> ZoneInfo:
        return self._tz

    def to_dict(self) -> dict[str, Any]:
        return _calendar_io.dump(self.timezone, self.weekly, self.holidays)

    def is_open(self, at: datetime) -> bool:
        local = _aware(at, "at").astimezone(self._tz)
        today, now = local.date(), local.time()
        if today not in self.holidays:
            for start, end in self.weekly.get(today.weekday(), ()):
                if start <= now and (now < end or end <= start):
                    return True
        yesterday = today - _DAY
        if yesterday not in self.holidays:
            for start, end in self.weekly.get(yesterday.weekday(), ()):
                if end <= start and now < end:
                    return True
        return False

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Open seconds in ``[start, end)``, walking local days (cost grows with days, not s)."""
        lo, hi = _aware(start, "start").timestamp(), _aware(end, "end").timestamp()
        if hi <= lo:
            return 0.0
        first = start.astimezone(self._tz).date() - _DAY  # its overnight range may reach start
        last = end.astimezone(self._tz).date()
        spans: list[tuple[float, float]] = []
        for day in _days(first, last):
            spans += [
                (max(a, lo), min(b, hi)) for a, b in self._spans(day) if min(b, hi) > max(a, lo)
            ]
        return _union_length(spans)

    def business_deadline(self, start: datetime, seconds: float) -> datetime | None:
        """The instant ``seconds`` of open time after ``start`` (an SLA deadline counted in
        business hours); None when the calendar has no open time in the next ~2 years."""
        lo = _aware(start, "start").timestamp()
        left = max(0.0, seconds)
        day = start.astimezone(self._tz).date() - _DAY
        reach = lo
        for _ in range(800):
            for a, b in sorted(self._spans(day)):
                a = max(a, reach)
                if b <= a:
                    continue
                if b - a >= left:
                    return datetime.fromtimestamp(a + left, start.tzinfo)
                left -= b - a
                reach = b
            day += _DAY
        return None

    def _spans(self, day: date) -> list[tuple[float, float]]:
        """The open spans of the ranges starting on local ``day`` (none on a holiday)."""
        if day in self.holidays:
            return []
        return [
            sp
            for s, e in self.weekly.get(day.weekday(), ())
            for sp in range_spans(day, s, e, self._tz)
        ]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _union_length(spans: list[tuple[float, float]]) -> float:
    """Total length of possibly overlapping spans (overlaps are counted once)."""
    total, reach = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total


def _is_naive_time(value: object) -> bool:
    return isinstance(value, time) and value.tzinfo is None


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value
