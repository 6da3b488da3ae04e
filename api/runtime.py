"""The composition root: builds engine, queue, intake and worker, and hands adapters in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.plugins import SenderOverride
from bots.registry import (
    build_adapters,
    build_media_fetchers,
    build_senders,
    build_webhook_sender,
)
from inbox import platforms
from inbox.accounts.directory import AccountDirectory
from inbox.automation.runner import Automation
from inbox.channels import ChannelAdapter
from inbox.db import make_engine
from inbox.intake import Intake
from inbox.live import (
    LiveBus,
    LocalLiveBus,
    LocalPresence,
    PresenceRegistry,
    RedisLiveBus,
    RedisPresence,
)
from inbox.maintenance.jobs import MAX_SLEEP, maintenance_jobs
from inbox.maintenance.loop import MaintenanceLoop
from inbox.media import MediaFetcher
from inbox.newsletters.delivery import campaign_states
from inbox.newsletters.dispatcher import Dispatcher, Pace
from inbox.outbound import ChannelSender, Deliverer
from inbox.outbox.policy import SendPolicy
from inbox.outbox.sender import OutboxSender
from inbox.queue.base import EventQueue
from inbox.queue.factory import make_queue
from inbox.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter
from inbox.reactions import compose as compose_reactions
from inbox.sessions.guard import LoginGuard
from inbox.settings import Settings
from inbox.users.signing_key import signing_key
from inbox.worker.loop import RetryPolicy, Worker

log = logging.getLogger("omnibox")
REDIS_CONNECTIONS = 64  # per process: rate-limit buckets, live events, presence


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        queue_prefix: str | None = None,
        sender_overrides: Sequence[SenderOverride] = (),
    ) -> None:
        """``sender_overrides`` send some accounts' messages elsewhere (a plug-in's, such as
        the demo's: see :mod:`api.plugins`); without them the platform senders are used as
        they are."""
        self.settings = settings
        self.engine: AsyncEngine = make_engine(settings.database_url)
        self.queue_prefix = queue_prefix or settings.queue_prefix
        self.queue: EventQueue = make_queue(settings, self.engine, prefix=self.queue_prefix)
        self.intake = Intake(self.queue)
        self.accounts = AccountDirectory(self.engine)
        self.adapters: dict[str, ChannelAdapter] = build_adapters()
        platforms.register(*(adapter.traits for adapter in self.adapters.values()))
        self._stop = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None
        self._sender_task: asyncio.Task[None] | None = None
        self._maintenance_task: asyncio.Task[None] | None = None
        self._dispatch_task: asyncio.Task[None] | None = None
        self._senders: dict[str, ChannelSender] = {}
        self._redis: Redis | None = None
        self._webhooks: Deliverer | None = None
        self._media: dict[str, MediaFetcher] | None = None
        self.sender_overrides = tuple(sender_overrides)
        self.automation = Automation(auto_replies_per_hour=settings.auto_replies_per_hour)
        # What follows a change, run by every transaction's owner (inbox/reactions.py).
        self.reactions = compose_reactions(self.automation)
        self.login_guard = LoginGuard(
            self.make_limiter(),
            per_ip=settings.login_attempts_per_ip,
            per_email=settings.login_attempts_per_email,
        )
        # Live events and presence: across processes through Redis, else within this one.
        self.live: LiveBus
        self.presence: PresenceRegistry
        ttl, typing_ttl = settings.presence_ttl_seconds, settings.presence_typing_seconds
        if settings.redis_url:
            self.live = RedisLiveBus(self.redis, f"{self.queue_prefix}live")
            self.presence = RedisPresence(self.redis, self.queue_prefix, ttl, typing_ttl)
        else:
            self.live = LocalLiveBus()
            self.presence = LocalPresence(ttl, typing_ttl)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signing_key: str | None = None

    async def signing_key(self) -> str:
        """The key API tokens are signed with: configured, or this install's own (see
        :func:`inbox.users.signing_key.signing_key`), read once per process."""
        if self._signing_key is None:
            configured = self.settings.secret_key
            self._signing_key = await signing_key(
                self.engine, configured.get_secret_value() if configured else None
            )
        return self._signing_key

    @property
    def redis(self) -> Redis:
        """One Redis client for this process's rate limits and live events (REDIS_URL set)."""
        if self._redis is None:
            assert self.settings.redis_url, "redis is used only when OMNIBOX_REDIS_URL is set"
            # A blocking pool: a burst of sends waits for a connection instead of failing with
            # "Too many connections" (redis-py's default pool raises at its cap).
            pool = BlockingConnectionPool.from_url(
                self.settings.redis_url, max_connections=REDIS_CONNECTIONS, timeout=30
            )
            self._redis = Redis(connection_pool=pool)
        return self._redis

    @property
    def media(self) -> dict[str, MediaFetcher]:
        """Attachment fetchers per channel, made on first use, closed at :meth:`stop`."""
        if self._media is None:
            s = self.settings
            self._media = build_media_fetchers(
                s.telegram_api_base,
                extra_hosts=s.media_extra_hosts,
                max_bytes=s.attachment_max_bytes,
                timeout=s.attachment_timeout_seconds,
            )
        return self._media

    def make_limiter(self) -> RateLimiter:
        """Buckets shared by every process through Redis, or this process's own."""
        if self.settings.redis_url:
            return RedisRateLimiter(self.redis, self.queue_prefix)
        return LocalRateLimiter()

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
            reactions=self.reactions,
            live=self.live,
            accounts=self.accounts,
        )

    @property
    def senders(self) -> Mapping[str, ChannelSender]:
        """The platform senders by channel (as the overrides route them), made on first use,
        closed at :meth:`stop`."""
        if not self._senders:
            s = self.settings
            senders = build_senders(
                s.telegram_api_base, s.vk_api_base, s.graph_api_base, s.graph_api_version
            )
            for override in self.sender_overrides:
                senders = override.route(senders)
            self._senders = senders
        return self._senders

    def make_sender(self) -> OutboxSender:
        """The outbox sender, with the platform clients and the shared rate-limit buckets."""
        s = self.settings
        limiter = self.make_limiter()
        policy = SendPolicy(
            max_attempts=s.outbox_max_attempts,
            retry_base_seconds=s.queue_retry_base_seconds,
            retry_max_seconds=s.queue_retry_max_seconds,
            lease_seconds=s.queue_lease_seconds,
            rates=platforms.configured_rates(s),
        )
        if self._webhooks is None:
            self._webhooks = build_webhook_sender()
        return OutboxSender(
            self.engine,
            self.senders,
            limiter,
            self._webhooks,
            policy=policy,
            reactions=self.reactions,
            campaign_states=campaign_states,
            batch_size=500,  # five VK newsletter calls of 100 recipients per claim
            max_in_flight=2000,
            idle_seconds=s.worker_idle_seconds,
            live=self.live,
            accounts=self.accounts,
        )

    def make_dispatcher(self) -> Dispatcher:
        """Starts scheduled campaigns and hands their recipients to the outbox at its pace."""
        s = self.settings
        pace = Pace(platforms.configured_rates(s))
        return Dispatcher(self.engine, pace=pace, idle_seconds=s.worker_idle_seconds)

    def make_maintenance(self, *, max_sleep: float = MAX_SLEEP) -> MaintenanceLoop:
        """The maintenance loop and its jobs (:mod:`inbox.maintenance`): purges, snooze
        wake-ups, SLA deadlines and ``no_reply`` waits, business hours, report blocks.
        ``max_sleep`` bounds the wait of the jobs driven by due times."""
        jobs = maintenance_jobs(
            self.engine,
            self.queue,
            session_idle=timedelta(minutes=self.settings.session_idle_minutes),
            automation=self.automation,
            live=self.live,
            max_sleep=max_sleep,
            reactions=self.reactions,
        )
        return MaintenanceLoop(jobs)

    async def start(self, *, intake: bool = True, worker: bool = False) -> None:
        """``worker`` runs the background loops here: the event worker, the outbox sender, the
        maintenance loop and the newsletter dispatcher."""
        self._loop = asyncio.get_running_loop()
        await self.signing_key()  # an unmigrated database fails here, at start, not at sign-in
        if intake:
            self.intake.start()
        if worker:
            for override in self.sender_overrides:
                await override.start()
            self._worker_task = asyncio.create_task(
                self.make_worker(beside_intake=intake).run(self._stop), name="omnibox-worker"
            )
            self._sender_task = asyncio.create_task(
                self.make_sender().run(self._stop), name="omnibox-outbox"
            )
            self._maintenance_task = asyncio.create_task(
                self.make_maintenance().run(self._stop), name="omnibox-maintenance"
            )
            self._dispatch_task = asyncio.create_task(
                self.make_dispatcher().run(self._stop), name="omnibox-newsletters"
            )

    def shutting_down(self) -> None:
        """The server was told to stop (a signal handler may call this): end the live streams
        now, so their connections close and the server's graceful shutdown can finish."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.live.end_streams)

    async def stop(self) -> None:
        self.live.end_streams()
        self._stop.set()
        tasks = (
            self._worker_task,
            self._sender_task,
            self._maintenance_task,
            self._dispatch_task,
        )
        for task in tasks:
            if task is None:
                continue
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for sender in self._senders.values():
            await sender.close()
        for fetcher in (self._media or {}).values():
            await fetcher.close()
        for override in self.sender_overrides:
            await override.close()
        if self._webhooks is not None:
            await self._webhooks.close()
        await self.live.close()
        if self._redis is not None:
            await self._redis.aclose()
        await self.intake.stop()
        await self.queue.close()
        await self.engine.dispose()
