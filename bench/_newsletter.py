"""``bench/newsletter``: a 100,000-recipient campaign against fake platforms that enforce their
rate caps, then the same with ``omnibox worker`` killed (SIGKILL) mid-campaign.

Each case runs on a fresh PostgreSQL database (``omnibox migrate``) and a flushed Redis db:
the fake platform in its own process (``_newsletter_fakes``: a cap in calls per second per
token, 429 / VK error 6 past it, counts of what it accepted), a Telegram bot or VK community
pointed at it, the audience bulk-loaded, ``omnibox worker`` (event worker, outbox sender,
dispatcher) and ``omnibox api`` started, and the campaign created (REST when it exists, else a
scheduled row). It runs until the campaign is done and the outbox is empty, under a hard time
limit, or until nothing moves for ``--stall`` seconds.

Figures per case: achieved accepted calls/s and recipients/s ÷ the fake's cap, duplicates
(recipients the platform delivered to more than once), skips (recipients never delivered, with
the reason the database recorded), 429s answered, and the campaign's final counts. Goals are
reported, not asserted: the exit status is non-zero only when the bench could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import _newsletter_setup as setup
import asyncpg
import httpx
from _ingest import BenchError, Proc, Procs, base_env, environment, free_port, loopback_only
from _ingest import wait_http_ok as wait_ok
from _newsletter_out import print_case, print_summary
from _reports_http import Server, token
from redis.asyncio import Redis

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BOT_TOKEN = "123456:NEWSLETTER"  # noqa: S105 - a made-up token for the fake
VK_TOKEN = "vk-bench-token"  # noqa: S105
VK_GROUP = 777
POLL_S = 0.5


@dataclass(frozen=True)
class Case:
    name: str
    platform: str  # telegram | vk
    recipients: int
    cap: int  # at the fake, calls per second per token
    service_rate: float  # OMNIBOX_TELEGRAM_MESSAGES_PER_SECOND / OMNIBOX_VK_REQUESTS_PER_SECOND
    kills: int = 0


def cases(args: argparse.Namespace) -> list[Case]:
    n, k = args.recipients, args.kills
    vk = Case("vk", "vk", n, args.vk_cap, args.vk_service_rate or args.vk_cap)
    tg = Case("telegram", "telegram", n, args.tg_cap, args.tg_service_rate or args.tg_cap)
    tg30 = Case("telegram-30", "telegram", min(n, args.tg30_recipients), 30, 30)
    chosen: list[Case] = []
    if args.case in ("vk", "all") and not args.kill_only:
        chosen.append(vk)
    if args.case in ("telegram", "all") and not args.kill_only:
        chosen += [tg, tg30]
    if k > 0 and args.case in ("vk", "all"):
        chosen.append(Case("vk-kill", "vk", n, vk.cap, vk.service_rate, k))
    if k > 0 and args.case in ("telegram", "all"):
        chosen.append(Case("telegram-kill", "telegram", n, tg.cap, tg.service_rate, k))
    return chosen


class CaseRun:
    """One case: its processes, its database, its figures."""

    def __init__(self, case: Case, args: argparse.Namespace, workdir: Path) -> None:
        self.case, self.args, self.workdir = case, args, workdir
        self.procs = Procs(workdir, base_env())
        self.env = self.procs.env
        self.db = f"{args.pg_database}"
        self.dsn = urlsplit(args.pg_dsn)._replace(path=f"/{self.db}").geturl()
        self.stats_url = ""
        self.worker: Proc | None = None
        self.api: Server | None = None
        self.kills: list[dict[str, Any]] = []
        self.rng = random.Random(f"{args.seed}:{case.name}")

    # --- set-up ---------------------------------------------------------------------------
    async def prepare(self) -> dict[str, Any]:
        c, a = self.case, self.args
        await setup.recreate(a.pg_dsn, self.db)
        redis = Redis.from_url(a.redis_url)
        try:
            await redis.flushdb()
        finally:
            await redis.aclose()
        port = free_port()
        fakes = [sys.executable, str(BENCH_DIR / "_newsletter_fakes.py")]
        fakes += ["--platform", c.platform, "--rate", str(c.cap), "--port", str(port)]
        self.procs.start("fakes", fakes)
        self.stats_url = f"http://127.0.0.1:{port}"
        await wait_ok(self.procs, port, "/info")
        base = (await self.get("/info"))["base_url"]
        self.env.update(
            {
                "OMNIBOX_DATABASE_URL": self.dsn.replace("postgresql://", "postgresql+asyncpg://"),
                "OMNIBOX_REDIS_URL": a.redis_url,
                "OMNIBOX_TELEGRAM_API_BASE": base,
                "OMNIBOX_VK_API_BASE": base,
                "OMNIBOX_TELEGRAM_MESSAGES_PER_SECOND": str(c.service_rate),
                "OMNIBOX_VK_REQUESTS_PER_SECOND": str(c.service_rate),
            }
        )
        if a.lease is not None:
            self.env["OMNIBOX_QUEUE_LEASE_SECONDS"] = str(a.lease)
        omnibox = [sys.executable, "-m", "api"]
        self.procs.run("omnibox migrate", [*omnibox, "migrate"], timeout=180)
        add = [*omnibox, "account", "add", c.platform, "--name", "bench"]
        if c.platform == "telegram":
            add += ["--token", BOT_TOKEN, "--webhook-secret", "bench-secret"]
        else:
            add += ["--token", VK_TOKEN, "--group-id", str(VK_GROUP), "--secret", "s"]
            add += ["--confirmation-code", "c0nf1rm"]
        out = self.procs.run("omnibox account add", add)
        m = re.search(r"account (\d+) ", out)
        if not m:
            raise BenchError(f"cannot read the account id from: {out!r}")
        self.account_id = int(m.group(1))
        load_s = await setup.load_audience(self.dsn, self.account_id, c.platform, c.recipients)
        print(f"  audience: {c.recipients} contacts subscribed (COPY {load_s:.1f} s)", flush=True)
        self.api = Server(self.workdir, self.env)
        self.api.start()
        await self.api.wait_ready()
        self.headers = {"Authorization": f"Bearer {await token(self.api, self.env)}"}
        self.start_worker()
        await self.worker_ready()
        return {"fake_base": base, "audience_load_s": round(load_s, 2)}

    async def worker_ready(self, timeout: float = 120) -> None:
        """Until the worker logs that it started (imports take seconds on a busy machine)."""
        assert self.worker is not None
        deadline = time.monotonic() + timeout
        while "omnibox.worker worker" not in self.worker.log.read_text(errors="replace"):
            self.procs.check_alive()
            if time.monotonic() > deadline:
                raise BenchError(f"omnibox worker not started within {timeout:.0f} s")
            await asyncio.sleep(0.2)

    def start_worker(self) -> None:
        n = len(self.kills)
        self.worker = self.procs.start(f"worker-{n}", [sys.executable, "-m", "api", "worker"])

    def kill_worker(self) -> None:
        assert self.worker is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.popen.wait(timeout=10)
        self.procs.running.remove(self.worker)

    async def get(self, path: str) -> Any:
        async with httpx.AsyncClient(base_url=self.stats_url, timeout=30) as c:
            r = await c.get(path)
            r.raise_for_status()
            return r.json()

    # --- the campaign ---------------------------------------------------------------------
    async def create_campaign(self) -> tuple[int, str]:
        assert self.api is not None
        api_url = f"http://127.0.0.1:{self.api.port}"
        if await setup.has_campaign_api(api_url, self.headers):
            return await setup.campaign_via_api(api_url, self.headers, self.account_id), "REST"
        return await setup.campaign_via_row(self.dsn, self.account_id), "scheduled row"

    async def watch(self, campaign_id: int, t0: float) -> tuple[str, float]:
        """Until done (outbox empty), stalled or over time; kills the worker on the way."""
        c, a = self.case, self.args
        kill_at = sorted(self.rng.uniform(0.1, 0.8) * c.recipients for _ in range(c.kills))
        last_change, last_seen, last_print = time.monotonic(), None, 0.0
        conn = await asyncpg.connect(self.dsn)
        try:
            while True:
                await asyncio.sleep(POLL_S)
                now = time.monotonic()
                prog = await setup.progress(conn, campaign_id)
                fake = await self.get("/stats")
                if kill_at and fake["delivered"] >= kill_at[0]:
                    kill_at.pop(0)
                    self.kill_worker()
                    self.kills.append(
                        {"at_s": round(now - t0, 2), "delivered_then": fake["delivered"]}
                    )
                    print(f"  SIGKILL worker at {now - t0:.1f} s ({fake['delivered']} delivered)")
                    await asyncio.sleep(a.restart_delay)
                    self.start_worker()
                self.procs.check_alive()
                seen = (prog["status"], prog["recipients"], prog["outbox_open"], fake["calls"])
                if seen != last_seen:
                    last_seen, last_change = seen, now
                if now - last_print >= a.print_every:
                    last_print = now
                    print(
                        f"  {now - t0:6.1f} s  {prog['status']:<9} {fake['delivered']:>7} "
                        f"delivered  {fake['accepted_calls']:>6} calls  {fake['rate_limited']} "
                        f"429s  recipients {prog['recipients']}",
                        flush=True,
                    )
                if prog["status"] in ("done", "cancelled") and prog["outbox_open"] == 0:
                    return "finished", now - t0
                if now - last_change > a.stall:
                    return f"stalled (nothing moved for {a.stall:.0f} s)", now - t0
                if now - t0 > a.timeout:
                    return f"over the {a.timeout:.0f} s limit", now - t0
        finally:
            await conn.close()

    async def execute(self) -> dict[str, Any]:
        c = self.case
        info = await self.prepare()
        t0 = time.monotonic()
        campaign_id, how = await self.create_campaign()
        print(f"  campaign {campaign_id} created via {how}", flush=True)
        ended, elapsed = await self.watch(campaign_id, t0)
        await asyncio.sleep(1.0)  # anything still in flight at the fake
        fake = await self.get("/stats?peers=1")
        delivered = set(fake.pop("peers"))
        db = await setup.outcome(self.dsn, campaign_id, c.platform, delivered)
        return figures(c, how, ended, elapsed, fake, db, self.kills, info)

    async def cleanup(self) -> None:
        if self.api is not None:
            self.api.stop()
        self.procs.stop_all()
        if not self.args.keep:
            with contextlib.suppress(Exception):
                await setup.recreate(self.args.pg_dsn, self.db, drop_only=True)
            redis = Redis.from_url(self.args.redis_url)
            with contextlib.suppress(Exception):
                await redis.flushdb()
            await redis.aclose()


def figures(
    c: Case,
    how: str,
    ended: str,
    elapsed: float,
    fake: dict[str, Any],
    db: dict[str, Any],
    kills: list[dict[str, Any]],
    info: dict[str, Any],
) -> dict[str, Any]:
    span = fake["accepted_span_s"] or 0.0
    calls_s = fake["accepted_calls"] / span if span else 0.0
    recips_s = fake["delivered"] / span if span else 0.0
    series = fake.pop("accepted_per_second")
    first = int(fake["first_accepted_s"] or 0)
    steady = sorted(series[first + 1 : -1]) if len(series) > first + 3 else []
    audience = db["audience_size"] or 0
    return {
        "case": asdict(c),
        "created_via": how,
        "ended": ended,
        "elapsed_s": round(elapsed, 2),
        "recipients": audience,
        "delivered": fake["delivered"],
        "calls_per_s": round(calls_s, 2),
        "recipients_per_s": round(recips_s, 1),
        "ratio": round(calls_s / c.cap, 3) if c.cap else None,
        "goal_ratio": 0.95,
        "steady_calls_per_s": {
            "min": steady[0] if steady else None,
            "median": steady[len(steady) // 2] if steady else None,
            "max": steady[-1] if steady else None,
        },
        "peers_per_call": round(fake["peers_in_accepted_calls"] / fake["accepted_calls"], 1)
        if fake["accepted_calls"]
        else None,
        "duplicates": fake["duplicates"],
        "never_delivered": max(0, audience - fake["delivered"]),
        "rate_limited": fake["rate_limited"],
        "fake": fake,
        "accepted_per_second": series,
        "db": db,
        "kills": kills,
        **info,
    }


async def run_case(case: Case, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"omnibox-bench-news-{case.name}-"))
    print(
        f"\n[{case.name}] {case.recipients} recipients, fake cap {case.cap}/s, service "
        f"{case.service_rate:g}/s, kills {case.kills}; workdir {workdir}",
        flush=True,
    )
    run = CaseRun(case, args, workdir)
    try:
        async with asyncio.timeout(args.timeout + 300):
            result = await run.execute()
    except TimeoutError:
        raise BenchError(f"{case.name}: over the hard limit") from None
    finally:
        await run.cleanup()
        if args.keep:
            print(f"[{case.name}] kept {workdir} and database {args.pg_database}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_case(result)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/newsletter", description=__doc__.split("\n")[0])
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--case", choices=["vk", "telegram", "all"], default="all")
    p.add_argument("--kills", type=int, default=2, help="worker SIGKILLs per kill case (2)")
    p.add_argument("--kill-only", action="store_true", help="run only the kill cases")
    p.add_argument("--vk-cap", type=int, default=20, help="fake VK calls/s per token (20)")
    p.add_argument("--vk-service-rate", type=float, default=None, help="default: the cap")
    p.add_argument("--tg-cap", type=int, default=1000, help="fake Telegram msg/s per bot")
    p.add_argument("--tg-service-rate", type=float, default=None, help="default: the cap")
    p.add_argument("--tg30-recipients", type=int, default=3000)
    p.add_argument("--lease", type=float, default=None, help="OMNIBOX_QUEUE_LEASE_SECONDS")
    p.add_argument("--restart-delay", type=float, default=1.0, help="s before the restart")
    p.add_argument("--seed", default="newsletter", help="for the kill moments")
    p.add_argument("--timeout", type=float, default=1200, help="limit per case, s (1200)")
    p.add_argument("--stall", type=float, default=180, help="give up when nothing moves, s")
    p.add_argument("--print-every", type=float, default=10.0)
    p.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--pg-database", default="omnibox_bench_news")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="flushed per case")
    p.add_argument("--keep", action="store_true", help="keep the last workdir and database")
    p.add_argument("--json", type=Path, default=None, help="summary path (bench/results/…)")
    args = p.parse_args(argv)
    loopback_only(args.pg_dsn, "--pg-dsn")
    loopback_only(args.redis_url, "--redis-url")
    return args


async def amain(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    chosen = cases(args)
    print(f"newsletter bench: {', '.join(c.name for c in chosen)}; {os.cpu_count()} CPUs")
    for case in chosen:
        try:
            results.append(await run_case(case, args))
        except (BenchError, OSError, asyncpg.PostgresError, httpx.HTTPError) as exc:
            failures.append(f"{case.name}: {exc}")
            print(f"[{case.name}] FAILED: {exc}", file=sys.stderr, flush=True)
    if results:
        print_summary(results)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.json or RESULTS_DIR / f"newsletter-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    summary = {
        "when": stamp,
        "config": config,
        "environment": environment(),
        "results": results,
        "failures": failures,
    }
    out.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nsummary: {out}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> None:
    sys.exit(asyncio.run(amain(parse_args(argv))))
