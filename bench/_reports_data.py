"""Generated support history for ``bench/reports``, seeded so runs compare.

Each conversation is a run of cycles (a customer writes, agents answer turn by turn, someone
resolves it) spread over the last 180 days; a tenth of the cycles, always a conversation's
last, are still open (a quarter of them today's queue, the rest a backlog over the period).
A cycle is built as a timeline of messages and status changes, and its cycle and customer-turn
rows are written from that construction, not by replaying it: the
bench replays a sample through the real recorder and compares, so a generator that drifts
from the metric definitions shows.

Times are lognormal: first response ~12 min median with an overnight tail, later replies
~6 min, resolution a few hours. Some cycles get no human reply at all, some end on an
unanswered "thanks", some replies are echoes typed in the platform's app, a few fail and are
retried. Customer messages are stamped to the whole second as platforms do, and any two
items that matter are at least a second apart, so no tie-break decides a metric. Padding
(private notes, agent follow-ups after a reply: neither changes a metric) brings the total to
the number of messages asked for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from _reports_fixtures import (
    ACCOUNT_WEIGHTS,
    ACCOUNTS,
    AGENTS,
    PRIORITIES,
    PRIORITY_WEIGHTS,
    TEAM_WEIGHTS,
    TEAMS,
    calendars,
    fixture_rows,
    policies,
    teams_of_agents,
)
from _reports_rows import (
    AGENT,
    ANSWER,
    BOT,
    EPOCH,
    FAILED,
    IN,
    NOTE,
    OUTSIDE,
    SURVEY,
    THANKS,
    Conv,
    Rows,
    S,
    Sketch,
    Turn,
    Writer,
)

from inbox.reporting import sla

MINUTE, HOUR, DAY = 60 * S, 3600 * S, 86400 * S
MAX_CYCLES = 25  # per conversation
OPEN_SHARE = 0.10


def _ln(r: random.Random, median_s: float, sigma: float) -> int:
    return int(r.lognormvariate(math.log(median_s), sigma) * S)


class Generator:
    def __init__(
        self, *, conversations: int, cycles: int, messages: int, seed: int, now: datetime
    ) -> None:
        self.rng = random.Random(seed)
        self.now = now
        now_us = (now - EPOCH) // timedelta(microseconds=1)
        self.t1 = now_us - 10 * MINUTE
        self.t0 = now_us - 180 * DAY + HOUR
        self.cycles = cycles
        self.conversations = min(conversations, cycles)
        self.per_cycle = messages / cycles
        self.members = teams_of_agents(self.rng)
        self.team_cals, self.account_cals = calendars()
        self.policies = policies()
        self.writer = Writer(self.rng, now)
        self.counts = self._cycle_counts()
        opened = min(self.conversations, round(cycles * OPEN_SHARE))
        self.open = set(self.rng.sample(range(self.conversations), opened))
        self.cycles_done = self.messages_done = 0

    def _cycle_counts(self) -> list[int]:
        """Cycles per conversation: one each, the rest by a Pólya urn (regulars come back)."""
        counts = [1] * self.conversations
        pool = list(range(self.conversations))
        extra = self.cycles - self.conversations
        while extra > 0:
            i = pool[self.rng.randrange(len(pool))]
            if counts[i] < MAX_CYCLES:
                counts[i] += 1
                pool.append(i)
                extra -= 1
        return counts

    def fixtures(self) -> Rows:
        rows = Rows()
        for table, found in fixture_rows(self.members, self.now - 200 * timedelta(days=1)).items():
            rows[table].extend(found)
        return rows

    def chunks(self, size: int = 2000) -> Iterator[Rows]:
        for first in range(0, self.conversations, size):
            rows = Rows()
            for index in range(first, min(first + size, self.conversations)):
                self._conversation(rows, index)
            yield rows

    # ------------------------------------------------------------------ who

    def _assignee(self, team: int | None, is_open: bool) -> int | None:
        r = self.rng
        if r.random() < (0.3 if is_open else 0.06):
            return None
        return r.choice(self.members[team]) if team else r.randint(1, AGENTS)

    def _policy(self, account_id: int, team: int | None, priority: str | None) -> Any:
        found = [
            p
            for p in self.policies
            if p.enabled
            and p.account_id in (None, account_id)
            and p.team_id in (None, team)
            and p.priority in (None, priority)
        ]
        return sla.pick(found)

    def _replier(self, conv: Conv) -> tuple[int | None, int | None, bool]:
        r = self.rng
        team = conv.team if r.random() >= 0.05 else r.randint(1, len(TEAMS))  # before a transfer
        if conv.account.echoes and r.random() < 0.08:
            return None, team, True  # typed in the platform's own app
        if conv.assignee is not None and r.random() < 0.8:
            return conv.assignee, team, False
        pool = self.members[conv.team] if conv.team else range(1, AGENTS + 1)
        return r.choice(pool), team, False

    # ------------------------------------------------------------------ one cycle

    def _sketch(self, conv: Conv, is_open: bool) -> Sketch:
        r = self.rng
        n = r.choices((1, 2, 3, 4, 5), (52, 28, 12, 6, 2))[0]
        if is_open:
            waiting = r.choices(("new", "agent", "customer"), (30, 35, 35))[0]
            n = 1 if waiting == "new" else n
            unanswered_last = waiting != "customer"
        elif r.random() < 0.06:  # spam, handled by a bot, closed by a rule: no human reply
            n, unanswered_last = 1, True
        else:
            unanswered_last = n > 1 and r.random() < 0.3  # ends on an unanswered "thanks"
        sk, t = Sketch(), 0
        for seq in range(1, n + 1):
            t -= t % S  # platforms stamp customer messages to the second
            turn = Turn(seq=seq, start=t)
            sk.items.append((t, IN, None, None))
            if r.random() < (0.2 if seq == 1 else 0.04):
                t += r.randint(2 * S, 6 * S)
                turn.bot = t
                sk.items.append((t, BOT, None, conv.team))
            for _ in range(r.choices((0, 1, 2), (78, 17, 5))[0]):
                t += 2 * S + _ln(r, 25, 1.0)
                t -= t % S
                sk.items.append((t, IN, None, None))
            if not (seq == n and unanswered_last):
                t = self._reply(conv, sk, turn, t)
            sk.turns.append(turn)
            if seq < n:
                t += 3 * S + _ln(r, 8 * 60, 1.5)
                t -= t % S
                if turn.reply is not None:
                    turn.window = t
                    if r.random() < 0.1:  # waiting on the customer; read by no metric
                        sk.status.append((turn.reply + S // 2, "pending", turn.agent))
        if not is_open:
            t = self._resolve(conv, sk, t)
        sk.span = t
        self._pad(conv, sk)
        return sk

    def _reply(self, conv: Conv, sk: Sketch, turn: Turn, t: int) -> int:
        r = self.rng
        if turn.seq == 1:
            delay = _ln(r, 9 * 3600, 0.5) if r.random() < 0.06 else _ln(r, 12 * 60, 1.3)
        else:
            delay = _ln(r, 3 * 3600, 0.7) if r.random() < 0.05 else _ln(r, 6 * 60, 1.2)
        reply = max(turn.start + min(delay, 5 * DAY), t + 3 * S)
        user, team, native = self._replier(conv)
        if r.random() < 0.02:  # the platform refused it: not a response
            sk.items.append((t + (reply - t) // 2, FAILED, user or conv.assignee or 1, team))
        sk.items.append((reply, AGENT, user, team))
        turn.reply, turn.agent, turn.team, turn.native = reply, user, team, native
        return reply

    def _resolve(self, conv: Conv, sk: Sketch, t: int) -> int:
        r = self.rng
        replied = any(turn.reply is not None for turn in sk.turns)
        t += 3 * S + min(10 * DAY, _ln(r, 30 * 60, 1.6) if replied else _ln(r, 2 * 3600, 1.0))
        last = sk.turns[-1]
        if last.reply is not None:
            last.window = t
        roll = r.random()
        if roll < 0.85 and conv.assignee is not None:
            sk.resolver = conv.assignee
        elif roll < 0.93:
            sk.resolver = r.randint(1, AGENTS)
        sk.resolved = t
        sk.status.append((t, "resolved", sk.resolver))
        if r.random() < 0.05:  # a closing line after the resolve: outside any cycle
            t += r.randint(5 * S, 60 * S)
            sk.items.append((t, OUTSIDE, sk.resolver or conv.assignee or 1, conv.team))
        if conv.kind == "direct" and conv.account.survey and r.random() < 0.7:
            t += r.randint(S, 20 * S)
            sk.survey = t
            sk.items.append((t, SURVEY, None, conv.team))
            if r.random() < 0.62:
                t += 2 * S + _ln(r, 180, 1.2)
                t -= t % S
                slow = sk.turns[0].reply is None or sk.turns[0].reply > HOUR
                weights = (20, 12, 18, 22, 28) if slow else (7, 5, 10, 23, 55)
                sk.answer = (t, r.choices((1, 2, 3, 4, 5), weights)[0])
                sk.items.append((t, ANSWER, None, None))
                t += r.randint(S, 3 * S)
                sk.items.append((t, THANKS, None, conv.team))
        return t

    def _pad(self, conv: Conv, sk: Sketch) -> None:
        """Notes and follow-ups up to the running message target (they change no metric)."""
        r = self.rng
        target = round(self.per_cycle * (self.cycles_done + 1))
        want = min(12, target - self.messages_done - len(sk.items))
        replied = [t for t in sk.turns if t.reply is not None]
        for _ in range(max(0, want)):
            if replied and r.random() < 0.6:
                turn = r.choice(replied)
                assert turn.reply is not None
                end = turn.window if turn.window is not None else turn.reply + 2 * MINUTE
                at = r.randint(turn.reply + 1, turn.reply + (end - turn.reply) // 2)
                sk.items.append((at, AGENT, turn.agent, turn.team))
                sk.span = max(sk.span, at)
            else:
                author = conv.assignee or r.randint(1, AGENTS)
                sk.items.append((r.randint(0, max(1, sk.span)), NOTE, author, None))
        self.cycles_done += 1
        self.messages_done += len(sk.items)

    # ------------------------------------------------------------------ one conversation

    def _conversation(self, rows: Rows, index: int) -> None:
        r = self.rng
        acc = r.choices(ACCOUNTS, ACCOUNT_WEIGHTS)[0]
        team = r.choices(range(1, len(TEAMS) + 1), TEAM_WEIGHTS)[0] if r.random() < 0.9 else None
        is_open = index in self.open
        conv = Conv(
            id=index + 1,
            account=acc,
            kind="comment" if r.random() < acc.comment_share else "direct",
            team=team,
            assignee=self._assignee(team, is_open),
            priority=r.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
        )
        conv.calendar = (self.team_cals.get(team) if team else None) or self.account_cals.get(
            acc.id
        )
        conv.policy = self._policy(acc.id, team, conv.priority)
        n = self.counts[index]
        sketches = [self._sketch(conv, is_open and seq == n) for seq in range(1, n + 1)]
        opens = self._place(sketches, is_open)
        w, first = self.writer, EPOCH + timedelta(microseconds=opens[0])
        if r.random() < 0.03:  # the brand wrote first: outside any cycle
            self.messages_done += 1
            before = first - timedelta(seconds=r.randint(3600, 2 * 86400))
            first = w.message(rows, conv, (0, OUTSIDE, conv.assignee or 1, team), before, 0, 0)
        last_in = last = first
        for seq, (sk, start) in enumerate(zip(sketches, opens, strict=True), start=1):
            cycle_id = w.next_id("cycle")
            base = EPOCH + timedelta(microseconds=start)
            score = sk.answer[1] if sk.answer else 0
            for item in sk.items:
                at = w.message(rows, conv, item, base, cycle_id, score)
                last = max(last, at)
                if item[1] == IN:
                    last_in = max(last_in, at)
            if seq > 1:  # the customer's message reopened it
                w.status(rows, conv.id, "open", base, None)
            for off, status, actor in sk.status:
                w.status(rows, conv.id, status, base + timedelta(microseconds=off), actor)
            w.cycle(rows, conv, cycle_id, seq, sk, base)
        w.conversation(rows, conv, is_open, first, last, last_in)

    def _place(self, sketches: list[Sketch], is_open: bool) -> list[int]:
        """Each cycle's opening instant (whole seconds), in order, inside the 180 days."""
        r = self.rng
        gaps = [max(HOUR, _ln(r, 12 * 86400, 1.0)) for _ in sketches[1:]]
        spans = sum(s.span for s in sketches)
        room = self.t1 - self.t0 - spans
        if gaps and sum(gaps) > room:
            scale = max(0, room) / sum(gaps)
            gaps = [max(10 * S, int(g * scale)) for g in gaps]
        latest = self.t1 - spans - sum(gaps)
        if is_open and r.random() < 0.25:  # today's queue; the other open ones are backlog
            start = latest - int(min(r.expovariate(1 / (3 * 86400)), 30 * 86400) * S)
        else:
            start = r.randint(self.t0, max(self.t0, latest))
        cursor, opens = max(self.t0, start), []
        for sk, gap in zip(sketches, [*gaps, 0], strict=True):
            at = cursor + (-cursor % S)
            opens.append(at)
            cursor = at + sk.span + gap
        return opens
