"""The fake platform of one ``bench/newsletter`` case, in its own process.

``python bench/_newsletter_fakes.py --platform telegram|vk --rate N --port P`` starts
:class:`FakeTelegram` or :class:`FakeVk` with a rate cap of N calls per second per token
(past it: HTTP 429 / VK error 6 with a retry after), and on port P a small stats app:

- ``GET /info``: ``{"base_url": …}``, where the service's API base should point;
- ``GET /stats`` (``?peers=1`` adds the delivered peers): what the platform saw.

Calls are counted as they are answered and then forgotten (``.calls`` would hold 100,000
answers). A delivery is a recipient in an accepted send: Telegram, each ``sendMessage``
answered 200; VK, each peer of an accepted ``messages.send`` once per ``random_id`` (VK drops
a repeat of the same random_id to the same peer, so only a new random_id reaches the person
again). A duplicate is a recipient delivered more than once.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections import Counter
from typing import Any

from aiohttp import web

from fakes import Call, FakeTelegram, FakeVk
from fakes.vk import peer_ids


class Tally:
    """What the platform saw, as counts: calls, 429s, accepted calls per second, deliveries."""

    def __init__(self, platform: str, rate: int) -> None:
        self.platform, self.rate = platform, rate
        self.t0 = time.monotonic()
        self.calls = 0
        self.rate_limited = 0
        self.errors: Counter[str] = Counter()  # other refusals, by code
        self.accepted = 0
        self.per_second: Counter[int] = Counter()  # accepted calls, by second since start
        self.first: float | None = None
        self.last: float | None = None
        self.deliveries: Counter[int] = Counter()  # peer -> times it reached the person
        self.seen: set[tuple[int, int]] = set()  # VK: (peer, random_id) already delivered
        self.repeats_dropped = 0  # VK: the same random_id to the same peer again
        self.peers_in_accepted_calls = 0

    def record(self, call: Call, at: float) -> None:
        if call.route not in ("sendMessage", "messages.send"):
            return
        self.calls += 1
        if call.rate_limited:
            self.rate_limited += 1
            return
        answer = call.answer if isinstance(call.answer, dict) else {}
        if call.status != 200 or "error" in answer or answer.get("ok") is False:
            code = answer.get("error", {}).get("error_code") or answer.get("error_code")
            self.errors[str(code or call.status)] += 1
            return
        self.accepted += 1
        second = int(at - self.t0)
        self.per_second[second] += 1
        self.first = at if self.first is None else self.first
        self.last = at
        if call.route == "sendMessage":
            self.deliveries[int(call.params["chat_id"])] += 1
            self.peers_in_accepted_calls += 1
            return
        rid = int(call.params.get("random_id", 0))
        peers = peer_ids(call) or [int(call.params.get("peer_id", 0))]
        self.peers_in_accepted_calls += len(peers)
        for peer in peers:
            if rid and (peer, rid) in self.seen:
                self.repeats_dropped += 1
                continue
            self.seen.add((peer, rid))
            self.deliveries[peer] += 1

    def report(self, with_peers: bool) -> dict[str, Any]:
        span = (self.last - self.first) if self.first is not None and self.last else 0.0
        last_second = max(self.per_second, default=-1)
        series = [self.per_second.get(s, 0) for s in range(last_second + 1)]
        dups = {p: n for p, n in self.deliveries.items() if n > 1}
        out: dict[str, Any] = {
            "platform": self.platform,
            "cap_per_second": self.rate,
            "calls": self.calls,
            "accepted_calls": self.accepted,
            "rate_limited": self.rate_limited,
            "other_errors": dict(self.errors),
            "first_accepted_s": None if self.first is None else self.first - self.t0,
            "accepted_span_s": span,
            "accepted_per_second": series,
            "peers_in_accepted_calls": self.peers_in_accepted_calls,
            "delivered": len(self.deliveries),
            "deliveries": sum(self.deliveries.values()),
            "duplicates": len(dups),
            "duplicate_sample": sorted(dups.items())[:10],
            "repeats_dropped": self.repeats_dropped,
        }
        if with_peers:
            out["peers"] = sorted(self.deliveries)
        return out


def counting(base: type[Any], tally: Tally) -> Any:
    """The fake with every answered call counted, then dropped from ``.calls``."""

    class Counting(base):  # type: ignore[misc, valid-type]
        async def respond(self, call: Call) -> web.StreamResponse:
            response = await super().respond(call)
            done, self.calls = self.calls, []
            now = time.monotonic()
            for c in done:
                tally.record(c, now)
            return response

    return Counting(rate_limit=tally.rate)


async def serve(args: argparse.Namespace) -> None:
    tally = Tally(args.platform, args.rate)
    fake = counting(FakeTelegram if args.platform == "telegram" else FakeVk, tally)
    await fake.start()

    async def info(_: web.Request) -> web.Response:
        return web.json_response({"base_url": fake.base_url})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(tally.report(request.query.get("peers") == "1"))

    app = web.Application()
    app.router.add_get("/info", info)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"{args.platform} fake at {fake.base_url}, cap {args.rate}/s, stats :{args.port}")
    await stop.wait()
    await runner.cleanup()
    await fake.stop()


def main() -> None:
    p = argparse.ArgumentParser(description="a fake platform with a rate cap and a stats app")
    p.add_argument("--platform", choices=["telegram", "vk"], required=True)
    p.add_argument("--rate", type=int, required=True, help="calls per second per token")
    p.add_argument("--port", type=int, required=True, help="the stats app's port")
    args = p.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(args))
    else:
        uvloop.run(serve(args))


if __name__ == "__main__":
    main()
