"""A real omnibox for the browser tests: ``omnibox serve`` in a subprocess on a fresh SQLite
database, with its platform API bases pointed at fake platform servers that run in a thread of
the test process (so tests can read what the "platforms" received)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from fakes import FakeGraph, FakeTelegram, FakeVk
from tests.support.factories import ACCOUNT_BODIES, TG_SECRET
from tests.support.payloads import sign_facebook

T = TypeVar("T")
PASSWORD = "browser-password-1"
FB_APP_SECRET = "fb-app-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Fakes:
    """FakeTelegram, FakeVk and FakeGraph on their own event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.telegram = FakeTelegram()
        self.vk = FakeVk()
        self.graph = FakeGraph()
        for fake in (self.telegram, self.vk, self.graph):
            self.run(fake.start())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def close(self) -> None:
        for fake in (self.telegram, self.vk, self.graph):
            self.run(fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


@dataclass
class Service:
    base_url: str
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[str]
    fakes: Fakes
    accounts: dict[str, dict[str, Any]]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def add_user(self, email: str, role: str, name: str = "") -> None:
        args = ["user", "add", "--email", email, "--password", PASSWORD, "--role", role]
        self.cli(*args, *(["--name", name] if name else []))

    def token(self, email: str) -> dict[str, str]:
        r = httpx.post(
            f"{self.base_url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def telegram_update(self, update: dict[str, Any]) -> None:
        account = self.accounts["telegram"]["id"]
        r = httpx.post(
            f"{self.base_url}/webhooks/telegram/{account}",
            content=json.dumps(update, ensure_ascii=False).encode(),
            headers={
                "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 200, r.text

    def facebook_event(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        r = httpx.post(
            f"{self.base_url}/webhooks/facebook",
            content=raw,
            headers={
                "X-Hub-Signature-256": sign_facebook(raw, FB_APP_SECRET),
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 200, r.text

    def wait_for(self, what: str, check: Any, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)

    def conversations(self, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.base_url}/api/v1/conversations", params=params, headers=headers)
        r.raise_for_status()
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def serve(workdir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """``omnibox serve`` on a free port, once ``/healthz`` answers: (process, base URL)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"omnibox serve exited: {out}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("omnibox serve did not come up in 90 s")
        time.sleep(0.2)


def start_service(workdir: Path, fakes: Fakes) -> Service:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env.update(
        {
            "OMNIBOX_ENVIRONMENT": "development",
            "OMNIBOX_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'omnibox.db'}",
            "OMNIBOX_SECRET_KEY": "browser-tests-secret-" + "x" * 32,
            "OMNIBOX_WORKER_IDLE_SECONDS": "0.05",
            "OMNIBOX_TELEGRAM_API_BASE": fakes.telegram.base_url,
            "OMNIBOX_VK_API_BASE": fakes.vk.base_url,
            "OMNIBOX_GRAPH_API_BASE": fakes.graph.base_url,
            "OMNIBOX_FACEBOOK_APP_SECRET": FB_APP_SECRET,
            "OMNIBOX_FACEBOOK_VERIFY_TOKEN": "fb-verify-token",
            # Every browser signs in from 127.0.0.1: the per-address throttle is tested apart.
            "OMNIBOX_LOGIN_ATTEMPTS_PER_IP": "1000",
        }
    )
    process, base = serve(workdir, env)
    service = Service(base, workdir, env, process, fakes, {})
    service.add_user("admin@example.com", "admin", "Ada Admin")
    admin = service.token("admin@example.com")
    for channel in ("telegram", "facebook"):
        r = httpx.post(f"{base}/api/v1/accounts", json=ACCOUNT_BODIES[channel], headers=admin)
        assert r.status_code == 201, r.text
        service.accounts[channel] = r.json()
    return service


def stop_service(service: Service) -> None:
    try:
        os.killpg(service.process.pid, signal.SIGTERM)
        service.process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(service.process.pid, signal.SIGKILL)
