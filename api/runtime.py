"""The composition root: builds engine, queue, intake and worker, and hands adapters in."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bots.registry import build_adapters
from inbox.accounts.directory import AccountDirectory
from inbox.channels import ChannelAdapter
from inbox.db import make_engine, make_sessionmaker
from inbox.intake import Intake
from inbox.queue.base import EventQueue
from inbox.queue.factory import make_queue
from inbox.settings import Settings
from inbox.worker.loop import RetryPolicy, Worker

log = logging.getLogger("omnibox")


class Runtime:
    def __init__(self, settings: Settings, *, queue_prefix: str | None = None) -> None:
        self.settings = settings
        self.engine: AsyncEngine = make_engine(settings.database_url)
        self.sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(self.engine)
        self.queue: EventQueue = make_queue(
            settings, self.engine, prefix=queue_prefix or settings.queue_prefix
        )
        self.intake = Intake(self.queue)
        self.accounts = AccountDirectory(self.engine)
        self.adapters: dict[str, ChannelAdapter] = build_adapters()
        self._stop = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None

    def make_worker(self, *, beside_intake: bool = False) -> Worker:
        s = self.settings
        return Worker(
            self.engine,
            self.queue,
            self.adapters,
            retry=RetryPolicy(
                s.queue_max_attempts, s.queue_retry_base_seconds, s.queue_retry_max_seconds
            ),
            batch_size=s.worker_batch_size,
            idle_seconds=s.worker_idle_seconds,
            defer_to=self.intake.under_pressure if beside_intake else None,
        )

    async def start(self, *, intake: bool = True, worker: bool = False) -> None:
        if intake:
            self.intake.start()
        if worker:
            self._worker_task = asyncio.create_task(
                self.make_worker(beside_intake=intake).run(self._stop), name="omnibox-worker"
            )

    async def stop(self) -> None:
        self._stop.set()
        if self._worker_task is not None:
            try:
                await asyncio.wait_for(self._worker_task, timeout=10)
            except TimeoutError:
                self._worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._worker_task
        await self.intake.stop()
        await self.queue.close()
        await self.engine.dispose()
