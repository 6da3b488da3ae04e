"""The bench database of ``bench/reports``: created, migrated, bulk-loaded, analysed, checked.

Rows go in with COPY (asyncpg ``copy_records_to_table``) in chunks of conversations, with
foreign-key triggers off for the session (``session_replication_role = replica``): the rows
are consistent by construction, and checking 1.5 million references one by one would double
the load. That also skips the triggers that mark report days changed, so every day is marked
afterwards, as migration 0009 does for a database's history. Then ``VACUUM (ANALYZE)``:
planner statistics, plus the visibility map a live database gets from autovacuum.

The check replays a random sample of conversations through the real recorder inside a
transaction that is rolled back, and compares what it derives with what was generated.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from typing import Any

import asyncpg
from _reports_data import Generator
from _reports_fixtures import COLUMNS, SERIAL_TABLES, TABLES
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.conversations.repository import get_conversation_row
from inbox.reporting.block_triggers import mark_all
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.recorder import record

_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
NOT_DERIVED = {"id", "cycle_id", "csat_requested_at", "csat_score", "csat_at", "updated_at"}
CYCLE_FIELDS = [c for c in COLUMNS["conversation_cycles"] if c not in NOT_DERIVED]
TURN_FIELDS = [c for c in COLUMNS["response_turns"] if c not in NOT_DERIVED]


class LoadError(Exception):
    """The database could not be set up; the message says why."""


async def claim(admin_dsn: str, name: str) -> asyncpg.Connection | None:
    """An advisory lock on the database's name, held by the returned connection for the run:
    a second run on the same database would drop it under the first."""
    conn = await asyncpg.connect(admin_dsn)
    if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"bench/reports:{name}"):
        return conn
    await conn.close()
    return None


async def recreate(admin_dsn: str, name: str, *, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def configure(
    admin_dsn: str, dsn: str, name: str, statement_timeout: float, statements: list[str]
) -> None:
    """The bench's statement timeout for every later session, then the ``--sql`` statements."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        ms = int(statement_timeout * 1000)
        await conn.execute(f'ALTER DATABASE "{name}" SET statement_timeout = {ms}')
    finally:
        await conn.close()
    if not statements:
        return
    conn = await asyncpg.connect(dsn)
    try:
        for sql in statements:
            t0 = time.perf_counter()
            await conn.execute(sql)
            print(f"   --sql {sql!r}: {time.perf_counter() - t0:.1f} s")
    finally:
        await conn.close()


def migrate(env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise LoadError(f"omnibox migrate failed ({done.returncode}):\n{done.stderr[-3000:]}")


async def load(dsn: str, gen: Generator) -> dict[str, Any]:
    """COPY everything ``gen`` makes; the seconds spent generating, copying and analysing."""
    conn = await asyncpg.connect(dsn)
    counts: Counter[str] = Counter()
    spent = {"generate_s": 0.0, "copy_s": 0.0}
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET synchronous_commit = off")
        chunks = gen.chunks()
        rows = gen.fixtures()
        while True:
            t0 = time.perf_counter()
            for table in TABLES:
                if rows[table]:
                    await conn.copy_records_to_table(
                        table, records=rows[table], columns=list(COLUMNS[table])
                    )
                    counts[table] += len(rows[table])
            t1 = time.perf_counter()
            spent["copy_s"] += t1 - t0
            found = next(chunks, None)
            spent["generate_s"] += time.perf_counter() - t1
            if found is None:
                break
            rows = found
            if counts["conversations"] and counts["conversations"] % 20000 == 0:
                print(f"  {counts['conversations']} conversations, {counts['messages']} messages")
        for table in SERIAL_TABLES:
            await conn.execute(  # table names from COLUMNS, not input
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        for sql in mark_all("postgresql"):
            await conn.execute(sql)
        t0 = time.perf_counter()
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
        spent["analyze_s"] = time.perf_counter() - t0
        shape = await _shape(conn)
    finally:
        await conn.close()
    return {"rows": dict(counts), **{k: round(v, 1) for k, v in spent.items()}, "shape": shape}


async def _shape(conn: asyncpg.Connection) -> dict[str, Any]:
    """What the data looks like, to judge it realistic."""
    row = await conn.fetchrow(
        """
        SELECT count(*) AS cycles,
          avg((resolved_at IS NULL)::int) AS open,
          avg((first_response_at IS NULL)::int) AS no_human_reply,
          avg((csat_score IS NOT NULL)::int) FILTER (WHERE resolved_at IS NOT NULL) AS csat,
          avg((sla_policy_id IS NOT NULL)::int) AS sla,
          avg((first_response_breached OR resolution_breached)::int) AS breached,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_seconds) / 60 AS fr_med_min,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_seconds) / 60 AS fr_p90_min,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_seconds) / 3600 AS res_med_h,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_seconds) / 3600 AS res_p90_h,
          avg(customer_turns) AS turns_per_cycle,
          min(opened_at) AS first_opened, max(opened_at) AS last_opened
        FROM conversation_cycles
        """
    )
    several = await conn.fetchval(
        "SELECT avg((n > 1)::int) FROM (SELECT count(*) AS n FROM conversation_cycles "
        "GROUP BY conversation_id) AS per"
    )
    labelled = await conn.fetchval(
        "SELECT count(DISTINCT conversation_id)::float / (SELECT count(*) FROM conversations) "
        "FROM conversation_labels"
    )
    out = {k: (round(float(v), 3) if not isinstance(v, datetime) else v.isoformat())
           for k, v in row.items()}  # fmt: skip
    out["conversations_with_several_cycles"] = round(float(several), 3)
    out["conversations_labelled"] = round(float(labelled), 3)
    return out


# ----------------------------------------------------------------------------- the check


async def _derived(conn: Any, ids: list[int]) -> tuple[dict[Any, dict[str, Any]], ...]:
    c, t = _cycles.c, _turns.c
    found = await conn.execute(
        select(*[c[n] for n in CYCLE_FIELDS]).where(c.conversation_id.in_(ids))
    )
    cycles = {(r["conversation_id"], r["seq"]): dict(r) for r in found.mappings()}
    stmt = (
        select(c.seq.label("cycle_seq"), *[t[n] for n in TURN_FIELDS])
        .join(_cycles, c.id == t.cycle_id)
        .where(t.conversation_id.in_(ids))
    )
    turns = {
        (r["conversation_id"], r["cycle_seq"], r["seq"]): dict(r)
        for r in (await conn.execute(stmt)).mappings()
    }
    return cycles, turns


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return bool(a == b)


def _compare(
    kind: str, generated: dict[Any, dict[str, Any]], derived: dict[Any, dict[str, Any]]
) -> dict[str, Any]:
    fields: Counter[str] = Counter()
    examples: list[str] = []
    agree = 0
    for key in sorted(set(generated) | set(derived)):
        g, d = generated.get(key), derived.get(key)
        if g is None or d is None:
            fields["(row missing)" if g is not None else "(extra row)"] += 1
            examples.append(f"{kind} {key}: generated={g is not None} derived={d is not None}")
            continue
        wrong = [n for n in g if not _same(g[n], d[n])]
        fields.update(wrong)
        agree += not wrong
        if wrong and len(examples) < 8:
            examples.append(
                f"{kind} {key}: " + "; ".join(f"{n} gen={g[n]!r} rec={d[n]!r}" for n in wrong)
            )
    return {"rows": len(generated), "agree": agree, "fields": dict(fields), "examples": examples}


async def verify(engine: AsyncEngine, conversations: int, sample: int, seed: int) -> dict[str, Any]:
    """Delete the sample's cycle rows, let ``recorder.record`` derive them again from the
    messages and status log, compare with the generated rows, and roll everything back."""
    ids = sorted(
        random.Random(seed).sample(range(1, conversations + 1), min(sample, conversations))
    )
    async with engine.connect() as conn:
        tx = await conn.begin()
        try:
            generated = await _derived(conn, ids)
            await conn.execute(delete(_turns).where(_turns.c.conversation_id.in_(ids)))
            await conn.execute(delete(_cycles).where(_cycles.c.conversation_id.in_(ids)))
            t0 = time.perf_counter()
            for cid in ids:
                await record(conn, await get_conversation_row(conn, cid))
            took = time.perf_counter() - t0
            derived = await _derived(conn, ids)
        finally:
            await tx.rollback()
    return {
        "conversations": len(ids),
        "record_ms_per_conversation": round(took * 1000 / len(ids), 2),
        "cycles": _compare("cycle", generated[0], derived[0]),
        "turns": _compare("turn", generated[1], derived[1]),
    }
