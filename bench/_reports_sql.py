"""The in-process side of ``bench/reports``: the requests it times, the report functions run
directly on an engine (SQL plus the Python around it, no HTTP), the statements they send,
and ``EXPLAIN (ANALYZE, BUFFERS)`` of those statements.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.reporting import export, report
from inbox.reporting.live import live_for


@dataclass(frozen=True, slots=True)
class Spec:
    """One request: ``/api/v1/reports/<path>`` over the ``days`` before the bench's end."""

    name: str
    path: str  # summary | timeseries | cycles.csv
    days: int
    group: str | None = None
    interval: str | None = None
    csv: bool = False
    filters: tuple[tuple[str, Any], ...] = ()
    tz: str = "UTC"
    goal: bool = True  # held to the latency goal (the per-cycle export is not: it streams)

    def params(self, end: datetime) -> dict[str, str]:
        out = {"from": (end - timedelta(days=self.days)).isoformat(), "to": end.isoformat()}
        out["tz"] = self.tz
        out.update({k: str(v) for k, v in self.filters})
        if self.group:
            out["group_by"] = self.group
        if self.interval:
            out["interval"] = self.interval
        if self.csv:
            out["format"] = "csv"
        return out

    def report_filter(self, end: datetime) -> report.ReportFilter:
        start = end - timedelta(days=self.days)
        return report.ReportFilter(start=start, end=end, tz=self.tz, **dict(self.filters))


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: Any
    ms: float
    timed_out: bool = False


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and "statement timeout" in str(exc)


@dataclass
class Capture:
    """The statements an engine runs while ``active``, each with its parameters and time
    (execute and fetch: asyncpg reads the whole result before returning)."""

    engine: AsyncEngine
    active: bool = False
    found: list[Statement] = field(default_factory=list)

    def __post_init__(self) -> None:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(self.engine.sync_engine, "after_cursor_execute", self._after)
        event.listen(self.engine.sync_engine, "handle_error", self._error)

    def _before(
        self, conn: Any, _cur: Any, _sql: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        t0 = conn.info.pop("bench_t0", None)
        if self.active and t0 is not None:
            self.found.append(Statement(sql, params, (time.perf_counter() - t0) * 1000))

    def _error(self, ctx: Any) -> None:
        t0 = ctx.connection.info.pop("bench_t0", None) if ctx.connection is not None else None
        if self.active and t0 is not None and ctx.statement is not None:
            ms = (time.perf_counter() - t0) * 1000
            self.found.append(Statement(ctx.statement, ctx.parameters, ms, timed_out=True))


async def run_once(engine: AsyncEngine, spec: Spec, end: datetime) -> dict[str, float]:
    """Milliseconds of the report function and of the live counts, each timed alone (the
    route runs them side by side; live counts only for the JSON summary)."""
    f = spec.report_filter(end)
    if spec.path == "cycles.csv":
        t0 = time.perf_counter()
        rows = 0
        async for _line in export.cycles_csv(engine, f):
            rows += 1
        return {"report": (time.perf_counter() - t0) * 1000, "live": 0.0, "rows": rows - 1}
    t0 = time.perf_counter()
    if spec.path == "timeseries":
        await report.timeseries(engine, f, spec.interval or "day", spec.group)
    else:
        out = await report.summary(engine, f, spec.group)
        if spec.csv:
            export.summary_csv(out)
    t1 = time.perf_counter()
    if spec.path == "summary" and not spec.csv:
        await live_for(engine, f)
    t2 = time.perf_counter()
    return {"report": (t1 - t0) * 1000, "live": (t2 - t1) * 1000}


def stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return {"p50": round(statistics.median(xs), 1), "p95": round(p95, 1), "max": round(xs[-1], 1)}


async def time_in_process(
    engine: AsyncEngine,
    capture: Capture,
    spec: Spec,
    end: datetime,
    warmup: int,
    repeat: int,
    slow_ms: float,
) -> tuple[dict[str, Any], list[Statement]]:
    """Like the HTTP runs: warm-ups, then ``repeat`` timed runs; a first run slower than
    ``slow_ms`` is the only one, a statement timeout ends the request's runs. Also the
    statements of the last run, slowest first."""
    runs: list[dict[str, float]] = []
    for n in range(warmup + repeat):
        capture.found, capture.active = [], True
        try:
            r = await run_once(engine, spec, end)
        except DBAPIError as exc:
            if not is_timeout(exc):
                raise
            return {"timeout": True, "runs": len(runs)}, _slowest(capture)
        finally:
            capture.active = False
        slow = r["report"] + r["live"] > slow_ms
        if n >= warmup or slow:
            runs.append(r)
        if slow:
            break
    out: dict[str, Any] = {
        "runs": len(runs),
        "report_ms": stats([r["report"] for r in runs]),
        "live_ms": stats([r["live"] for r in runs]),
        "total_ms": stats([r["report"] + r["live"] for r in runs]),
    }
    if "rows" in runs[0]:
        out["rows"] = int(runs[0]["rows"])
    return out, _slowest(capture)


def _slowest(capture: Capture) -> list[Statement]:
    return sorted(capture.found, key=lambda s: -s.ms)


async def explain(engine: AsyncEngine, st: Statement) -> str:
    """The plan as run; for a statement that hit the statement timeout, the plan alone
    (running it to the end could take minutes)."""
    how = "EXPLAIN (BUFFERS) " if st.timed_out else "EXPLAIN (ANALYZE, BUFFERS) "
    async with engine.connect() as conn:
        rows = await conn.exec_driver_sql(how + st.sql, st.params)
        plan = "\n".join(r[0] for r in rows)
    return ("(not run to the end: it hit the statement timeout)\n" + plan) if st.timed_out else plan
