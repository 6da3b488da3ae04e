"""Count, mean, median and p90 per group, and tallies counted, over a frame's rows.

Tallies are boolean arrays (a row met a target, a score was 5). Vectorised with numpy, one
pass per figure whatever the number of groups: rows are sorted by (group, value) once per
figure, then every group's ranks are read at once. Percentiles
are continuous (linear between ranks, PostgreSQL's ``percentile_cont``); NaN (NULL) values
are left out of a figure but the row still counts in the group's ``rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from inbox.reporting.frame import Array

Key = tuple[Any, ...]
SEGMENT_SORT_MAX = 4096  # groups sorted one by one up to this many (faster than one argsort)


@dataclass(frozen=True, slots=True)
class Selection:
    """The rows a report counts: frame row indices, each with its group's code."""

    rows: Array  # int64 indices into the frame (a row appears once per label when by label)
    codes: Array  # int64, 0 .. len(keys) - 1
    keys: Sequence[Key]


def summarise(
    stats: dict[str, Array], tallies: dict[str, Array], sel: Selection
) -> dict[Key, dict[str, Any]]:
    """``{key: {"rows": n, stat: {count, mean, median, p90}, tally: n}}``, groups with rows."""
    k = len(sel.keys)
    if k == 1:  # a total: no codes to count by
        rows = np.array([len(sel.rows)])
        described = {name: _describe_all(v[sel.rows]) for name, v in stats.items()}
        summed = {name: np.array([np.count_nonzero(t[sel.rows])]) for name, t in tallies.items()}
    else:
        rows = np.bincount(sel.codes, minlength=k)
        described = {name: _describe(v[sel.rows], sel.codes, k) for name, v in stats.items()}
        summed = {
            name: np.bincount(sel.codes[t[sel.rows]], minlength=k) for name, t in tallies.items()
        }
    out: dict[Key, dict[str, Any]] = {}
    for i in np.flatnonzero(rows):
        group: dict[str, Any] = {"rows": int(rows[i])}
        for name, (count, mean, median, p90) in described.items():
            n = int(count[i])
            group[name] = {
                "count": n,
                "mean": float(mean[i]) if n else None,
                "median": float(median[i]) if n else None,
                "p90": float(p90[i]) if n else None,
            }
        for name, total in summed.items():
            group[name] = int(total[i])
        out[sel.keys[int(i)]] = group
    return out


def _describe_all(values: Array) -> tuple[Array, Array, Array, Array]:
    xs = np.sort(values[~np.isnan(values)])
    count = np.array([len(xs)])
    mean = np.array([xs.sum() / len(xs) if len(xs) else np.nan])
    starts = np.zeros(1, dtype=np.int64)
    return count, mean, _ranks(xs, starts, count, 0.5), _ranks(xs, starts, count, 0.9)


def _describe(values: Array, codes: Array, k: int) -> tuple[Array, Array, Array, Array]:
    """Per group: count, mean, median, p90 of the non-NaN values (NaN where a group has none)."""
    present = ~np.isnan(values)
    x, c = values[present], codes[present]
    count = np.bincount(c, minlength=k)
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    if k <= SEGMENT_SORT_MAX:  # grouped (radix sort on small codes), each group sorted
        xs = x[np.argsort(_small(c, k), kind="stable")]
        for i in np.flatnonzero(count > 1):
            xs[starts[i] : starts[i] + count[i]].sort()
    else:  # sorted by value, then (stably) by group: each group's values in order
        by_value = np.argsort(x)
        xs = x[by_value[np.argsort(_small(c[by_value], k), kind="stable")]]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=x, minlength=k) / count
    return count, mean, _ranks(xs, starts, count, 0.5), _ranks(xs, starts, count, 0.9)


def _small(codes: Array, k: int) -> Array:
    return codes.astype(np.int16) if k < 2**15 else codes


def _ranks(xs: Array, starts: Array, count: Array, q: float) -> Array:
    out = np.full(len(count), np.nan)
    has = count > 0
    if not has.any():
        return out
    n, first = count[has], starts[has]
    pos = (n - 1) * q
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    low, high = xs[first + lo], xs[first + hi]
    out[has] = low + (high - low) * (pos - lo)
    return out
