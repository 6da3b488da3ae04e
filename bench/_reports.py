"""``bench/reports``: report latency over 1,000,000 messages / 200,000 cycles on PostgreSQL.

Phases, each under a hard time limit:

1. a fresh database, migrated with ``omnibox migrate``, loaded by COPY with generated history
   (``_reports_data``); a sample of conversations is replayed through the recorder and must
   derive exactly the generated cycle and turn rows;
2. the report blocks built (what the maintenance loop does over time), timed;
3. ``omnibox api`` as a subprocess and an admin's token; every report request timed end to
   end over HTTP (warm-ups, then N runs: p50 / p95 / max and the response size);
4. the same reports timed in-process on an engine, separating SQL from HTTP;
5. ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements behind any request over the goal.

The goal is p95 under 300 ms over HTTP. The server's process group is killed and the
database dropped (unless ``--keep``) however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import _reports_load as load
import asyncpg
import httpx
from _reports_data import Generator
from _reports_http import HOST, BenchError, Server, machine_load, time_http, token
from _reports_out import brief, print_explains, print_load, print_table, print_verify
from _reports_sql import Capture, Spec, Statement, explain, run_once, time_in_process
from sqlalchemy import text

from inbox.db import make_engine, unit_of_work
from inbox.reporting import blocks

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


def specs(team_id: int, label: str) -> list[Spec]:
    d180 = 180
    return [
        Spec("summary 30 d", "summary", 30),
        Spec("summary 180 d", "summary", d180),
        *[
            Spec(f"summary 180 d by {g}", "summary", d180, group=g)
            for g in ("agent", "team", "label", "channel", "account")
        ],
        Spec("summary 180 d channel=vk", "summary", d180, filters=(("channel", "vk"),)),
        Spec(f"summary 180 d team_id={team_id}", "summary", d180, filters=(("team_id", team_id),)),
        Spec(f"summary 180 d label={label}", "summary", d180, filters=(("label", label),)),
        Spec("timeseries day 90 d (Moscow)", "timeseries", 90, interval="day", tz="Europe/Moscow"),
        Spec("timeseries week 180 d", "timeseries", d180, interval="week"),
        Spec("timeseries week 180 d by team", "timeseries", d180, interval="week", group="team"),
        Spec("summary 180 d by team, CSV", "summary", d180, group="team", csv=True),
        Spec("cycles.csv 7 d (export)", "cycles.csv", 7, goal=False),
    ]


# ----------------------------------------------------------------------------- phases


async def _phase(name: str, seconds: float, coro: Any) -> Any:
    print(f"\n== {name}", flush=True)
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            result = await coro
    except TimeoutError:
        raise BenchError(f"{name}: over the {seconds:.0f} s limit") from None
    print(f"   ({name}: {time.perf_counter() - t0:.1f} s)", flush=True)
    return result


async def _prepare(a: argparse.Namespace, env: dict[str, str], end: dt.datetime) -> dict[str, Any]:
    await load.recreate(a.pg_dsn, a.pg_database)
    load.migrate(env, a.phase_timeout)
    gen = Generator(
        conversations=a.conversations, cycles=a.cycles, messages=a.messages, seed=a.seed, now=end
    )
    t0 = time.perf_counter()
    stats = await load.load(a.db_dsn, gen)
    stats["total_s"] = round(time.perf_counter() - t0, 1)
    stats["conversations"] = gen.conversations
    print_load(stats)
    return stats


async def _build_blocks(url: str) -> dict[str, Any]:
    """What the maintenance loop does after a load, all at once: every marked day rebuilt."""
    engine = make_engine(url)
    t0, days = time.perf_counter(), 0
    try:
        while True:
            async with unit_of_work(engine) as conn:
                done = await blocks.rebuild(conn, limit=200, settle=0)
            days += done
            if not done:
                break
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT count(*), coalesce(sum(length(data)), 0) FROM report_blocks")
                )
            ).one()
    finally:
        await engine.dispose()
    took = time.perf_counter() - t0
    out = {"days": days, "blocks": row[0], "mb": round(row[1] / 1e6, 1), "s": round(took, 1)}
    print(f"   {days} family-days rebuilt in {took:.1f} s; {row[0]} blocks, {out['mb']} MB")
    return out


async def _database_facts(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        team = await conn.fetchval(
            "SELECT team_id FROM conversation_cycles WHERE team_id IS NOT NULL "
            "GROUP BY team_id ORDER BY count(*) DESC LIMIT 1"
        )
        label = await conn.fetchval(
            "SELECT label FROM conversation_labels GROUP BY label ORDER BY count(*) DESC LIMIT 1"
        )
        conversations = await conn.fetchval("SELECT count(*) FROM conversations")
        settings = {
            k: await conn.fetchval(f"SHOW {k}")
            for k in ("server_version", "shared_buffers", "work_mem", "jit")
        }
    finally:
        await conn.close()
    return {"team_id": team, "label": label, "conversations": conversations, "pg": settings}


async def _opened_between(dsn: str, start: dt.datetime, end: dt.datetime) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        sql = "SELECT count(*) FROM conversation_cycles WHERE opened_at >= $1 AND opened_at < $2"
        return int(await conn.fetchval(sql, start, end))
    finally:
        await conn.close()


async def _http(
    a: argparse.Namespace, env: dict[str, str], workdir: Path, todo: list[Spec], end: dt.datetime
) -> dict[str, Any]:
    server = Server(workdir, env)
    try:
        server.start()
        await server.wait_ready()
        headers = {"Authorization": f"Bearer {await token(server, env)}"}
        base = f"http://{HOST}:{server.port}"
        results = {}
        timeout = a.statement_timeout + 60
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as client:
            for spec in todo:
                results[spec.name] = r = await time_http(client, spec, end, a)
                print(f"   {spec.name:<34} {brief(r)}", flush=True)
        return results
    finally:
        server.stop()


async def _cold(engine: Any, todo: list[Spec], end: dt.datetime) -> dict[str, float]:
    """Each request once with this process's block cache emptied first: a report's first
    reading of its days (every block fetched and decoded), as after a restart."""
    print("   cold (the block cache emptied before each):", flush=True)
    out = {}
    for spec in todo:
        if not spec.goal:
            continue
        blocks.cache_for(engine).clear()
        r = await run_once(engine, spec, end)
        out[spec.name] = round(r["report"] + r["live"], 1)
        print(f"   {spec.name:<34} {out[spec.name]:8.1f} ms", flush=True)
    return out


async def _in_process(
    a: argparse.Namespace, todo: list[Spec], end: dt.datetime, goal_missed: set[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    engine = make_engine(a.db_url)
    capture = Capture(engine)
    try:
        results = {}
        # The statements behind the requests over the goal; one plan per statement text
        # (its slowest instance), the costliest first.
        found: dict[str, tuple[Statement, list[str]]] = {}
        for spec in todo:
            r, statements = await time_in_process(
                engine, capture, spec, end, a.warmup, a.repeat, a.slow_s * 1000
            )
            results[spec.name] = r
            print(f"   {spec.name:<34} {brief(r.get('total_ms', r))}", flush=True)
            if spec.name not in goal_missed and not a.explain_all:
                continue
            for st in statements:
                if st.ms < a.explain_ms and not a.explain_all:
                    continue
                seen = found.get(st.sql)
                if seen is None or st.ms > seen[0].ms:
                    found[st.sql] = (st, seen[1] if seen else [])
                found[st.sql][1].append(spec.name)
        results["cold"] = await _cold(engine, todo, end)
        explains = []
        for st, names in sorted(found.values(), key=lambda f: -f[0].ms)[: a.explain_top]:
            plan = await explain(engine, st)
            explains.append({"ms": round(st.ms, 1), "timed_out": st.timed_out, "requests": names,
                             "sql": st.sql, "params": repr(st.params), "plan": plan})  # fmt: skip
        return results, explains
    finally:
        await engine.dispose()


async def amain(a: argparse.Namespace) -> int:
    lock = await load.claim(a.pg_dsn, a.pg_database)
    if lock is None:
        print(
            f"bench/reports: another run is using database {a.pg_database} "
            "(it would be dropped under it); pass another --pg-database",
            file=sys.stderr,
        )
        return 2
    try:
        return await _run_all(a)
    finally:
        await lock.close()


async def _run_all(a: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="omnibox-bench-reports-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env |= {"OMNIBOX_ENVIRONMENT": "development", "OMNIBOX_SECRET_KEY": secrets.token_urlsafe(48)}
    env |= {"OMNIBOX_ACCESS_LOG": "false", "OMNIBOX_DATABASE_URL": a.db_url}
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    summary: dict[str, Any] = {"when": end.isoformat()}
    code = 0
    try:
        if a.reuse:
            print(f"reusing database {a.pg_database} as it is (no generation, no replay check)")
        else:
            prepare = _prepare(a, env, end)
            summary["load"] = await _phase("generate and load", a.phase_timeout, prepare)
        await load.configure(a.pg_dsn, a.db_dsn, a.pg_database, a.statement_timeout, a.sql)
        summary["database"] = facts = await _database_facts(a.db_dsn)
        if not a.reuse:
            engine = make_engine(a.db_url)
            try:
                check = load.verify(engine, facts["conversations"], a.sample, a.seed + 1)
                summary["verify"] = await _phase("replay check", a.phase_timeout, check)
            finally:
                await engine.dispose()
            if not print_verify(summary["verify"]):
                code = 1
        summary["blocks"] = await _phase("report blocks", a.phase_timeout, _build_blocks(a.db_url))
        summary["machine"] = machine = await machine_load()
        print(
            f"\nmachine busy with other work before timing: {machine['busy_share']:.0%} of "
            f"{machine['cpus']} CPUs (load average {machine['loadavg'][0]:.1f}); PostgreSQL "
            + ", ".join(f"{k} {v}" for k, v in facts["pg"].items())
        )
        todo = specs(int(facts["team_id"]), str(facts["label"]))
        http = await _phase("HTTP", a.phase_timeout, _http(a, env, workdir, todo, end))
        missed = {s.name for s in todo if s.goal and not _met(http[s.name], a.goal_ms)}
        inproc, explains = await _phase(
            "in-process", a.phase_timeout, _in_process(a, todo, end, missed)
        )
        summary |= {"http": http, "in_process": inproc, "explain": explains}
        opened = await _opened_between(a.db_dsn, end - dt.timedelta(days=180), end)
        summary["goal_met"] = print_table(todo, http, inproc, a.goal_ms, opened)
        print_explains(explains)
    except (BenchError, load.LoadError) as exc:
        print(f"bench/reports FAILED: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if a.keep or a.reuse:
            print(f"\nkept database {a.pg_database} ({a.db_dsn})")
        else:
            with contextlib.suppress(Exception):
                await load.recreate(a.pg_dsn, a.pg_database, drop_only=True)
    if a.json is not None:
        stamp = end.strftime("%Y%m%dT%H%M%SZ")
        out = a.json if a.json != Path("auto") else RESULTS_DIR / f"reports-{stamp}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        summary["config"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()}
        out.write_text(json.dumps(summary, indent=2, default=str) + "\n")
        print(f"results: {out}")
    return code


def _met(r: dict[str, Any], goal_ms: float) -> bool:
    return not r.get("timeout") and r["p95"] < goal_ms


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/reports", description=__doc__.splitlines()[0])
    p.add_argument("--cycles", type=int, default=200_000)
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--conversations", type=int, default=None, help="default: 0.6 x cycles")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=15, help="timed runs per request (15)")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs first (2)")
    p.add_argument("--sample", type=int, default=300, help="conversations replayed (300)")
    p.add_argument("--goal-ms", type=float, default=300.0)
    p.add_argument("--explain-ms", type=float, default=30.0, help="explain statements over this")
    p.add_argument("--explain-all", action="store_true", help="explain every request's SQL")
    p.add_argument("--explain-top", type=int, default=8, help="plans printed at most (8)")
    p.add_argument("--slow-s", type=float, default=10.0, help="a request slower: one run only")
    p.add_argument(
        "--statement-timeout", type=float, default=30.0,
        help="set on the bench database, s (30): a pathological query cannot stall the run",
    )  # fmt: skip
    p.add_argument(
        "--sql", action="append", default=[], metavar="STATEMENT",
        help="run on the bench database before timing (repeatable), e.g. a CREATE INDEX to try",
    )  # fmt: skip
    p.add_argument("--phase-timeout", type=float, default=900.0, help="hard limit per phase, s")
    p.add_argument(
        "--pg-dsn",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin DSN used to create and drop the bench database",
    )
    p.add_argument("--pg-database", default="omnibox_bench_reports")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--reuse", action="store_true", help="time a kept database, do not rebuild")
    p.add_argument(
        "--json", type=Path, nargs="?", const=Path("auto"), default=None,
        help="write the results (default path: bench/results/reports-<time>.json)",
    )  # fmt: skip
    a = p.parse_args(argv)
    if a.conversations is None:
        a.conversations = round(a.cycles * 0.6)
    if min(a.cycles, a.messages, a.conversations, a.repeat) < 1:
        p.error("--cycles, --messages, --conversations and --repeat must be positive")
    a.db_dsn = urlsplit(a.pg_dsn)._replace(path=f"/{a.pg_database}").geturl()
    a.db_url = a.db_dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    return a


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(amain(args)))
    sys.exit(uvloop.run(amain(args)))
