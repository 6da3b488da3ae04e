"""Two of the promises in README.md under stress: nothing doubled, nothing lost.

- The same platform event delivered many times at once (and to several workers at once)
  yields one message.
- A worker process killed with SIGKILL while it holds events leaves them to be taken again:
  after a restart every acknowledged event is stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from api.runtime import Runtime
from inbox.queue.models import QueuedEventRow
from tests.support.backends import Backend
from tests.support.factories import (
    add_all_accounts,
    admin_headers,
    drain,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.payloads import load_payload
from tests.support.probes import message_count, wait_for, with_changes

COPIES = 20
_queued = QueuedEventRow.__table__  # type: ignore[attr-defined]


async def _post(client: httpx.AsyncClient, channel: str, account_id: int, payload: Any) -> int:
    if channel == "telegram":
        return (await post_telegram(client, account_id, payload)).status_code
    if channel == "vk":
        return (await post_vk(client, account_id, payload)).status_code
    return (await post_facebook(client, payload)).status_code


CASES = {
    "telegram": ("message__dm_text", "telegram"),
    "vk": ("message_new", "vk"),
    "facebook": ("messages__text", "facebook"),
    "instagram": ("messages__text", "instagram"),
}


class TestNothingDoubled:
    @pytest.mark.parametrize("channel", sorted(CASES))
    async def test_same_event_delivered_concurrently_is_one_message(
        self, client: httpx.AsyncClient, runtime: Runtime, channel: str
    ) -> None:
        headers = await admin_headers(client, runtime)
        accounts = await add_all_accounts(client, headers)
        fixture, folder = CASES[channel]
        payload = load_payload(folder, fixture)
        account_id = accounts[channel]["id"]

        statuses = await asyncio.gather(
            *(_post(client, channel, account_id, payload) for _ in range(COPIES))
        )
        assert set(statuses) == {200}
        # Two workers race over whatever reached the queue.
        w1, w2 = runtime.make_worker(), runtime.make_worker()
        await asyncio.gather(w1.run_once(), w2.run_once())
        await drain(runtime)
        assert await message_count(runtime) == 1
        assert await runtime.queue.depth() == 0

        # A late redelivery, after processing, is still one message.
        assert await _post(client, channel, account_id, payload) == 200
        await drain(runtime)
        assert await message_count(runtime) == 1

    async def test_one_message_in_two_deliveries_processed_at_once_is_stored_once(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        """Different delivery ids get past the door; the message id still decides."""
        headers = await admin_headers(client, runtime)
        tg = (await add_all_accounts(client, headers))["telegram"]["id"]
        first = load_payload("telegram", "message__dm_text")
        copies = [with_changes(first, update_id=first["update_id"] + i) for i in range(10)]
        assert {(await post_telegram(client, tg, p)).status_code for p in copies} == {200}
        workers = [runtime.make_worker() for _ in range(4)]
        for w in workers:
            w._batch_size = 3  # spread the copies over the workers
        await asyncio.gather(*(w.run_once() for w in workers))
        await drain(runtime)
        assert await message_count(runtime) == 1


def _configured_key(runtime: Runtime) -> str:
    assert runtime.settings.secret_key is not None
    return runtime.settings.secret_key.get_secret_value()


def _worker_env(backend: Backend, runtime: Runtime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env.update(
        OMNIBOX_ENVIRONMENT="test",
        OMNIBOX_DATABASE_URL=backend.database_url,
        OMNIBOX_QUEUE_PREFIX=backend.queue_prefix,
        OMNIBOX_QUEUE_LEASE_SECONDS="1",
        OMNIBOX_WORKER_BATCH_SIZE="5",
        OMNIBOX_WORKER_IDLE_SECONDS="0.05",
        OMNIBOX_SECRET_KEY=_configured_key(runtime),
    )
    if backend.redis_url:
        env["OMNIBOX_REDIS_URL"] = backend.redis_url
    return env


async def _held_by(runtime: Runtime, backend: Backend, pid: int) -> int:
    """Events the worker process ``pid`` has taken and not acknowledged.

    Workers name themselves ``<host>-<pid>-<random>``, so a dead worker's leases are told
    apart from those of the workers before it.
    """
    tag = f"-{pid}-"
    if backend.redis_url:
        redis = Redis.from_url(backend.redis_url, decode_responses=True)
        try:
            consumers = await redis.xinfo_consumers(f"{backend.queue_prefix}events", "workers")
        finally:
            await redis.aclose()
        return sum(int(c["pending"]) for c in consumers if tag in c["name"])
    async with runtime.engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).where(
                _queued.c.status == "pending", _queued.c.lease_owner.contains(tag)
            )
        )
    return int(count or 0)


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
class TestNothingLost:
    async def test_worker_killed_mid_batch_loses_and_doubles_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime, backend: Backend, tmp_path: Path
    ) -> None:
        headers = await admin_headers(client, runtime)
        tg = (await add_all_accounts(client, headers))["telegram"]["id"]
        template = load_payload("telegram", "message__dm_text")
        total = 400
        for i in range(total):
            update = with_changes(
                template,
                update_id=5_000_000 + i,
                **{"message.message_id": 10_000 + i, "message.chat.id": 900_000 + i % 40},
            )
            assert (await post_telegram(client, tg, update)).status_code == 200

        env = _worker_env(backend, runtime)
        log = tmp_path / "worker.log"
        interrupted = 0
        for _attempt in range(20):  # until three kills have caught a worker holding events
            before = await message_count(runtime)
            proc = _start_worker(env, log)
            await wait_for(
                partial(message_count, runtime),
                until=before.__lt__,
                timeout=60,
                interval=0.005,
                what="the new worker to store something",
            )
            _kill(proc)
            interrupted += bool(await _held_by(runtime, backend, proc.pid))
            if interrupted >= 3 or await message_count(runtime) >= total:
                break
        assert interrupted >= 1, log.read_text(errors="replace")[-3000:]

        proc = _start_worker(env, log)  # the restart: takes over what the dead ones held
        try:
            deadline = time.monotonic() + 90
            while await runtime.queue.depth() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        finally:
            _kill(proc)
        assert await runtime.queue.depth() == 0, log.read_text(errors="replace")[-3000:]
        assert await message_count(runtime) == total
        for i in range(0, total, 37):
            chat = 900_000 + i % 40
            assert await message_count(runtime, f"{chat}:{10_000 + i}") == 1
