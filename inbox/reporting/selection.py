"""Which rows of a frame a report counts, and under which key: the period and filters as a
mask, then the group (channel, account, agent, team or label) and the time bucket as codes.

A row counts once per label of its conversation when grouped by label (and not at all
without one), as a join would; every other group has one key per row, NULL included.
Buckets are local days or weeks of the report's time zone, cut at instants computed with
``zoneinfo`` (so a DST day is 23 or 25 hours long, as it is for the people reading it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import numpy as np

from inbox.reporting.aggregate import Key, Selection
from inbox.reporting.frame import NO_ID, Array, Frame

if TYPE_CHECKING:
    from inbox.reporting.report import ReportFilter


def mask(frame: Frame, f: ReportFilter) -> Array:
    c = frame.columns
    t = c["time"]
    keep: Array = (t >= f.start.timestamp()) & (t < f.end.timestamp())
    if f.channel is not None:
        keep &= c["channel"] == frame.text("channel", f.channel)
    for column, value in (("account", f.account_id), ("agent", f.agent_id), ("team", f.team_id)):
        if value is not None:
            keep &= c[column] == value
    if f.label is not None:
        code = frame.labels.index(f.label) if f.label in frame.labels else -1
        labelled = np.zeros(len(frame), dtype=bool)
        labelled[frame.label_row[frame.label_code == code]] = True
        keep &= labelled
    return keep


def total(keep: Array) -> Selection:
    rows = np.flatnonzero(keep)
    return Selection(rows=rows, codes=np.zeros(len(rows), dtype=np.int64), keys=[()])


def grouped(
    frame: Frame,
    keep: Array,
    group: str | None,
    buckets: Sequence[date] | None = None,
    f: ReportFilter | None = None,
) -> Selection:
    """Rows keyed ``(bucket start,)``, ``(group value,)`` or ``(bucket start, group value)``."""
    if group == "label":
        pairs = np.flatnonzero(keep[frame.label_row])
        rows = frame.label_row[pairs]
        values, names = frame.label_code[pairs], list(frame.labels)
        uniq, inverse = _unique(values)
        group_keys: list[Any] = [names[v] for v in uniq]
    else:
        rows = np.flatnonzero(keep)
        uniq, inverse, group_keys = _group_values(frame, rows, group)
    if buckets is None:
        return Selection(rows=rows, codes=inverse, keys=[(k,) for k in group_keys])
    assert f is not None
    bucket = _bucket_of(frame.columns["time"][rows], buckets, f)
    if group is None:
        return Selection(rows=rows, codes=bucket, keys=[(b,) for b in buckets])
    width = len(group_keys)
    keys: list[Key] = [(b, g) for b in buckets for g in group_keys]
    return Selection(rows=rows, codes=bucket * width + inverse, keys=keys)


def _unique(values: Array) -> tuple[Array, Array]:
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, inverse.astype(np.int64).reshape(-1)


def _group_values(frame: Frame, rows: Array, group: str | None) -> tuple[Array, Array, list[Any]]:
    if group is None:
        return np.zeros(1), np.zeros(len(rows), dtype=np.int64), [None]
    if group == "channel":
        uniq, inverse = _unique(frame.columns["channel"][rows])
        return uniq, inverse, [frame.vocab["channel"][v] for v in uniq]
    uniq, inverse = _unique(frame.columns[group][rows])  # account, agent or team
    return uniq, inverse, [None if v == NO_ID else int(v) for v in uniq]


def _bucket_of(times: Array, buckets: Sequence[date], f: ReportFilter) -> Array:
    """Index of each time's bucket: the last bucket start (local midnight) at or before it."""
    zone = f.zone
    starts = np.array(
        [datetime.combine(b, time(), tzinfo=zone).timestamp() for b in buckets], dtype=np.float64
    )
    index = np.searchsorted(starts, times, side="right") - 1
    return np.clip(index, 0, len(buckets) - 1).astype(np.int64)
