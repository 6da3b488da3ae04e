"""Processed rows of the embedded queue are forgotten after the redelivery horizon."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from api.runtime import Runtime
from inbox.queue.base import NewEvent
from inbox.queue.embedded import EmbeddedQueue
from inbox.queue.models import QueuedEventRow


async def _rows(rt: Runtime) -> int:
    table = QueuedEventRow.__table__  # type: ignore[attr-defined]
    async with rt.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_purge_drops_only_processed_rows_older_than_the_horizon(runtime: Runtime) -> None:
    queue = runtime.queue
    if not isinstance(queue, EmbeddedQueue):
        return  # Redis deletes acknowledged entries at once; nothing to purge there
    now = time.time()
    done, waiting = (
        NewEvent("telegram", 1, "1", b"{}", now),
        NewEvent("telegram", 1, "2", b"{}", now),
    )
    assert await queue.enqueue_many([done, waiting]) == [True, True]
    [first, second] = await queue.claim("w", 2)
    await queue.ack([first])
    await queue.retry(second, delay=3600, error="later")

    assert await queue.purge_done(older_than_seconds=3600) == 0  # too recent
    assert await queue.purge_done(older_than_seconds=-1) == 1
    assert await _rows(runtime) == 1  # the pending one stays
    assert await queue.depth() == 1
