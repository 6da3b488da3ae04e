"""The outbox sender: claims due rows and makes each platform call within the platform's limits.

Rows of one chat are sent in order, one after the other; different chats go in parallel, each
waiting only for its own buckets. What a failure means is decided here from the error type of
:mod:`inbox.channels` alone: wait (rate limit, not counted as an attempt), back off (transient,
up to ``max_attempts``), or give up on the item (refused) or on the person (recipient gone).
Once a row is recorded sent or failed, its conversation is announced on the live bus
(``reason: "delivery"``), so the agents see the message's delivery state change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.channels import ChannelError, RateLimited, RecipientGone, Refused
from inbox.db import Conn, transact
from inbox.events import Channel, ThreadKind
from inbox.live import LiveBus, conversation_changed, publish_quietly
from inbox.newsletters.delivery import CAMPAIGN_KEY, CANCELLED_REASON, campaign_states
from inbox.outbound import (
    AccountAuth,
    BatchSender,
    ChannelSender,
    Deliverer,
    Outbound,
    OutboundAction,
    buttons_from_json,
)
from inbox.outbox import store
from inbox.outbox.batches import batch_random_id, split_batches
from inbox.outbox.ratelimit import Limit, RateLimiter, acquire
from inbox.outbox.store import Claimed
from inbox.types import utcnow

log = logging.getLogger("omnibox.outbox")

META_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
ACCOUNT_CACHE_SECONDS = 5.0
PAUSED_RECHECK_SECONDS = 2.0  # a paused campaign's queued rows look again this often


_Write = tuple[Any, Claimed, tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SendPolicy:
    max_attempts: int = 8
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0
    lease_seconds: float = 60.0
    telegram_per_second: float = 25.0
    vk_per_second: float = 15.0
    meta_per_second: float = 250.0

    def backoff(self, attempts: int) -> float:
        return float(min(self.retry_max_seconds, self.retry_base_seconds * 2 ** (attempts - 1)))

    def limits(self, channel: str, account_id: int, item: Claimed) -> tuple[Limit, ...]:
        chat = str(item.request.get("peer_id", ""))
        if channel == Channel.TELEGRAM:
            if item.request.get("private"):
                chat = str(item.request.get("recipient_id", chat))
            group = item.request.get("thread_kind") == ThreadKind.COMMENT and not item.request.get(
                "private"
            )
            per_chat = Limit(f"tg:{account_id}:{chat}", 20 / 60 if group else 1.0, burst=3)
            # Bot-wide and community-wide buckets take no burst: the platforms count calls in
            # a sliding second, and a burst on top of the rate overflows it (429, VK error 6).
            return per_chat, Limit(f"tg:{account_id}", self.telegram_per_second, burst=1)
        if channel == Channel.VK:
            return (Limit(f"vk:{account_id}", self.vk_per_second, burst=1),)
        return (Limit(f"meta:{account_id}", self.meta_per_second, burst=20),)


def _safe_to_resend(channel: str, action: str) -> bool:
    """After a crash mid-call: VK dedups on random_id / guid, moderation is idempotent, and a
    webhook receiver can drop a repeat by its delivery id."""
    return channel == Channel.VK or action != OutboundAction.SEND


class OutboxSender:
    def __init__(
        self,
        engine: AsyncEngine,
        senders: Mapping[str, ChannelSender],
        limiter: RateLimiter,
        webhooks: Deliverer | None = None,
        *,
        policy: SendPolicy,
        batch_size: int = 50,
        idle_seconds: float = 0.5,
        live: LiveBus | None = None,
    ) -> None:
        self._engine = engine
        self._senders = senders
        self._webhooks = webhooks
        self._limiter = limiter
        self._policy = policy
        self._batch_size = batch_size
        self._idle = idle_seconds
        self._accounts: dict[int, tuple[float, Any]] = {}
        self._live = live

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:
                log.exception("outbox iteration failed; pausing before the next")
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._idle)

    async def run_once(self) -> int:
        """Send one batch of due rows; returns how many were taken."""
        batch = await transact(
            self._engine,
            lambda conn: store.claim(
                conn, limit=self._batch_size, lease_seconds=self._policy.lease_seconds
            ),
        )
        items = await self._held_campaigns(batch)
        for account_id in {i.account_id for i in items if CAMPAIGN_KEY in i.request}:
            await self._account(account_id)  # cached: which sender can batch this account
        groups, singles = split_batches(items, self._batch_sender)
        chats: dict[tuple[int, str], list[Claimed]] = {}
        for item in singles:
            chats.setdefault((item.account_id, str(item.request.get("peer_id"))), []).append(item)
        await asyncio.gather(
            *(self._send_chat(items) for items in chats.values()),
            *(self._send_batch(group) for group in groups),
        )
        return len(batch)

    async def _held_campaigns(self, batch: list[Claimed]) -> list[Claimed]:
        """Rows of a paused campaign wait (not counted as an attempt), those of a cancelled or
        deleted one are dropped; the rest go on. A row interrupted mid-call goes on as well:
        only the usual check can tell whether resending it is safe."""
        held = [i for i in batch if CAMPAIGN_KEY in i.request and not i.interrupted]
        if not held:
            return batch
        states = await transact(
            self._engine,
            lambda conn: campaign_states(conn, (int(i.request[CAMPAIGN_KEY]) for i in held)),
        )
        writes: list[_Write] = []
        for item in held:
            state = states.get(int(item.request[CAMPAIGN_KEY]))
            if state == "paused":
                why = "the campaign is paused"
                writes.append(
                    (
                        store.reschedule,
                        item,
                        (PAUSED_RECHECK_SECONDS, why),
                        {"count_attempt": False},
                    )
                )
            elif state in (None, "cancelled"):
                writes.append(
                    (store.mark_failed, item, (CANCELLED_REASON,), {"unreachable": False})
                )
        await self._write_all(writes)
        stopped = {w[1].id for w in writes}
        return [i for i in batch if i.id not in stopped]

    def _batch_sender(self, account_id: int) -> BatchSender | None:
        hit = self._accounts.get(account_id)
        if hit is None or hit[1] is None:
            return None
        sender = self._senders.get(str(hit[1].channel))
        return sender if hasattr(sender, "deliver_batch") else None  # type: ignore[return-value]

    async def _send_batch(self, items: list[Claimed]) -> None:
        """Newsletter rows of one campaign and one text in one call (VK ``peer_ids``), at the
        account's pace: one slot per call. The call's random_id is written on the rows first,
        so a resend after a crash repeats the same call, which VK drops."""
        account = await self._account(items[0].account_id)
        sender = self._batch_sender(items[0].account_id)
        if account is None or sender is None:
            await asyncio.gather(*(self._send_one(item) for item in items))
            return
        rid = batch_random_id(items)
        await transact(
            self._engine,
            lambda conn: store.mark_batch(conn, [i.id for i in items], f"vk-batch:{rid}"),
        )
        channel = str(account.channel)
        try:
            outbound = [await self._outbound(item, account) for item in items]
            await acquire(self._limiter, *self._policy.limits(channel, account.id, items[0]))
            results: list[Any] = await sender.deliver_batch(outbound, rid)
        except ChannelError as exc:
            results = [exc] * len(items)
        except Exception as exc:  # network trouble or a bug: every row tries again later
            results = [exc] * len(items)
        writes = [
            await self._outcome(item, result, channel)
            for item, result in zip(items, results, strict=True)
        ]

        await self._write_all(writes)

    async def _write_all(self, writes: list[_Write]) -> None:
        """Several rows' outcomes in one transaction (rows without a conversation: nothing to
        announce on the live bus)."""
        if not writes:
            return

        async def body(conn: Conn) -> None:
            for fn, item, args, kwargs in writes:
                await fn(conn, item, *args, **kwargs)

        await transact(self._engine, body)

    async def _penalise(self, channel: str, item: Claimed, retry_after: float) -> None:
        """A 429 holds every bucket the call drew from: Telegram's flood wait covers the bot,
        not only the chat, so a campaign slows down as a whole instead of retrying at speed."""
        for limit in self._policy.limits(channel, item.account_id, item):
            await self._limiter.penalise(limit.key, retry_after)

    async def _outcome(self, item: Claimed, result: Any, channel: str) -> _Write:
        """One row's share of a batched call, decided as :meth:`_send_one` decides a call's."""
        if isinstance(result, RateLimited):
            await self._penalise(channel, item, result.retry_after)
            return (
                store.reschedule,
                item,
                (result.retry_after, str(result)),
                {"count_attempt": False},
            )
        if isinstance(result, RecipientGone):
            return store.mark_failed, item, (str(result),), {"unreachable": True}
        if isinstance(result, Refused):
            return store.mark_failed, item, (str(result),), {"unreachable": False}
        if isinstance(result, Exception):
            reason = f"{type(result).__name__}: {result}"
            if item.attempts >= self._policy.max_attempts:
                return store.mark_failed, item, (reason,), {"unreachable": False}
            return store.reschedule, item, (self._policy.backoff(item.attempts), reason), {}
        return store.mark_sent, item, (result.external_id,), {}

    async def _send_chat(self, items: list[Claimed]) -> None:
        for n, item in enumerate(items):
            wait = await self._send_one(item)
            if wait is not None:  # rate limited: the rest of this chat waits too, in order
                for later in items[n + 1 :]:
                    await self._write(
                        store.reschedule,
                        later,
                        wait,
                        "waiting for the chat's rate limit",
                        count_attempt=False,
                    )
                return

    async def _send_one(self, item: Claimed) -> float | None:
        """Make the call and record the outcome; the wait in seconds when rate limited."""
        account = await self._account(item.account_id)
        if account is None:
            await self._write(store.mark_failed, item, "the account was deleted", unreachable=False)
            return None
        channel = str(account.channel)
        if item.interrupted and not _safe_to_resend(channel, item.action):
            await self._write(
                store.mark_failed,
                item,
                "the service stopped while sending this; it may have reached the customer, "
                "so it was not sent again (check the platform, then resend)",
                unreachable=False,
            )
            return None
        try:
            outbound = await self._outbound(item, account)
            if item.action == OutboundAction.WEBHOOK:
                if self._webhooks is None:
                    raise Refused("this process sends no webhooks")
                delivered = await self._webhooks.deliver(outbound)
            else:
                limits = self._policy.limits(channel, item.account_id, item)
                await acquire(self._limiter, *limits)
                delivered = await self._senders[channel].deliver(outbound)
        except RateLimited as exc:
            await self._penalise(channel, item, exc.retry_after)
            await self._write(
                store.reschedule, item, exc.retry_after, str(exc), count_attempt=False
            )
            return exc.retry_after
        except RecipientGone as exc:
            await self._write(store.mark_failed, item, str(exc), unreachable=True)
            return None
        except Refused as exc:
            await self._write(store.mark_failed, item, str(exc), unreachable=False)
            return None
        except Exception as exc:  # TransientError, network trouble, a bug: try again later
            reason = f"{type(exc).__name__}: {exc}"
            if item.attempts >= self._policy.max_attempts:
                await self._write(store.mark_failed, item, reason, unreachable=False)
            else:
                delay = self._policy.backoff(item.attempts)
                log.warning("outbox %s: retry in %.1fs: %s", item.id, delay, reason)
                await self._write(store.reschedule, item, delay, reason)
            return None
        await self._write(store.mark_sent, item, delivered.external_id)
        return None

    async def _outbound(self, item: Claimed, account: Any) -> Outbound:
        r = item.request
        tag = None
        if (
            account.channel in (Channel.FACEBOOK, Channel.INSTAGRAM)
            and item.action == OutboundAction.SEND
            and r.get("thread_kind") == ThreadKind.DIRECT
        ):
            tag = await self._meta_window(item, account)
        try:
            buttons = buttons_from_json(r.get("buttons"))
        except ValueError as exc:
            raise Refused(f"the stored buttons cannot be sent: {exc}") from exc
        return Outbound(
            outbox_id=item.id,
            idempotency_key=item.idempotency_key,
            account=AccountAuth(
                id=account.id,
                channel=Channel(account.channel),
                external_id=account.external_id,
                token=account.token,
                options=account.options or {},
            ),
            action=OutboundAction(item.action),
            thread_kind=ThreadKind(r.get("thread_kind", ThreadKind.DIRECT)),
            peer_id=str(r.get("peer_id", "")),
            text=str(r.get("text", "")),
            target_external_id=r.get("target_external_id"),
            post_id=r.get("post_id"),
            recipient_id=r.get("recipient_id"),
            private=bool(r.get("private", False)),
            messaging_tag=tag,
            url=r.get("url"),
            body=r["body"].encode() if isinstance(r.get("body"), str) else None,
            secret=r.get("secret"),
            buttons=buttons,
        )

    async def _meta_window(self, item: Claimed, account: Any) -> str | None:
        """Meta lets a page answer within 24 h of the customer's last message (7 days for a
        human agent, where the page is allowed to). Refuse before the call otherwise."""
        contact_id = item.request.get("contact_id")
        last = None
        if contact_id is not None:
            last = await transact(
                self._engine,
                lambda conn: store.last_inbound_at(conn, item.account_id, int(contact_id)),
            )
        age = None if last is None else utcnow() - last
        if age is not None and age <= META_WINDOW:
            return None
        if (
            age is not None
            and age <= HUMAN_AGENT_WINDOW
            and (account.options or {}).get("allow_human_agent")
        ):
            return "HUMAN_AGENT"
        when = "never" if last is None else f"at {last:%Y-%m-%d %H:%M} UTC"
        raise Refused(
            f"outside Meta's 24-hour window: the customer last wrote {when}; Meta allows "
            "replies only within 24 hours (7 days with the human-agent tag, if enabled)"
        )

    async def _account(self, account_id: int) -> Any:
        hit = self._accounts.get(account_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        row = await transact(self._engine, lambda conn: store.account_row(conn, account_id))
        self._accounts[account_id] = (time.monotonic() + ACCOUNT_CACHE_SECONDS, row)
        return row

    async def _write(self, fn: Any, item: Claimed, *args: Any, **kwargs: Any) -> None:
        async def body(conn: Conn) -> None:
            await fn(conn, item, *args, **kwargs)

        await transact(self._engine, body)
        if fn in (store.mark_sent, store.mark_failed) and item.conversation_id is not None:
            await publish_quietly(
                self._live, [conversation_changed(item.conversation_id, "delivery")]
            )
