"""Pick the queue backend from the settings: Redis Streams when a Redis URL is set."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.queue.base import EventQueue
from inbox.queue.embedded import EmbeddedQueue
from inbox.queue.redis_streams import RedisStreamQueue
from inbox.settings import Settings


def make_queue(settings: Settings, engine: AsyncEngine, *, prefix: str = "omnibox:") -> EventQueue:
    if settings.redis_url:
        # Blocking: at its cap a caller waits for a connection rather than failing.
        pool = BlockingConnectionPool.from_url(
            settings.redis_url, decode_responses=False, max_connections=64, timeout=30
        )
        redis = Redis(connection_pool=pool)
        return RedisStreamQueue(
            redis,
            engine,
            prefix=prefix,
            lease_seconds=settings.queue_lease_seconds,
            max_attempts=settings.queue_max_attempts,
            block_ms=max(1, int(settings.worker_idle_seconds * 1000)),
        )
    return EmbeddedQueue(
        engine,
        lease_seconds=settings.queue_lease_seconds,
        max_attempts=settings.queue_max_attempts,
    )
