"""One loop for the background jobs of a worker process, each a named :class:`Job`.

A job runs one round when it is due and answers when it next wants to run: the SLA deadlines
and the snooze wake-ups name their nearest due time, so the loop sleeps exactly until then,
while each job's ``every`` bounds the wait (a deadline another process wrote is seen within
it). Jobs run one after another: they are short database rounds, and taking turns keeps a
SQLite file's single writer free for the event worker between them.

A job that raises is logged and counted (``omnibox_maintenance_failures_total``) and retried
after a backoff that doubles up to its ``every``: it neither stops the other jobs nor spins on
a failing database. The stop event cuts any sleep short; a round already running finishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from inbox import metrics
from inbox.types import utcnow

log = logging.getLogger("omnibox.maintenance")

FAILURE_BACKOFF_SECONDS = 1.0  # after the first failure of a job; doubled per failure


@dataclass(frozen=True, slots=True)
class Job:
    """``run(now)`` does one round and returns when the job next wants to run (a time already
    past: at once), or None for "after ``every`` seconds"; ``every`` is also the longest the
    job ever waits between rounds."""

    name: str
    run: Callable[[datetime], Awaitable[datetime | None]]
    every: float


class MaintenanceLoop:
    def __init__(self, jobs: Sequence[Job], *, now: Callable[[], datetime] = utcnow) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = tuple(jobs)
        self.failures: Counter[str] = Counter()  # per job, since start
        self._now = now
        self._streak: Counter[str] = Counter()  # failures in a row, for the backoff

    async def run(self, stop: asyncio.Event) -> None:
        log.info("maintenance loop started: %s", ", ".join(job.name for job in self.jobs))
        next_at = dict.fromkeys((job.name for job in self.jobs), self._now())
        while not stop.is_set():
            for job in self.jobs:
                if stop.is_set():
                    break
                now = self._now()
                if next_at[job.name] <= now:
                    next_at[job.name] = await self._round(job, now)
            pause = (min(next_at.values(), default=self._now()) - self._now()).total_seconds()
            if pause > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)
            else:
                await asyncio.sleep(0)  # something is due at once: let other tasks in first
        log.info("maintenance loop stopped")

    async def _round(self, job: Job, now: datetime) -> datetime:
        """Run one round of ``job``; when it is next due."""
        latest = now + timedelta(seconds=job.every)
        try:
            wanted = await job.run(now)
        except Exception:
            self.failures[job.name] += 1
            self._streak[job.name] += 1
            metrics.MAINTENANCE_FAILURES.labels(job.name).inc()
            doubled = FAILURE_BACKOFF_SECONDS * 2 ** min(self._streak[job.name] - 1, 30)
            backoff = min(job.every, doubled)
            log.exception("maintenance job %s failed; trying again in %.1f s", job.name, backoff)
            return self._now() + timedelta(seconds=backoff)
        self._streak[job.name] = 0
        return latest if wanted is None else min(latest, wanted)
