"""Sketched cycles of ``bench/reports`` (``_reports_data``) turned into table rows.

The cycle and turn rows are written from the sketch's own structure (which message opened
each turn, which reply answered it), with the definitions of ``inbox/reporting``: durations
never negative, business hours by the team's calendar, else the account's; SLA deadlines
from the most specific policy; a first response not owed when the cycle was resolved
without one before its deadline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from _reports_fixtures import LABEL_WEIGHTS, LABELS, TABLES, AccountSpec, texts

from inbox.reporting.calendars import business_seconds
from rules.calendar import BusinessCalendar

S = 1_000_000  # offsets and instants are whole microseconds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SURVEY_TEXT = "How would you rate our help? 1 = poor, 5 = excellent"

# What a timeline item is; only IN, BOT, AGENT (and the resolve) can matter to a metric.
IN, BOT, AGENT, FAILED, NOTE, SURVEY, ANSWER, THANKS, OUTSIDE = range(9)
_SHAPE = {  # direction, sender type, kind, private, delivery status
    IN: ("in", "contact", "message", False, None),
    BOT: ("out", "bot", "message", False, "sent"),
    AGENT: ("out", "agent", "message", False, "sent"),
    FAILED: ("out", "agent", "message", False, "failed"),
    NOTE: ("out", "agent", "note", True, None),
    SURVEY: ("out", "bot", "message", False, "sent"),
    ANSWER: ("in", "contact", "postback", False, None),
    THANKS: ("out", "bot", "message", False, "sent"),
    OUTSIDE: ("out", "agent", "message", False, "sent"),
}


@dataclass(slots=True)
class Turn:
    seq: int
    start: int
    reply: int | None = None
    agent: int | None = None
    team: int | None = None
    native: bool = False
    bot: int | None = None
    window: int | None = None  # the next item that matters after the reply (None: none yet)


@dataclass(slots=True)
class Sketch:
    """One cycle's timeline, in microseconds after its first customer message."""

    turns: list[Turn] = field(default_factory=list)
    items: list[tuple[int, int, int | None, int | None]] = field(default_factory=list)
    status: list[tuple[int, str, int | None]] = field(default_factory=list)
    resolved: int | None = None
    resolver: int | None = None
    survey: int | None = None
    answer: tuple[int, int] | None = None  # (offset, score)
    span: int = 0


@dataclass(slots=True)
class Conv:
    id: int
    account: AccountSpec
    kind: str
    team: int | None
    assignee: int | None
    priority: str | None
    calendar: BusinessCalendar | None = None
    policy: Any = None


class Rows:
    """Rows per table (in ``COLUMNS`` order), for COPY."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}

    def __getitem__(self, table: str) -> list[tuple[Any, ...]]:
        return self.tables[table]


def _at(base: datetime, off: int | None) -> datetime | None:
    return None if off is None else base + timedelta(microseconds=off)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())


def _deadline(start: datetime, minutes: int | None, policy: Any, cal: Any) -> datetime | None:
    if minutes is None:
        return None
    if policy.business_hours and cal is not None:
        return cal.business_deadline(start, minutes * 60.0)  # type: ignore[no-any-return]
    return start + timedelta(minutes=minutes)


def _breached(due: datetime | None, done: datetime | None, now: datetime) -> bool | None:
    if due is None:
        return None
    if done is not None:
        return done > due
    return True if now > due else None


class Writer:
    """Numbers the rows and appends them to a chunk's ``Rows``."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.texts = texts(rng)
        self.ids = dict.fromkeys(("message", "status", "cycle", "turn"), 0)

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def status(self, rows: Rows, cid: int, status: str, at: datetime, actor: int | None) -> None:
        rows["conversation_status_log"].append((self.next_id("status"), cid, status, at, actor))

    def message(
        self, rows: Rows, conv: Conv, item: tuple[int, int, Any, Any], base: datetime,
        cycle_id: int, score: int,
    ) -> datetime:  # fmt: skip
        off, kind, user, team = item
        at = base + timedelta(microseconds=off)
        mid = self.next_id("message")
        direction, sender_type, msg_kind, private, delivery = _SHAPE[kind]
        inbound = direction == "in"
        text, payload = self.texts[mid % len(self.texts)], None
        if kind == SURVEY:
            text = SURVEY_TEXT
        elif kind == ANSWER:
            text, payload = str(score), f"csat:{cycle_id}:{score}"
        if kind == AGENT and user is None:
            delivery = None  # an echo: the platform delivered it already
        external = None if kind in (NOTE, FAILED) else str(mid)
        peer, name = (f"p{conv.id}", f"Customer {conv.id}") if inbound else (None, None)
        error = "blocked by the user" if kind == FAILED else None
        sender, team = (None, None) if inbound else (user, team)
        rows["messages"].append(
            (mid, conv.id, conv.account.id, external, direction, sender_type, peer, name,
             msg_kind, text, "[]", payload, "[]", private, delivery, error, sender, team, at, at)
        )  # fmt: skip
        return at

    def cycle(
        self, rows: Rows, conv: Conv, cycle_id: int, seq: int, sk: Sketch, opened: datetime
    ) -> None:
        cal, policy, acc, now = conv.calendar, conv.policy, conv.account, self.now
        resolved = _at(opened, sk.resolved)
        for t in sk.turns:
            started, replied = opened + timedelta(microseconds=t.start), _at(opened, t.reply)
            due = None
            if policy is not None:
                minutes = (policy.next_response_minutes, policy.first_response_minutes)[t.seq == 1]
                due = _deadline(started, minutes, policy, cal)
            rows["response_turns"].append(
                (self.next_id("turn"), cycle_id, conv.id, t.seq, acc.id, acc.channel, started,
                 replied, t.agent, t.team, t.native, _at(opened, t.bot),
                 _seconds(started, replied), business_seconds(cal, started, replied), due,
                 resolved)
            )  # fmt: skip
        head = sk.turns[0]
        first = _at(opened, head.reply)
        bots = [t.bot for t in sk.turns if t.bot is not None]
        automated = _at(opened, bots[0]) if bots else None
        first_due = resolution_due = first_breached = resolution_breached = None
        if policy is not None:
            first_due = _deadline(opened, policy.first_response_minutes, policy, cal)
            resolution_due = _deadline(opened, policy.resolution_minutes, policy, cal)
            if first_due is not None and first is None and resolved is not None:
                first_breached = True if resolved > first_due else None  # resolved: not owed
            else:
                first_breached = _breached(first_due, first, now)
            resolution_breached = _breached(resolution_due, resolved, now)
        answer = sk.answer
        rows["conversation_cycles"].append(
            (cycle_id, conv.id, seq, acc.id, acc.channel, opened, first,
             head.agent if first else None, head.team if first else None, head.native,
             _seconds(opened, first), business_seconds(cal, opened, first), automated,
             _seconds(opened, automated), resolved, sk.resolver if resolved else None,
             _seconds(opened, resolved), business_seconds(cal, opened, resolved),
             conv.assignee, conv.team, conv.priority, len(sk.turns),
             sum(1 for t in sk.turns if t.reply is not None), _at(opened, sk.survey),
             answer[1] if answer else None, _at(opened, answer[0]) if answer else None,
             policy.id if policy else None, first_due, resolution_due, first_breached,
             resolution_breached, False, now)
        )  # fmt: skip

    def conversation(
        self, rows: Rows, conv: Conv, is_open: bool, first: datetime, last: datetime,
        last_in: datetime,
    ) -> None:  # fmt: skip
        r, acc, cid = self.rng, conv.account, conv.id
        status, snoozed = "resolved", None
        if is_open:
            status = r.choices(("open", "pending", "snoozed"), (80, 15, 5))[0]
            if status != "open":
                self.status(rows, cid, status, last + timedelta(seconds=1), conv.assignee)
            if status == "snoozed":
                snoozed = self.now + timedelta(hours=r.randint(2, 48))
        peer = f"p{cid}"
        post = f"post{r.randint(1, 300)}" if conv.kind == "comment" else None
        thread = f"comment:{post}:{peer}" if post else f"dm:{peer}"
        username = f"user{cid}" if r.random() < 0.6 else None
        language = r.choice(("ru", "en", "ko", None))
        rows["contacts"].append(
            (cid, acc.channel, peer, f"Customer {cid}", username, language, first, last_in)
        )
        rows["account_contacts"].append((cid, acc.id, cid, False, False, last_in, last_in))
        url = f"https://example.com/{post}" if post else None
        rows["conversations"].append(
            (cid, acc.id, acc.channel, conv.kind, thread, peer, cid, status, conv.assignee,
             conv.team, conv.priority, snoozed, post, url,
             "New collection is here!" if post else None, last, last_in, first, last)
        )  # fmt: skip
        if r.random() < 0.4:
            picked = r.choices(LABELS, LABEL_WEIGHTS, k=r.choices((1, 2, 3), (60, 30, 10))[0])
            rows["conversation_labels"].extend((cid, label) for label in sorted(set(picked)))
