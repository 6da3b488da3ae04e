"""Pick the queue backend from the settings: Redis Streams when a Redis URL is set."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.queue.base import EventQueue
from inbox.queue.embedded import EmbeddedQueue
from inbox.queue.redis_streams import RedisStreamQueue
from inbox.settings import Settings


def make_queue(settings: Settings, engine: AsyncEngine, *, prefix: str = "omnibox:") -> EventQueue:
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url, decode_responses=False)
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
