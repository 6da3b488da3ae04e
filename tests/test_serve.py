"""The newcomer's path: `omnibox serve` on the embedded default stores a webhook end to end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.factories import TG_SECRET, TG_TOKEN, body_of
from tests.support.payloads import load_payload

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _omnibox(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_stores_a_telegram_dm_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env["OMNIBOX_ENVIRONMENT"] = "development"
    env["OMNIBOX_WORKER_IDLE_SECONDS"] = "0.05"
    # No OMNIBOX_DATABASE_URL: the default ./omnibox.db in the working directory is used.
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "omnibox serve did not come up"
            time.sleep(0.2)
        assert (tmp_path / "omnibox.db").exists()

        made = _omnibox(
            "user",
            "add",
            "--email",
            "admin@example.com",
            "--password",
            "password-123",
            "--role",
            "admin",
            env=env,
            cwd=tmp_path,
        )
        assert made.returncode == 0, made.stderr
        added = _omnibox(
            "account",
            "add",
            "telegram",
            "--name",
            "Acme",
            "--token",
            TG_TOKEN,
            "--webhook-secret",
            TG_SECRET,
            env=env,
            cwd=tmp_path,
        )
        assert added.returncode == 0, added.stderr
        assert "/webhooks/telegram/1" in added.stdout

        r = httpx.post(
            f"{base}/webhooks/telegram/1",
            content=body_of(load_payload("telegram", "message__dm_text")),
            headers={
                "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 200
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"email": "admin@example.com", "password": "password-123"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 30
        while True:
            items = httpx.get(f"{base}/api/v1/conversations", headers=headers).json()["items"]
            if items:
                break
            assert time.monotonic() < deadline, "the worker never stored the message"
            time.sleep(0.1)
        assert items[0]["contact"]["display_name"] == "Alina Petrova"
        assert httpx.get(f"{base}/docs").status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
        assert 'omnibox_webhooks_received_total{channel="telegram"} 1.0' in metrics
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
