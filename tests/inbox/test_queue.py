"""The EventQueue contract, on the embedded queue and on Redis Streams alike.

Every test drives ``runtime.queue`` (the backend the settings chose) through the interface only,
so both implementations answer to the same promises: redeliveries are recognised, a lease keeps
other consumers off, retries wait, workers that keep dying get their event parked, parked events
can be requeued, and depth counts all unfinished work.
"""

from __future__ import annotations

import time

from api.runtime import Runtime
from inbox.queue import dead_letters
from inbox.queue.base import EventQueue, NewEvent, QueuedEvent
from tests.support.fixtures import RuntimeFactory
from tests.support.probes import dead, wait_for


def _event(key: str, account_id: int = 1, payload: bytes | None = None) -> NewEvent:
    body = payload if payload is not None else f'{{"update_id": "{key}"}}'.encode()
    return NewEvent("telegram", account_id, key, body, time.time())


async def _claim_when_due(
    queue: EventQueue, consumer: str, *, limit: int = 10
) -> list[QueuedEvent]:
    async def attempt() -> list[QueuedEvent]:
        return await queue.claim(consumer, limit)

    return await wait_for(attempt, what=f"{consumer} to claim something")


async def _claim_until_parked(rt: Runtime, consumer: str) -> None:
    """Keep claiming (as a worker would) until the queue gives up on the event and parks it."""

    async def attempt() -> bool:
        got = await rt.queue.claim(consumer, 10)
        assert got == [], "an event past max_attempts must not be handed out again"
        return bool(await dead(rt))

    await wait_for(attempt, what="the event to be parked")


class TestEnqueue:
    async def test_new_events_are_true_and_redeliveries_false(self, runtime: Runtime) -> None:
        queue = runtime.queue
        assert await queue.enqueue_many([_event("1"), _event("2")]) == [True, True]
        assert await queue.enqueue_many([_event("2"), _event("3"), _event("1")]) == [
            False,
            True,
            False,
        ]
        assert await queue.depth() == 3

    async def test_duplicates_inside_one_batch_count_once(self, runtime: Runtime) -> None:
        queue = runtime.queue
        flags = await queue.enqueue_many([_event("7"), _event("8"), _event("7"), _event("7")])
        assert flags == [True, True, False, False]
        assert await queue.depth() == 2
        keys = sorted(e.dedup_key for e in await queue.claim("w", 10))
        assert keys == ["7", "8"]

    async def test_same_key_on_another_account_is_a_different_event(self, runtime: Runtime) -> None:
        queue = runtime.queue
        assert await queue.enqueue_many([_event("5", account_id=1)]) == [True]
        assert await queue.enqueue_many([_event("5", account_id=2)]) == [True]
        assert await queue.depth() == 2

    async def test_redelivery_after_processing_is_still_recognised(self, runtime: Runtime) -> None:
        queue = runtime.queue
        assert await queue.enqueue_many([_event("9")]) == [True]
        await queue.ack(await queue.claim("w", 10))
        assert await queue.depth() == 0
        assert await queue.enqueue_many([_event("9")]) == [False]
        assert await queue.depth() == 0
        assert await queue.claim("w", 10) == []

    async def test_empty_batch(self, runtime: Runtime) -> None:
        assert await runtime.queue.enqueue_many([]) == []


class TestClaimAndLease:
    async def test_claim_returns_what_was_enqueued(self, runtime: Runtime) -> None:
        queue = runtime.queue
        sent = _event("41", account_id=3, payload=b'{"update_id": 41, "x": "\xc3\xa9"}')
        await queue.enqueue_many([sent])
        [got] = await queue.claim("w", 10)
        assert (got.channel, got.account_id, got.dedup_key) == ("telegram", 3, "41")
        assert got.payload == sent.payload
        assert got.received_at == sent.received_at
        assert got.attempts == 1

    async def test_claim_respects_the_limit_and_keeps_order(self, runtime: Runtime) -> None:
        queue = runtime.queue
        await queue.enqueue_many([_event(str(i)) for i in range(5)])
        first = await queue.claim("w", 3)
        assert [e.dedup_key for e in first] == ["0", "1", "2"]
        rest = await queue.claim("w", 10)
        assert [e.dedup_key for e in rest] == ["3", "4"]

    async def test_lease_keeps_others_off_until_it_runs_out(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(queue_lease_seconds=1.0) as (rt, _client):
            queue = rt.queue
            await queue.enqueue_many([_event("1")])
            [mine] = await queue.claim("a", 10)
            assert mine.attempts == 1
            assert await queue.claim("b", 10) == []  # leased to "a"
            assert await queue.depth() == 1  # in flight is still unfinished work

            [theirs] = await _claim_when_due(queue, "b")  # "a" went silent: the lease ran out
            assert theirs.dedup_key == "1"
            assert theirs.payload == mine.payload
            assert theirs.attempts == 2
            assert await queue.claim("a", 10) == []  # now leased to "b"
            await queue.ack([theirs])
            assert await queue.depth() == 0

    async def test_worker_dying_every_time_gets_the_event_parked(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(queue_lease_seconds=0.3, queue_max_attempts=3) as (rt, _c):
            queue = rt.queue
            await queue.enqueue_many([_event("66"), _event("67")])
            [poison, fine] = await queue.claim("w1", 10)
            await queue.ack([fine])
            seen = [poison.attempts]
            for consumer in ("w2", "w3"):  # each claims, then "dies" (never acks)
                [again] = await _claim_when_due(queue, consumer)
                seen.append(again.attempts)
            assert seen == [1, 2, 3]
            await _claim_until_parked(rt, "w4")
            [parked] = await dead(rt)
            assert parked.dedup_key == "66"
            assert parked.payload == poison.payload
            assert parked.attempts == 4
            assert "gave up" in parked.error
            assert await queue.depth() == 0
            assert await queue.claim("w5", 10) == []


class TestAck:
    async def test_ack_removes_from_depth_and_from_later_claims(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(queue_lease_seconds=0.3) as (rt, _client):
            queue = rt.queue
            await queue.enqueue_many([_event("1"), _event("2"), _event("3")])
            claimed = await queue.claim("w", 10)
            assert await queue.depth() == 3
            await queue.ack(claimed[:2])
            assert await queue.depth() == 1
            [left] = await _claim_when_due(queue, "other")  # only the unacked one comes back
            assert left.dedup_key == "3"
            await queue.ack([left])
            assert await queue.depth() == 0

    async def test_ack_nothing_is_harmless(self, runtime: Runtime) -> None:
        await runtime.queue.enqueue_many([_event("1")])
        await runtime.queue.ack([])
        assert await runtime.queue.depth() == 1


class TestRetry:
    async def test_retry_waits_for_its_delay_then_comes_back(self, runtime: Runtime) -> None:
        queue = runtime.queue
        await queue.enqueue_many([_event("1")])
        [first] = await queue.claim("w", 10)
        await queue.retry(first, delay=1.0, error="RuntimeError: flaky")
        assert await queue.depth() == 1  # delayed work is unfinished work
        assert await queue.claim("w", 10) == []  # not before its time
        assert await queue.claim("other", 10) == []
        [again] = await _claim_when_due(queue, "other")
        assert again.dedup_key == "1"
        assert again.payload == first.payload
        assert again.received_at == first.received_at
        assert again.attempts == 2  # attempts keep counting across retries
        await queue.ack([again])
        assert await queue.depth() == 0

    async def test_retry_does_not_hold_back_other_events(self, runtime: Runtime) -> None:
        queue = runtime.queue
        await queue.enqueue_many([_event("1")])
        [first] = await queue.claim("w", 10)
        await queue.retry(first, delay=60, error="later")
        await queue.enqueue_many([_event("2")])
        [second] = await queue.claim("w", 10)
        assert second.dedup_key == "2"
        assert await queue.depth() == 2


class TestDeadLetters:
    async def test_park_moves_the_event_to_the_dead_letters(self, runtime: Runtime) -> None:
        queue = runtime.queue
        await queue.enqueue_many([_event("13", account_id=4)])
        [event] = await queue.claim("w", 10)
        await queue.park(event, "ValueError: cannot apply")
        assert await queue.depth() == 0
        assert await queue.claim("w", 10) == []
        [parked] = await dead(runtime)
        assert (parked.channel, parked.account_id, parked.dedup_key) == ("telegram", 4, "13")
        assert parked.payload == event.payload
        assert parked.attempts == 1
        assert parked.error == "ValueError: cannot apply"
        # A parked event is still a known delivery: a platform redelivery is not new work.
        assert await queue.enqueue_many([_event("13", account_id=4)]) == [False]
        assert await queue.depth() == 0

    async def test_requeue_makes_it_claimable_with_fresh_attempts(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(queue_lease_seconds=0.3, queue_max_attempts=2) as (rt, _c):
            queue = rt.queue
            await queue.enqueue_many([_event("21")])
            await queue.claim("w1", 10)
            [again] = await _claim_when_due(queue, "w2")
            assert again.attempts == 2
            await _claim_until_parked(rt, "w3")
            [parked] = await dead(rt)
            assert parked.attempts == 3

            await queue.requeue(parked)
            assert await queue.depth() == 1
            [back] = await queue.claim("w4", 10)
            assert back.dedup_key == "21"
            assert back.payload == parked.payload
            assert back.attempts == 1  # fresh: it gets the full number of tries again
            await queue.ack([back])
            assert await queue.depth() == 0

    async def test_replay_requeues_and_removes_the_dead_letter(self, runtime: Runtime) -> None:
        queue = runtime.queue
        await queue.enqueue_many([_event("31"), _event("32")])
        first, second = await queue.claim("w", 10)
        await queue.park(first, "boom 1")
        await queue.park(second, "boom 2")
        parked = await dead(runtime)
        assert sorted(d.dedup_key for d in parked) == ["31", "32"]
        target = next(d for d in parked if d.dedup_key == "31")

        async with runtime.engine.begin() as conn:
            assert await dead_letters.replay_dead(conn, queue, [target.id, 999_999]) == 1
        assert [d.dedup_key for d in await dead(runtime)] == ["32"]
        [back] = await queue.claim("w", 10)
        assert (back.dedup_key, back.attempts) == ("31", 1)
        assert await queue.depth() == 1


class TestDepth:
    async def test_depth_counts_waiting_in_flight_and_delayed_work(self, runtime: Runtime) -> None:
        queue = runtime.queue
        assert await queue.depth() == 0
        await queue.enqueue_many([_event(str(i)) for i in range(4)])
        assert await queue.depth() == 4
        a, b, c = await queue.claim("w", 3)  # three in flight, one waiting
        assert await queue.depth() == 4
        await queue.retry(a, delay=60, error="later")  # delayed
        assert await queue.depth() == 4
        await queue.ack([b])
        assert await queue.depth() == 3
        await queue.park(c, "dead")
        assert await queue.depth() == 2
        [d] = await queue.claim("w", 10)
        assert d.dedup_key == "3"
        await queue.ack([d])
        assert await queue.depth() == 1  # only the delayed retry is left
