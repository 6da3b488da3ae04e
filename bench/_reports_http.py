"""The HTTP side of ``bench/reports``: ``omnibox api`` as a subprocess (its own session,
stopped by process group), an admin's token, and each request timed end to end."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from _reports_sql import Spec, stats

HOST = "127.0.0.1"


class BenchError(Exception):
    """The bench could not run; the message says why."""


class Server:
    """``omnibox api`` in its own session; stopped by process group."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.port = _free_port()
        self.log = workdir / "api.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [sys.executable, "-m", "api", "api", "--port", str(self.port)]
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [*argv, "--log-level", "warning"],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        return ""

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{self.port}", timeout=2) as c:
            while True:
                if self.popen is None or self.popen.poll() is not None:
                    raise BenchError(f"omnibox api exited:\n{self.tail()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await c.get("/healthz")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise BenchError(f"omnibox api not ready within {timeout:.0f} s")
                await asyncio.sleep(0.2)

    def stop(self) -> None:
        if self.popen is None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, sig)  # start_new_session: group id = its pid
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=wait)
        self.popen = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv[2:4])} failed:\n{done.stdout}{done.stderr[-2000:]}")
    return done.stdout


async def token(server: Server, env: dict[str, str]) -> str:
    email, password = f"admin-{secrets.token_hex(4)}@bench.local", secrets.token_urlsafe(16)
    argv = [sys.executable, "-m", "api", "user", "add", "--email", email]
    _run([*argv, "--password", password, "--role", "admin"], env, server.workdir, 120)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{server.port}", timeout=30) as c:
        r = await c.post("/api/v1/auth/token", json={"email": email, "password": password})
        if r.status_code != 200:
            raise BenchError(f"no token: {r.status_code} {r.text[:300]}")
        return str(r.json()["access_token"])


async def time_http(
    client: httpx.AsyncClient, spec: Spec, end: dt.datetime, a: argparse.Namespace
) -> dict[str, Any]:
    """Warm-ups, then the timed runs; a first run slower than ``--slow-s`` is the only one,
    a statement timeout (the server answers 500 after it) ends the request's runs."""
    path, params = f"/api/v1/reports/{spec.path}", spec.params(end)
    latencies: list[float] = []
    size, body = 0, b""
    for n in range(a.warmup + a.repeat):
        t0 = time.perf_counter()
        r = await _get(client, path, params)
        took = (time.perf_counter() - t0) * 1000
        if r.status_code == 500 and took >= 0.9 * a.statement_timeout * 1000:
            return {"timeout": True, "runs": len(latencies)}
        if r.status_code != 200:
            raise BenchError(f"{spec.name}: {r.status_code} {r.text[:300]}")
        slow = took > a.slow_s * 1000
        if n >= a.warmup or slow:
            latencies.append(took)
        size, body = len(r.content), r.content
        if slow:
            break
    out: dict[str, Any] = {"runs": len(latencies), **stats(latencies), "bytes": size}
    if spec.path == "summary" and not spec.csv:
        out["cycles"] = json.loads(body)["total"]["cycles"]
    return out


async def _get(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> httpx.Response:
    """GET, once more on a fresh connection if the kept-alive one was closed (uvicorn closes
    it after a request that raised, such as one cancelled by the statement timeout)."""
    try:
        return await client.get(path, params=params)
    except httpx.TransportError:
        try:
            return await client.get(path, params=params)
        except httpx.TransportError as exc:
            raise BenchError(f"GET {path}: {exc!r}") from exc


def box_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values[:8]) - idle, sum(values[:8])


async def machine_load() -> dict[str, Any]:
    """How busy the machine is with other work while the bench idles: it skews every figure."""
    b0 = box_busy()
    await asyncio.sleep(2)
    b1 = box_busy()
    share = (b1[0] - b0[0]) / max(1, b1[1] - b0[1])
    return {"busy_share": round(share, 3), "loadavg": os.getloadavg(), "cpus": os.cpu_count()}
