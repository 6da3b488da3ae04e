"""The outbox sender: takes due rows and makes each platform call within the platform's limits.

Rows are taken continuously, up to ``max_in_flight`` at a time, and handed to lanes: the rows
of one chat go out in order, one after the other, in one lane; different chats' lanes run in
parallel, each waiting for its own buckets and, in turn (:class:`Gate`), for its bot's. A
newsletter's rows that one call can carry (the platform's ``max_batch``) go out as one call per
chunk. How fast, in which buckets, and whether a call cut off by a crash may be made again is
what each platform declares in its traits (:mod:`inbox.platforms`).
Outcomes are recorded by group commit, so a campaign at hundreds of calls a second does not
cost a transaction per call; the reactions to the rows that finished (metric cycles, campaign
recipients, an opt-out) run in that same transaction (:mod:`inbox.changes`). A row turns
``sending`` only right before its call, and the sender keeps the leases of the rows it holds;
a stopping sender hands back what it never called. Once a row is recorded sent or failed, its
conversation is announced on the live bus (``reason: "delivery"``), so the agents see the
message's delivery state change.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox import platforms
from inbox.accounts.directory import AccountDirectory, AccountKeys
from inbox.changes import Reactions
from inbox.channels import RateLimited, Refused
from inbox.db import Conn, unit_of_work
from inbox.live import LiveBus, conversation_changed, publish_quietly
from inbox.outbound import ChannelSender, Deliverer, OutboundAction
from inbox.outbox import outcomes, store
from inbox.outbox.batches import batch_random_id, marker, split_batches
from inbox.outbox.group_commit import GroupCommit
from inbox.outbox.outcomes import CANCELLED_REASON, Write
from inbox.outbox.policy import SendPolicy, safe_to_resend
from inbox.outbox.requests import build
from inbox.outbox.store import Claimed
from inbox.ratelimit import Gate, GateClosed, RateLimiter

log = logging.getLogger("omnibox.outbox")

PAUSED_RECHECK_SECONDS = 2.0  # a paused campaign's queued rows look again this often
POLL_SECONDS = 0.05  # how often to look for new rows while others are being sent
STOP_GRACE_SECONDS = 5.0  # calls under way may finish when the sender stops
MAY_HAVE_REACHED = (
    "the service stopped while sending this; it may have reached the customer, "
    "so it was not sent again (check the platform, then resend)"
)

__all__ = ["CampaignStates", "OutboxSender", "SendPolicy"]

# Status by campaign id (a deleted campaign is missing): asked of the newsletters room, above
# this one, before a campaign's rows are called.
CampaignStates = Callable[[Conn, Sequence[int]], Awaitable[Mapping[int, str]]]


class OutboxSender:
    def __init__(
        self,
        engine: AsyncEngine,
        senders: Mapping[str, ChannelSender],
        limiter: RateLimiter,
        webhooks: Deliverer | None = None,
        *,
        policy: SendPolicy,
        reactions: Reactions,
        campaign_states: CampaignStates,
        batch_size: int = 500,
        max_in_flight: int = 2000,
        idle_seconds: float = 0.5,
        live: LiveBus | None = None,
        accounts: AccountDirectory | None = None,
    ) -> None:
        self._engine = engine
        self._senders = senders
        self._webhooks = webhooks
        self._gate = Gate(limiter)
        self._policy = policy
        self._campaign_states = campaign_states
        self._batch_size = batch_size
        self._max_in_flight = max(max_in_flight, batch_size)
        self._idle = idle_seconds
        self._accounts = accounts or AccountDirectory(engine)
        self._live = live
        self._held: dict[int, Claimed] = {}  # taken, not yet recorded
        self._lanes: dict[tuple[int, str], deque[Claimed]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()
        self._stopping = False
        self._writes: GroupCommit[Write, None] = GroupCommit(
            engine, functools.partial(outcomes.record, reactions=reactions)
        )
        self._calling: GroupCommit[Claimed, bool] = GroupCommit(
            engine, functools.partial(store.mark_calling, lease_seconds=policy.lease_seconds)
        )

    async def run(self, stop: asyncio.Event) -> None:
        keeper = asyncio.create_task(self._keep_leases(stop), name="omnibox-outbox-leases")
        try:
            while not stop.is_set():
                room = self._max_in_flight - len(self._held)
                if room < self._batch_size:  # wait for lanes to make room
                    await self._pause(stop, POLL_SECONDS, on_room=True)
                    continue
                try:
                    taken = await self._take(self._batch_size)
                except Exception:
                    log.exception("outbox iteration failed; pausing before the next")
                    taken = 0
                if taken < self._batch_size:  # nothing more due for now
                    await self._pause(stop, POLL_SECONDS if self._held else self._idle)
        finally:
            keeper.cancel()
            await self._wind_down()

    async def run_once(self) -> int:
        """Take one batch of due rows and send them all; returns how many were taken."""
        taken = await self._take(self._batch_size)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._writes.drain()
        return taken

    # --- taking rows and handing them to lanes -------------------------------------------
    async def _take(self, limit: int) -> int:
        lease = self._policy.lease_seconds
        async with unit_of_work(self._engine) as conn:
            batch = await store.claim(conn, limit=limit, lease_seconds=lease)
        for item in batch:
            self._held[item.id] = item
        try:
            items = await self._held_campaigns(batch)
            for account_id in {i.account_id for i in items if i.request.campaign_id is not None}:
                await self._account(account_id)  # cached: whether this account's calls batch
        except BaseException:  # let them go: their leases run out and they are taken again
            for item in batch:
                self._held.pop(item.id, None)
            raise
        groups, singles = split_batches(items, self._per_call)
        for group in groups:
            self._spawn(self._send_batch(group))
        for item in singles:
            key = (item.account_id, item.request.peer_id)
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = deque()
                self._spawn(self._drain(key, lane))
            lane.append(item)
        return len(batch)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._room.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("an outbox send failed", exc_info=task.exception())

    async def _drain(self, key: tuple[int, str], lane: deque[Claimed]) -> None:
        """One chat's rows, in order. After a rate limit the rest of the chat waits too."""
        try:
            while lane and not self._stopping:
                wait = await self._send_one(lane.popleft())
                if wait is not None and lane:
                    rest = list(lane)
                    lane.clear()
                    why = "waiting for the chat's rate limit"
                    await self._record_all(
                        [outcomes.later(i, wait, why, count_attempt=False) for i in rest]
                    )
        finally:
            if self._lanes.get(key) is lane:
                del self._lanes[key]
            if not self._stopping:  # this lane failed: its rows' leases run out, and they are
                for item in lane:  # taken again (a stopping sender hands them back instead)
                    self._held.pop(item.id, None)

    async def _held_campaigns(self, batch: list[Claimed]) -> list[Claimed]:
        """Rows of a paused campaign wait (not counted as an attempt), those of a cancelled or
        deleted one are dropped; the rest go on. A row interrupted mid-call goes on as well:
        only the usual check can tell whether resending it is safe."""
        held = [
            (i, c) for i in batch if (c := i.request.campaign_id) is not None and not i.interrupted
        ]
        if not held:
            return batch
        ids = [campaign_id for _, campaign_id in held]
        async with unit_of_work(self._engine, writer=False) as conn:
            states = await self._campaign_states(conn, ids)
        writes: list[Write] = []
        for item, campaign_id in held:
            state = states.get(campaign_id)
            if state == "paused":
                why = "the campaign is paused"
                writes.append(
                    outcomes.later(item, PAUSED_RECHECK_SECONDS, why, count_attempt=False)
                )
            elif state in (None, "cancelled"):
                writes.append(outcomes.failed(item, CANCELLED_REASON))
        await self._record_all(writes)
        stopped = {w.item.id for w in writes}
        return [i for i in batch if i.id not in stopped]

    # --- calls ---------------------------------------------------------------------------
    def _per_call(self, account_id: int) -> int:
        """Recipients one call of this (cached) account carries: 1 unless its platform says
        more and a sender for it is wired in."""
        account = self._accounts.last_read(account_id)
        if account is None:
            return 1
        channel = account.channel
        traits = platforms.find(channel)
        return traits.max_batch if traits is not None and channel in self._senders else 1

    async def _send_batch(self, items: list[Claimed]) -> None:
        """Newsletter rows of one campaign and one text in one call, at the account's pace:
        one slot per call. The call's random_id is written on the rows first, so a resend
        after a crash repeats the same call, which the platform drops."""
        account = await self._account(items[0].account_id)
        if account is None or self._per_call(items[0].account_id) < 2:
            await asyncio.gather(*(self._send_one(item) for item in items))
            return
        channel = str(account.channel)
        sender = self._senders[channel]
        rid = batch_random_id(items)
        ids = [i.id for i in items]
        try:  # marked first: a transaction between the slot and the call would jitter
            outbound = [await build(self._engine, item, account) for item in items]
            async with unit_of_work(self._engine) as conn:
                await store.mark_batch(conn, ids, marker(rid))
            await self._gate.acquire(*self._policy.limits(channel, account.id, items[0].request))
            results: list[Any] = list(await sender.deliver_batch(outbound, rid))
        except GateClosed:
            return  # stopping: resent with the same random_id later, which the platform drops
        except Exception as exc:  # the call as a whole failed: every row's outcome is that
            results = [exc] * len(items)
        limited = [r for r in results if isinstance(r, RateLimited)]
        if limited:
            await self._penalise(channel, items[0], max(r.retry_after for r in limited))
        await self._record_all(
            [self._decide(item, result) for item, result in zip(items, results, strict=True)]
        )

    async def _send_one(self, item: Claimed) -> float | None:
        """Make the call and record the outcome; the wait in seconds when rate limited."""
        account = await self._account(item.account_id)
        if account is None:
            await self._record(outcomes.failed(item, "the account was deleted"))
            return None
        channel = str(account.channel)
        careful = not safe_to_resend(platforms.find(channel), item.action)
        if item.interrupted and careful:
            await self._record(outcomes.failed(item, MAY_HAVE_REACHED))
            return None
        result: Any
        try:
            outbound = await build(self._engine, item, account)
            if item.action == OutboundAction.WEBHOOK:
                if self._webhooks is None:
                    raise Refused("this process sends no webhooks")
                result = await self._webhooks.deliver(outbound)
            else:
                limits = self._policy.limits(channel, item.account_id, item.request)
                await self._gate.acquire(*limits)
                if careful and not await self._calling.submit(item):
                    self._held.pop(item.id, None)  # another sender took it: it is theirs
                    return None
                result = await self._senders[channel].deliver(outbound)
        except GateClosed:
            return None  # stopping before the call: the row is handed back
        except Exception as exc:  # the outcome decides: wait, retry later, or give up
            result = exc
        if isinstance(result, RateLimited):
            await self._penalise(channel, item, result.retry_after)
        await self._record(self._decide(item, result))
        return result.retry_after if isinstance(result, RateLimited) else None

    def _decide(self, item: Claimed, result: Any) -> Write:
        write = outcomes.decide(
            item,
            result,
            max_attempts=self._policy.max_attempts,
            backoff=self._policy.backoff(item.attempts),
        )
        if write.fn is store.reschedule and not isinstance(result, RateLimited):
            log.warning("outbox %s: retry in %.1fs: %s", item.id, write.args[0], write.args[1])
        return write

    async def _penalise(self, channel: str, item: Claimed, retry_after: float) -> None:
        """A 429 holds every bucket the call drew from: Telegram's flood wait covers the bot,
        not only the chat, so a campaign slows down as a whole instead of retrying at speed."""
        for limit in self._policy.limits(channel, item.account_id, item.request):
            await self._gate.limiter.penalise(limit.key, retry_after)

    # --- recording -----------------------------------------------------------------------
    async def _record(self, write: Write) -> None:
        """Durable before this returns. If it cannot be written, the row is let go: its lease
        runs out and a sender takes it again (as after a crash)."""
        try:
            await self._writes.submit(write)
        finally:
            self._held.pop(write.item.id, None)
        if write.finishes and write.item.conversation_id is not None:
            changed = conversation_changed(write.item.conversation_id, "delivery")
            await publish_quietly(self._live, [changed])

    async def _record_all(self, writes: list[Write]) -> None:
        await asyncio.gather(*(self._record(w) for w in writes))

    async def _account(self, account_id: int) -> AccountKeys | None:
        return await self._accounts.by_id(account_id, active_only=False)

    # --- leases and stopping -------------------------------------------------------------
    async def _keep_leases(self, stop: asyncio.Event) -> None:
        """Rows waiting here for a slot keep their lease, so no other sender takes them."""
        every = self._policy.lease_seconds / 3
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            try:
                async with unit_of_work(self._engine) as conn:
                    await self._extend(list(self._held), conn)
            except Exception:
                log.exception("could not extend the outbox leases")

    async def _extend(self, ids: list[int], conn: Any) -> None:
        await store.extend_leases(conn, ids, lease_seconds=self._policy.lease_seconds)

    async def _pause(self, stop: asyncio.Event, seconds: float, *, on_room: bool = False) -> None:
        """Until ``stop``, ``seconds``, or (``on_room``) a lane finishing."""
        self._room.clear()
        waits = [asyncio.ensure_future(stop.wait())]
        if on_room:
            waits.append(asyncio.ensure_future(self._room.wait()))
        _, pending = await asyncio.wait(waits, timeout=seconds, return_when="FIRST_COMPLETED")
        for w in pending:
            w.cancel()

    async def _wind_down(self) -> None:
        """Calls under way may finish; rows not called yet go back to the queue."""
        self._stopping = True
        self._gate.close()  # sends still waiting for a slot give up; those under way finish
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._calling.drain()
        await self._writes.drain()
        ids = list(self._held)
        if ids:
            try:
                async with unit_of_work(self._engine) as conn:
                    await store.release(conn, ids)
            except Exception:
                log.exception(
                    "could not hand back %d outbox rows (their leases will run out)", len(ids)
                )
        self._held.clear()
