"""``bench/ingest``: webhook ingest throughput of the service against a bare FastAPI endpoint.

For each backend (``embedded``: ``omnibox serve`` on SQLite; ``scaled``: ``omnibox api`` plus
one ``omnibox worker`` on PostgreSQL and Redis Streams) it sets up a fresh database, adds a
Telegram account, starts the service and the bare endpoint as subprocesses under the same
uvicorn settings, and drives both with the same signed Telegram updates (unique update ids)
over keep-alive connections. It prints requests/s, ack latency p50/p99, their ratio, and
whether every acknowledged update was stored exactly once once the queue has drained.

Everything runs on 127.0.0.1, in a temporary directory, under a hard time limit per backend;
every process it starts is killed (by its process group) when the backend is done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import _profile
import httpx
from _load import LoadResult, TelegramUpdates, drive, percentile

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
GOAL_RATIO = 0.6
BOT_TOKEN = "123456:BENCH"  # noqa: S105 - a made-up token for a local bot
FIRST_CHAT = 7_000_000_000
SERVICE_FIRST_ID = 1_000_000
BARE_FIRST_ID = 500_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """The bench could not run (setup, start-up, time limit); the message says why."""


# ----------------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(f"    {line}" for line in text[-lines:])


class Procs:
    """The subprocesses of one backend run; each in its own session, stopped by process group."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.running: list[Proc] = []

    def start(self, name: str, argv: list[str]) -> Proc:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.running.append(proc)
        return proc

    def run(self, name: str, argv: list[str], timeout: float = 60) -> str:
        """Run a short command to completion; its stdout, or BenchError with its output."""
        try:
            done = subprocess.run(
                argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{name}: no answer within {timeout:.0f} s") from exc
        if done.returncode != 0:
            raise BenchError(f"{name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def check_alive(self) -> None:
        for p in self.running:
            if p.popen.poll() is not None:
                raise BenchError(f"{p.name} exited with {p.popen.returncode}:\n{p.tail()}")

    def stop_all(self) -> None:
        for p in self.running:
            _signal_group(p, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in self.running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for p in self.running:
            _signal_group(p, signal.SIGKILL)  # whatever it left behind in its group
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=5)
        self.running.clear()


def _signal_group(p: Proc, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(p.pid, sig)  # start_new_session: the group id is the child's own pid


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def box_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total


async def background_cpu(seconds: float = 1.0) -> float:
    """Share of the machine busy while this bench is idle: other work skews the figures."""
    b0 = box_cpu()
    await asyncio.sleep(seconds)
    b1 = box_cpu()
    return (b1[0] - b0[0]) / max(1, b1[1] - b0[1])


async def wait_http_ok(procs: Procs, port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=2) as client:
        while True:
            procs.check_alive()
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(path)).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise BenchError(f"nothing answered {path} on port {port} within {timeout:.0f} s")
            await asyncio.sleep(0.1)


async def queue_depth(port: int) -> float | None:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://{HOST}:{port}/metrics")).text
    m = re.search(r"^omnibox_queue_depth (\S+)$", text, re.MULTILINE)
    return float(m.group(1)) if m else None


# ----------------------------------------------------------------------------- backends


@dataclass
class Target:
    name: str  # "bare" | "service"
    port: int
    pids: dict[str, int]  # process label -> pid, for CPU accounting
    next_id: int


@dataclass
class PhaseResult:
    target: str
    phase: str  # "warmup" | "measured"
    result: LoadResult
    cpu: dict[str, float]  # label -> share of one core over the phase (1.0 = 100%)
    box_busy: float  # share of all cores busy over the phase

    def summary(self) -> dict[str, Any]:
        r = self.result
        lat = sorted(r.latencies)
        ok = len(r.acknowledged)
        return {
            "target": self.target,
            "phase": self.phase,
            "requests": r.count,
            "acknowledged": ok,
            "statuses": {str(k): v for k, v in sorted(r.status_counts().items())},
            "elapsed_s": round(r.elapsed_s, 3),
            "rps": round(ok / r.elapsed_s, 1) if r.elapsed_s else 0.0,
            "p50_ms": round(percentile(lat, 50) * 1000, 2),
            "p99_ms": round(percentile(lat, 99) * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "client_cpu": round(r.client_cpu_s / r.elapsed_s, 3) if r.elapsed_s else 0.0,
            "server_cpu": {k: round(v, 3) for k, v in self.cpu.items()},
            "box_cpu_busy": round(self.box_busy, 3),
            "errors": sorted(set(r.errors))[:10],
        }


@dataclass
class BackendRun:
    name: str
    args: argparse.Namespace
    workdir: Path
    procs: Procs
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    account_id: int = 0
    phases: list[PhaseResult] = field(default_factory=list)
    drains: list[float | None] = field(default_factory=list)  # None: did not drain in time
    background_cpu: float = 0.0
    round_no: dict[tuple[str, str], int] = field(default_factory=dict)
    service_acked: list[int] = field(default_factory=list)

    # --- subclasses: the database, the service processes, what got stored
    async def prepare(self) -> None:
        raise NotImplementedError

    async def start_service(self, port: int) -> dict[str, int]:
        raise NotImplementedError

    async def stored(self) -> dict[str, Any]:
        raise NotImplementedError

    async def cleanup(self) -> None:
        return None

    def omnibox(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "api", *args]

    def add_account(self) -> None:
        self.procs.run("omnibox migrate", self.omnibox("migrate"), timeout=120)
        out = self.procs.run(
            "omnibox account add",
            self.omnibox(
                "account",
                "add",
                "telegram",
                "--name",
                "bench",
                "--token",
                BOT_TOKEN,
                f"--webhook-secret={self.secret}",  # a secret may start with "-"
            ),
        )
        m = re.search(r"account (\d+) ", out)
        if not m:
            raise BenchError(f"cannot read the account id from: {out!r}")
        self.account_id = int(m.group(1))

    # --- the run
    async def execute(self) -> dict[str, Any]:
        a = self.args
        await self.prepare()
        self.add_account()
        service_port, bare_port = free_port(), free_port()
        service_pids = await self.start_service(service_port)
        bare = self.procs.start(
            "bare",
            [sys.executable, str(BENCH_DIR / "_bare_app.py"), "--port", str(bare_port)],
        )
        await wait_http_ok(self.procs, service_port, "/healthz")
        await wait_http_ok(self.procs, bare_port, "/healthz")
        service = Target("service", service_port, service_pids, SERVICE_FIRST_ID)
        bare_t = Target("bare", bare_port, {"bare": bare.pid}, BARE_FIRST_ID)

        self.background_cpu = await background_cpu()
        print(f"  machine busy before the run: {self.background_cpu * 100:.0f}%", flush=True)
        if a.warmup:
            await self.phase(bare_t, "warmup", a.warmup, None)
            await self.phase(service, "warmup", a.warmup, None)
            if await self.drain(service_port) is None:
                raise BenchError(f"the queue did not drain after warm-up in {a.drain_timeout} s")
        for _ in range(a.rounds):
            await self.phase(bare_t, "measured", a.requests, a.duration)
            await self.phase(service, "measured", a.requests, a.duration)
            samplers = self.start_profiles(service, "drain")
            drained = await self.drain(service_port)
            self.stop_profiles(samplers)
            self.drains.append(drained)
            if drained is None:
                break  # report what was stored; what is still queued shows as not stored
        stored = await self.stored()
        return self.report(stored)

    async def phase(
        self, target: Target, phase: str, requests: int | None, duration: float | None
    ) -> PhaseResult:
        self.procs.check_alive()
        updates = TelegramUpdates(
            host=HOST,
            port=target.port,
            account_id=self.account_id,
            secret=self.secret,
            chats=self.args.chats,
            first_chat=FIRST_CHAT,
        )
        samplers = self.start_profiles(target, phase)
        cpu0 = {k: proc_cpu_seconds(pid) for k, pid in target.pids.items()}
        box0 = box_cpu()
        result = await drive(
            host=HOST,
            port=target.port,
            make_request=updates.request,
            first_id=target.next_id,
            requests=requests,
            duration=duration,
            concurrency=self.args.concurrency,
            timeout=self.args.phase_timeout,
        )
        box1 = box_cpu()
        self.stop_profiles(samplers)
        cpu = {
            k: (proc_cpu_seconds(pid) - cpu0[k]) / result.elapsed_s
            for k, pid in target.pids.items()
        }
        target.next_id = max(result.ids, default=target.next_id - 1) + 1
        busy = (box1[0] - box0[0]) / max(1, box1[1] - box0[1])
        pr = PhaseResult(target.name, phase, result, cpu, busy)
        self.phases.append(pr)
        if target.name == "service":
            self.service_acked.extend(result.acknowledged)
        s = pr.summary()
        print(
            f"  {self.name:<8} {target.name:<7} {phase:<8} {s['requests']:>7} req "
            f"{s['rps']:>9.1f} req/s  p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms  "
            f"statuses {s['statuses']}",
            flush=True,
        )
        self.procs.check_alive()
        return pr

    def start_profiles(self, target: Target, phase: str) -> list[_profile.Sampler]:
        if self.args.profile is None or phase == "warmup":
            return []
        self.round_no[(target.name, phase)] = n = self.round_no.get((target.name, phase), 0) + 1
        self.args.profile.mkdir(parents=True, exist_ok=True)
        return [
            _profile.Sampler(pid, self.args.profile / f"{self.name}-{label}-{phase}-{n}.txt")
            for label, pid in target.pids.items()
        ]

    def stop_profiles(self, samplers: list[_profile.Sampler]) -> None:
        for s in samplers:
            s.stop()
            if s.out.exists():
                summary = _profile.summarise(s.out)
                s.out.with_suffix(".summary").write_text(summary + "\n")
                print(f"  profile: {s.out.with_suffix('.summary')}", flush=True)

    async def drain(self, port: int) -> float | None:
        """Seconds until the service's queue is empty (polled through /metrics); None: timeout."""
        t0 = time.perf_counter()
        while True:
            if time.perf_counter() - t0 > self.args.drain_timeout:
                print(f"  queue not drained after {self.args.drain_timeout:.0f} s", flush=True)
                return None
            self.procs.check_alive()
            depth = await queue_depth(port)
            if depth is None:
                raise BenchError("/metrics has no omnibox_queue_depth")
            if depth == 0:
                took = time.perf_counter() - t0
                print(f"  queue drained {took:.1f} s after the last ack", flush=True)
                return took
            await asyncio.sleep(0.1)

    def report(self, stored: dict[str, Any]) -> dict[str, Any]:
        measured = [p for p in self.phases if p.phase == "measured"]
        targets: dict[str, Any] = {}
        for name in ("bare", "service"):
            ps = [p for p in measured if p.target == name]
            lat = sorted(x for p in ps for x in p.result.latencies)
            ok = sum(len(p.result.acknowledged) for p in ps)
            sent = sum(p.result.count for p in ps)
            elapsed = sum(p.result.elapsed_s for p in ps)
            cpu: dict[str, float] = {}
            for p in ps:
                for k, v in p.cpu.items():
                    cpu[k] = cpu.get(k, 0.0) + v * p.result.elapsed_s
            targets[name] = {
                "requests": sent,
                "acknowledged": ok,
                "failed": sent - ok,
                "elapsed_s": round(elapsed, 3),
                "rps": round(ok / elapsed, 1) if elapsed else 0.0,
                "p50_ms": round(percentile(lat, 50) * 1000, 2),
                "p99_ms": round(percentile(lat, 99) * 1000, 2),
                "client_cpu": round(sum(p.result.client_cpu_s for p in ps) / elapsed, 3),
                "server_cpu": {k: round(v / elapsed, 3) for k, v in cpu.items()},
                "box_cpu_busy": round(
                    sum(p.box_busy * p.result.elapsed_s for p in ps) / elapsed, 3
                ),
            }
        bare_rps = targets["bare"]["rps"]
        ratio = targets["service"]["rps"] / bare_rps if bare_rps else 0.0
        svc = targets["service"]
        drained = all(d is not None for d in self.drains)
        drain_total = sum(d or 0.0 for d in self.drains)
        e2e = svc["acknowledged"] / (svc["elapsed_s"] + drain_total) if drained else None
        acked = set(self.service_acked)
        found: list[str] = stored["external_ids"]
        found_set = set(found)
        updates = TelegramUpdates(
            host=HOST, port=0, account_id=0, secret="", chats=self.args.chats, first_chat=FIRST_CHAT
        )
        expected = {updates.external_id(uid): uid for uid in acked}
        missing = sorted(uid for ext, uid in expected.items() if ext not in found_set)
        duplicates = len(found) - len(found_set)
        check = {
            "acknowledged": len(acked),
            "stored_of_acknowledged": len(acked) - len(missing),
            "missing": len(missing),
            "missing_sample": missing[:20],
            "duplicates": duplicates,
            "stored_not_acknowledged": len(found_set - set(expected)),
            **{k: v for k, v in stored.items() if k != "external_ids"},
        }
        check["drained"] = drained
        check["ok"] = (
            drained
            and not missing
            and duplicates == 0
            and check.get("dead_letters", 0) == 0
            and check.get("queue_left", 0) == 0
        )
        return {
            "backend": self.name,
            "targets": targets,
            "ratio": round(ratio, 3),
            "goal_ratio": GOAL_RATIO,
            "ratio_met": ratio >= GOAL_RATIO,
            "drain_timeout_s": self.args.drain_timeout,
            "machine_busy_before": round(self.background_cpu, 3),
            "drain_s_after_service_runs": [None if d is None else round(d, 3) for d in self.drains],
            "service_end_to_end_msgs_per_s": None if e2e is None else round(e2e, 1),
            "stored_check": check,
            "phases": [p.summary() for p in self.phases],
        }


class EmbeddedRun(BackendRun):
    async def prepare(self) -> None:
        self.db = self.workdir / "bench.db"
        self.procs.env["OMNIBOX_DATABASE_URL"] = f"sqlite+aiosqlite:///{self.db}"

    async def start_service(self, port: int) -> dict[str, int]:
        p = self.procs.start(
            "serve", self.omnibox("serve", "--port", str(port), "--log-level", "warning")
        )
        return {"serve": p.pid}

    async def stored(self) -> dict[str, Any]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT external_id FROM messages WHERE account_id = ?", (self.account_id,)
                )
            ]
            statuses = dict(
                db.execute("SELECT status, count(*) FROM queue_events GROUP BY status").fetchall()
            )
            dead = db.execute("SELECT count(*) FROM dead_events").fetchone()[0]
        return {
            "external_ids": ids,
            "queue_events_by_status": statuses,
            "queue_left": sum(v for k, v in statuses.items() if k != "done"),
            "dead_letters": dead,
        }


class ScaledRun(BackendRun):
    async def prepare(self) -> None:
        import asyncpg
        from redis.asyncio import Redis

        a = self.args
        self.pg_admin = a.pg_dsn
        self.db_name = a.pg_database
        await self._pg_admin(
            f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.db_name}"',
        )
        url = urlsplit(a.pg_dsn)._replace(path=f"/{self.db_name}")
        self.pg_dsn = url.geturl()
        self.procs.env["OMNIBOX_DATABASE_URL"] = self.pg_dsn.replace(
            "postgresql://", "postgresql+asyncpg://", 1
        )
        self.procs.env["OMNIBOX_REDIS_URL"] = a.redis_url
        redis = Redis.from_url(a.redis_url)
        try:
            await redis.flushdb()
        finally:
            await redis.aclose()
        self._asyncpg = asyncpg

    async def _pg_admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.pg_admin)
        try:
            for s in statements:
                await conn.execute(s)
        finally:
            await conn.close()

    async def start_service(self, port: int) -> dict[str, int]:
        api = self.procs.start(
            "api", self.omnibox("api", "--port", str(port), "--log-level", "warning")
        )
        worker = self.procs.start("worker", self.omnibox("worker"))
        return {"api": api.pid, "worker": worker.pid}

    async def stored(self) -> dict[str, Any]:
        from redis.asyncio import Redis

        conn = await self._asyncpg.connect(self.pg_dsn)
        try:
            rows = await conn.fetch(
                "SELECT external_id FROM messages WHERE account_id = $1", self.account_id
            )
            dead = await conn.fetchval("SELECT count(*) FROM dead_events")
        finally:
            await conn.close()
        redis = Redis.from_url(self.args.redis_url)
        try:
            stream_len = await redis.xlen("omnibox:events")
            delayed = await redis.zcard("omnibox:delayed")
            pending = await redis.xpending("omnibox:events", "workers")
        finally:
            await redis.aclose()
        return {
            "external_ids": [r[0] for r in rows],
            "stream_len": stream_len,
            "delayed": delayed,
            "pending": int(pending["pending"]),
            "queue_left": stream_len + delayed + int(pending["pending"]),
            "dead_letters": int(dead),
        }

    async def cleanup(self) -> None:
        if self.args.keep:
            return
        from redis.asyncio import Redis

        with contextlib.suppress(Exception):
            await self._pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        redis = Redis.from_url(self.args.redis_url)
        with contextlib.suppress(Exception):
            await redis.flushdb()
        await redis.aclose()


BACKENDS: dict[str, type[BackendRun]] = {"embedded": EmbeddedRun, "scaled": ScaledRun}


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["OMNIBOX_ENVIRONMENT"] = "development"
    env["OMNIBOX_SECRET_KEY"] = secrets.token_urlsafe(48)
    env["OMNIBOX_ACCESS_LOG"] = "false"
    env["OMNIBOX_PUBLIC_URL"] = f"http://{HOST}"
    return env


async def run_backend(name: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"omnibox-bench-{name}-"))
    procs = Procs(workdir, base_env())
    run = BACKENDS[name](name=name, args=args, workdir=workdir, procs=procs)
    print(f"[{name}] workdir {workdir}", flush=True)
    try:
        async with asyncio.timeout(args.timeout):
            return await run.execute()
    except TimeoutError:
        raise BenchError(f"{name}: over the {args.timeout:.0f} s limit") from None
    except BenchError:
        raise
    finally:
        procs.stop_all()
        await run.cleanup()
        if args.keep:
            print(f"[{name}] kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# ----------------------------------------------------------------------------- output


def print_report(reports: list[dict[str, Any]]) -> None:
    print()
    cols = (
        f"{'backend':<9}{'target':<9}{'requests':>9}{'failed':>8}{'rps':>10}"
        f"{'p50_ms':>9}{'p99_ms':>9}  {'client_cpu':>10}  {'box_cpu':>8}  server_cpu"
    )
    print(cols)
    print("-" * len(cols))
    for rep in reports:
        for name in ("bare", "service"):
            t = rep["targets"][name]
            server = " + ".join(f"{k} {v * 100:.0f}%" for k, v in t["server_cpu"].items())
            print(
                f"{rep['backend']:<9}{name:<9}{t['requests']:>9}{t['failed']:>8}"
                f"{t['rps']:>10.1f}{t['p50_ms']:>9.2f}{t['p99_ms']:>9.2f}  "
                f"{t['client_cpu'] * 100:>9.0f}%  {t['box_cpu_busy'] * 100:>7.0f}%  {server}"
            )
    print()
    for rep in reports:
        c = rep["stored_check"]
        verdict = "met" if rep["ratio_met"] else "NOT met"
        drains = rep["drain_s_after_service_runs"]
        if c["drained"]:
            drain = (
                f"queue drained {sum(drains):.1f} s after the last ack, "
                f"end to end {rep['service_end_to_end_msgs_per_s']:.0f} msg/s"
            )
        else:
            drain = f"queue NOT drained within {rep['drain_timeout_s']:.0f} s"
        print(
            f"{rep['backend']}: ratio {rep['ratio']:.3f} (goal >= {GOAL_RATIO}: {verdict}); "
            f"{drain}; machine busy before the run {rep['machine_busy_before'] * 100:.0f}%"
        )
        line = (
            f"{rep['backend']}: stored: {c['stored_of_acknowledged']}/{c['acknowledged']} "
            f"acknowledged, duplicates: {c['duplicates']}, missing: {c['missing']}, "
            f"dead letters: {c['dead_letters']}, left in queue: {c['queue_left']}"
        )
        if c["missing"]:
            line += f" (first missing update ids: {c['missing_sample']})"
        print(line + ("" if c["ok"] else "  <-- FAILED"))


def environment() -> dict[str, Any]:
    import fastapi
    import uvicorn

    versions: dict[str, str] = {"python": platform.python_version()}
    versions["fastapi"] = fastapi.__version__
    versions["uvicorn"] = uvicorn.__version__
    for mod in ("uvloop", "httptools", "starlette", "sqlalchemy", "aiosqlite", "asyncpg", "redis"):
        with contextlib.suppress(Exception):
            versions[mod] = __import__(mod).__version__
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu": cpu, "versions": versions}


def loopback_only(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return
    if host != "localhost":
        sys.exit(f"bench/ingest: {what} must be on this machine (loopback), got {host!r}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/ingest",
        description="Webhook ingest: the service against a bare FastAPI endpoint, same load.",
    )
    p.add_argument("--backend", choices=["embedded", "scaled", "both"], default="both")
    load = p.add_mutually_exclusive_group()
    load.add_argument("--requests", type=int, default=None, help="per measured phase (20000)")
    load.add_argument("--duration", type=float, default=None, help="seconds per measured phase")
    p.add_argument("--concurrency", type=int, default=64, help="keep-alive connections (64)")
    p.add_argument("--warmup", type=int, default=1000, help="requests per target first (1000)")
    p.add_argument("--rounds", type=int, default=1, help="bare/service alternations (1)")
    p.add_argument("--chats", type=int, default=500, help="distinct private chats (500)")
    p.add_argument("--timeout", type=float, default=300, help="hard limit per backend, s (300)")
    p.add_argument("--phase-timeout", type=float, default=120, help="limit per load phase, s")
    p.add_argument(
        "--drain-timeout", type=float, default=120, help="wait for the queue to empty, s (120)"
    )
    p.add_argument(
        "--pg-dsn",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin DSN used to create and drop the bench database",
    )
    p.add_argument("--pg-database", default="omnibox_bench")
    p.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/15", help="flushed before and after"
    )
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="py-spy the server processes during measured phases and drains (perturbs figures)",
    )
    p.add_argument("--keep", action="store_true", help="keep the workdir, database and Redis db")
    p.add_argument("--check", action="store_true", help="also exit 2 when the ratio goal is missed")
    p.add_argument("--json", type=Path, default=None, help="summary path (bench/results/…)")
    args = p.parse_args(argv)
    if args.requests is None and args.duration is None:
        args.requests = 20000
    if args.profile is not None and not _profile.available():
        sys.exit("bench/ingest: --profile needs py-spy (pip install py-spy)")
    loopback_only(args.pg_dsn, "--pg-dsn")
    loopback_only(args.redis_url, "--redis-url")
    return args


async def amain(args: argparse.Namespace) -> int:
    names = ["embedded", "scaled"] if args.backend == "both" else [args.backend]
    reports: list[dict[str, Any]] = []
    failures: list[str] = []
    load = f"{args.requests} requests" if args.requests else f"{args.duration:g} s"
    print(
        f"ingest bench: {load} per phase, concurrency {args.concurrency}, warm-up {args.warmup}, "
        f"rounds {args.rounds}, {os.cpu_count()} CPUs",
        flush=True,
    )
    for name in names:
        try:
            reports.append(await run_backend(name, args))
        except BenchError as exc:
            failures.append(f"{name}: {exc}")
            print(f"[{name}] FAILED: {exc}", file=sys.stderr, flush=True)
    if reports:
        print_report(reports)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.json or RESULTS_DIR / f"ingest-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "when": stamp,
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "environment": environment(),
        "results": reports,
        "failures": failures,
    }
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nsummary: {out}")
    if failures or not all(r["stored_check"]["ok"] for r in reports):
        return 1
    if args.check and not all(r["ratio_met"] for r in reports):
        return 2
    return 0


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(amain(args)))
    sys.exit(uvloop.run(amain(args)))
