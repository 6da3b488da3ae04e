"""The newcomer's path: `omnibox serve` on the embedded default stores a webhook end to end, and
after `omnibox demo` sends an answer in a demo conversation to the local fake platforms."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from demo import scenario
from tests.support.factories import TG_SECRET, TG_TOKEN, body_of
from tests.support.payloads import load_payload

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _omnibox(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``omnibox`` console script: the one subprocess smoke test of the CLI (the
    CLI tests elsewhere call the same ``main`` in-process)."""
    script = Path(sys.executable).parent / "omnibox"
    return subprocess.run(
        [
            str(script) if script.is_file() else sys.executable,
            *([] if script.is_file() else ["-m", "api"]),
            *args,
        ],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def _serving(env: dict[str, str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``omnibox serve`` in a process of its own, up; its base URL and the process."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=cwd,
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
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _newcomer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env["OMNIBOX_ENVIRONMENT"] = "development"
    env["OMNIBOX_WORKER_IDLE_SECONDS"] = "0.05"
    return env


def test_serve_stores_a_telegram_dm_end_to_end(tmp_path: Path) -> None:
    env = _newcomer_env()
    # No OMNIBOX_DATABASE_URL: the default ./omnibox.db in the working directory is used.
    with _serving(env, tmp_path) as (base, _server):
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


def test_after_the_demo_an_answer_in_a_demo_conversation_shows_as_sent(tmp_path: Path) -> None:
    """The demo plug-in, found through its entry point because the database has demo accounts,
    starts the local fake platforms and sends the demo accounts' replies there."""
    env = _newcomer_env()
    filled = _omnibox("demo", env=env, cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr
    thread = scenario.THREADS[0]
    assert thread.channel == "telegram"
    with _serving(env, tmp_path) as (base, server):
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"email": "admin@example.com", "password": scenario.PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        page = httpx.get(f"{base}/api/v1/conversations", params={"limit": 200}, headers=headers)
        [conversation] = [
            c for c in page.json()["items"] if c["contact"]["external_id"] == thread.person.id
        ]
        messages = f"{base}/api/v1/conversations/{conversation['id']}/messages"
        r = httpx.post(messages, json={"text": "It ships tomorrow."}, headers=headers)
        assert r.status_code == 201, r.text
        deadline = time.monotonic() + 30
        while True:
            items = httpx.get(messages, params={"limit": 500}, headers=headers).json()["items"]
            [answer] = [m for m in items if m["text"] == "It ships tomorrow."]
            if answer["delivery_status"] == "sent":
                break
            assert answer["delivery_status"] != "failed", answer
            assert time.monotonic() < deadline, f"still {answer['delivery_status']}"
            time.sleep(0.2)
    log = server.stdout.read() if server.stdout else ""
    assert "accounts marked 'demo' found: the demo plug-in sends their messages" in log
