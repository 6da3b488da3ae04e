"""One weekly range on one local day, as real instants: exact across DST gaps and folds.

Ranges are wall-clock times, so "open" means "the local wall time is inside the range", the
test ``is_open`` makes. Counting seconds must agree with it. Almost always the range maps to
one interval between two instants. On a DST day the wall clock jumps: a boundary inside a
spring gap never happens (the range starts or ends at the jump), and a boundary inside an
autumn fold happens twice. Those days are cut at every candidate instant (each boundary's two
readings and the transition itself) and each piece is tested at its midpoint.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


def range_spans(day: date, start: time, end: time, tz: ZoneInfo) -> list[tuple[float, float]]:
    """POSIX-second spans when wall time is in the range starting ``day`` at ``start``."""
    end_day = day if start < end else day + DAY
    s = datetime.combine(day, start, tzinfo=tz)
    e = datetime.combine(end_day, end, tzinfo=tz)
    offset = s.utcoffset()
    if (
        offset == e.utcoffset()
        and s.replace(fold=1).utcoffset() == offset
        and e.replace(fold=1).utcoffset() == e.utcoffset()
    ):
        return [(s.timestamp(), e.timestamp())]  # no DST change anywhere near
    points = {s.timestamp(), s.replace(fold=1).timestamp()}
    points |= {e.timestamp(), e.replace(fold=1).timestamp()}
    points |= _transitions(min(points), max(points), tz)
    wall_start, wall_end = s.replace(tzinfo=None), e.replace(tzinfo=None)
    spans = []
    for a, b in pairwise(sorted(points)):
        wall = datetime.fromtimestamp((a + b) / 2, tz).replace(tzinfo=None)
        if wall_start <= wall < wall_end:
            spans.append((a, b))
    return spans


def _transitions(lo: float, hi: float, tz: ZoneInfo) -> set[float]:
    """The instant the UTC offset changes in ``[lo, hi]``, if it does (found by bisection)."""
    first, last = _offset(lo, tz), _offset(hi, tz)
    if first == last:
        return set()
    a, b = int(lo), int(hi) + 1  # offset(a) == first, offset(b) == last
    while b - a > 1:
        mid = (a + b) // 2
        if _offset(mid, tz) == first:
            a = mid
        else:
            b = mid
    return {float(b)}


def _offset(timestamp: float, tz: ZoneInfo) -> timedelta | None:
    return datetime.fromtimestamp(timestamp, tz).utcoffset()
