"""The maintenance loop: every registered job runs, a failing one neither stops the others nor
spins, and a stop is prompt even when the next round is far away."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest

from api.runtime import Runtime
from inbox import metrics
from inbox.maintenance import loop as maintenance
from inbox.maintenance.loop import Job, MaintenanceLoop


def _failures(job: str) -> float:
    return metrics.MAINTENANCE_FAILURES.labels(job)._value.get()  # type: ignore[no-any-return]


async def test_a_failing_job_does_not_stop_the_others_and_backs_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maintenance, "FAILURE_BACKOFF_SECONDS", 0.1)
    rounds: list[str] = []

    async def broken(now: datetime) -> datetime | None:
        rounds.append("broken")
        raise RuntimeError("the database is gone")

    async def healthy(now: datetime) -> datetime | None:
        rounds.append("healthy")
        return None

    loop = MaintenanceLoop(
        [Job("test-broken", broken, every=60.0), Job("test-healthy", healthy, every=0.02)]
    )
    before = _failures("test-broken")
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(task, timeout=1)

    assert rounds.count("healthy") >= 5  # it kept running beside the failing job
    # Backing off 0.1, 0.2, 0.4 s: a handful of tries in half a second, not thousands.
    assert 2 <= rounds.count("broken") <= 4, rounds.count("broken")
    assert loop.failures["test-broken"] == rounds.count("broken")
    assert loop.failures["test-healthy"] == 0
    assert _failures("test-broken") - before == rounds.count("broken")


async def test_a_job_runs_when_it_asked_to_and_a_stop_is_prompt() -> None:
    started = datetime.now().astimezone()
    ran_at: list[float] = []

    async def timed(now: datetime) -> datetime | None:
        ran_at.append(time.monotonic())
        return now + timedelta(seconds=0.3) if len(ran_at) == 1 else None

    loop = MaintenanceLoop([Job("test-timed", timed, every=3600.0)])
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    await asyncio.sleep(0.6)
    assert len(ran_at) == 2  # at start, then at the time it named; the hour is not up
    assert 0.25 <= ran_at[1] - ran_at[0] < 0.5
    stop.set()
    stopped = time.monotonic()
    await asyncio.wait_for(task, timeout=1)
    assert time.monotonic() - stopped < 0.2
    assert datetime.now().astimezone() > started


def test_job_names_are_unique() -> None:
    async def nothing(now: datetime) -> None:
        return None

    with pytest.raises(ValueError, match="unique"):
        MaintenanceLoop([Job("same", nothing, 1.0), Job("same", nothing, 1.0)])


async def test_the_runtime_registers_every_job(runtime: Runtime) -> None:
    names = [job.name for job in runtime.make_maintenance().jobs]
    assert names == [
        "queue-purge",
        "session-purge",
        "snooze-wake-ups",
        "sla-deadlines",
        "business-hours",
        "report-blocks",
    ]
