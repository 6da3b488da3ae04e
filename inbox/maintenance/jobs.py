"""The maintenance jobs of a worker process, registered in one list: :func:`maintenance_jobs`.

Each job keeps its own multi-process guarantee, since every worker process runs them all:
the purges delete by age (repeating one deletes nothing), snooze wake-ups and SLA firings
claim their row or insert their key before acting, the business-hours recompute skips rows
another process holds, and one report-block rebuilder runs at a time (an advisory lock).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.automation.runner import Automation
from inbox.changes import Reactions
from inbox.db import unit_of_work
from inbox.live import LiveBus
from inbox.maintenance.loop import Job
from inbox.maintenance.sla_deadlines import SlaDeadlines
from inbox.maintenance.snooze import SnoozeWakeUps
from inbox.queue.base import EventQueue
from inbox.queue.embedded import EmbeddedQueue
from inbox.reporting import blocks
from inbox.reporting.recompute import recompute_batch
from inbox.sessions import service as sessions

log = logging.getLogger("omnibox.maintenance")

# The longest a job driven by due times waits between rounds: a due time another process
# (or this one's event worker) wrote meanwhile is seen within it.
MAX_SLEEP = 20.0
PURGE_EVERY_SECONDS = 600.0
# Telegram redelivers for up to 24 h and Meta for 36 h; a week keeps a wide margin.
DEDUP_HORIZON_SECONDS = 7 * 24 * 3600


def maintenance_jobs(
    engine: AsyncEngine,
    queue: EventQueue,
    *,
    session_idle: timedelta,
    automation: Automation | None = None,
    live: LiveBus | None = None,
    max_sleep: float = MAX_SLEEP,
    reactions: Reactions,
) -> list[Job]:
    """Every job, in the order a round runs them (``reactions``: what follows the changes the
    wake-ups and the rules make, :mod:`inbox.reactions`)."""
    snoozes = SnoozeWakeUps(engine, live=live, reactions=reactions)
    deadlines = SlaDeadlines(engine, automation, live=live, reactions=reactions)
    return [
        Job("queue-purge", partial(purge_queue, queue), PURGE_EVERY_SECONDS),
        Job("session-purge", partial(purge_sessions, engine, session_idle), PURGE_EVERY_SECONDS),
        Job("snooze-wake-ups", snoozes.round, max_sleep),
        Job("sla-deadlines", deadlines.round, max_sleep),
        Job("business-hours", partial(recompute_business_hours, engine), max_sleep),
        Job("report-blocks", partial(rebuild_report_blocks, engine), max_sleep),
    ]


async def purge_queue(queue: EventQueue, now: datetime) -> None:
    """Forget processed deliveries once no platform can redeliver them. Only the embedded
    queue keeps them: Redis deletes an acknowledged entry at once, and its dedup keys expire."""
    if isinstance(queue, EmbeddedQueue):
        removed = await queue.purge_done(DEDUP_HORIZON_SECONDS)
        if removed:
            log.info("purged %d processed events", removed)


async def purge_sessions(engine: AsyncEngine, idle: timedelta, now: datetime) -> None:
    """Delete web sessions that have ended (a refused cookie's request rolls back, so the
    request cannot delete it itself)."""
    async with unit_of_work(engine) as conn:
        await sessions.purge_ended(conn, idle=idle)


async def recompute_business_hours(engine: AsyncEngine, now: datetime) -> datetime | None:
    """Re-measure cycles a calendar or policy change marked; at once again while any were
    left, since more may be waiting."""
    async with unit_of_work(engine) as conn:
        recomputed = await recompute_batch(conn)
    return now if recomputed else None


async def rebuild_report_blocks(engine: AsyncEngine, now: datetime) -> datetime | None:
    """Rebuild changed report days once settled (``blocks.rebuild``); at once again while any
    were rebuilt."""
    async with unit_of_work(engine) as conn:
        rebuilt = await blocks.rebuild(conn)
    return now if rebuilt else None
