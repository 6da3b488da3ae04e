"""The optimised evaluation (per-channel plans, keyword gates, merged keyword lists, regex
prefilters, cost ordering) must agree with a naive reading of the rules, on random rule sets.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rules._text import fold
from rules.evaluate import evaluate
from rules.facts import Facts
from tests.rules.helpers import CALENDAR, compiled, facts

WORDS = ["доставка", "заказ", "배송", "주문", "order", "refund", "where", "is", "my", "🔥", "ёлка"]
KEYWORDS = [*WORDS, "where is my order", "배송 언제", "e-mail", "ЁЛКА"]
PATTERNS = [r"\d{3,}", r"заказ\s*№?\d+", r"or(der)?s?\b", r"^где", r"(배송|доставк)\w*"]
LEAF_KEYS = [
    *("channel", "kind", "account", "text_has_any", "text_has_any", "text_matches"),
    *("has_attachments", "contact_is_new", "business_hours"),
]
FILLER = [
    "где",
    "мой",
    "когда",
    "언제",
    "와요",
    "e-mail",
    "#42",
    "12345",
    "№77",
    "доставкаы",
    "배송비",
]


def naive(cond: dict[str, Any], f: Facts) -> bool:
    """The rules as the documentation states them, with no optimisation at all."""
    ((key, value),) = cond.items()
    m = f.message
    if key == "all":
        return all(naive(c, f) for c in value)
    if key == "any":
        return any(naive(c, f) for c in value)
    if key == "not":
        return not naive(value, f)
    if key == "channel":
        return m.channel in value
    if key == "kind":
        return m.kind in value
    if key == "account":
        return m.account_id in value
    if key == "text_has_any":
        text = fold(m.text)
        return any(
            re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, fold(k).split())) + r"(?!\w)", text)
            for k in value
        )
    if key == "text_matches":
        return re.search(value, m.text, re.IGNORECASE) is not None
    if key == "has_attachments":
        return bool(m.attachment_types) == value
    if key == "contact_is_new":
        return f.contact.is_new == value
    if key == "business_hours":
        is_open = f.calendar is None or f.calendar.is_open(f.now)
        return is_open == (value == "inside")
    raise AssertionError(key)


def random_condition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    if depth < 3 and rng.random() < 0.45:
        shape = rng.choice(["all", "all", "any", "not"])
        if shape == "not":
            return {"not": random_condition(rng, depth + 1)}
        return {shape: [random_condition(rng, depth + 1) for _ in range(rng.randint(1, 4))]}
    key = rng.choice(LEAF_KEYS)
    value: Any = {
        "channel": lambda: rng.sample(
            ["telegram", "vk", "facebook", "instagram"], rng.randint(1, 2)
        ),
        "kind": lambda: [rng.choice(["direct", "comment"])],
        "account": lambda: [rng.randint(1, 3)],
        "text_has_any": lambda: rng.sample(KEYWORDS, rng.randint(1, 3)),
        "text_matches": lambda: rng.choice(PATTERNS),
        "has_attachments": lambda: rng.random() < 0.5,
        "contact_is_new": lambda: rng.random() < 0.5,
        "business_hours": lambda: rng.choice(["inside", "outside"]),
    }[key]()
    return {key: value}


def random_facts(rng: random.Random) -> Facts:
    words = rng.choices(WORDS + FILLER, k=rng.randint(1, 9))
    if rng.random() < 0.2:
        words = [w.upper() for w in words]
    return facts(
        " ".join(words) + rng.choice(["", "?", "!"]),
        channel=rng.choice(["telegram", "vk", "facebook", "instagram"]),
        kind=rng.choice(["direct", "comment"]),
        account_id=rng.randint(1, 3),
        attachments=("photo",) if rng.random() < 0.3 else (),
        contact={"is_new": rng.random() < 0.5},
        calendar=CALENDAR if rng.random() < 0.7 else None,
        now=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 7 * 24 * 60)),
    )


def test_fast_path_equals_full_evaluation_equals_naive_reading() -> None:
    rng = random.Random(20260302)
    for _ in range(30):
        raw = [
            {
                "name": f"r{i}",
                "mode": rng.choice(["active", "active", "monitor", "off"]),
                "when": "message_received",
                "if": random_condition(rng),
                "then": [{"add_label": f"l{i}"}],
                "stop": rng.random() < 0.1,
            }
            for i in range(rng.randint(1, 25))
        ]
        rules = compiled(raw)
        for _ in range(40):
            f = random_facts(rng)
            fast = evaluate(rules, f)
            full = evaluate(rules, f, explain=True)
            expected: list[str] = []
            traced: list[str] = []
            for r in raw:
                if r["mode"] == "off" or not naive(r["if"], f):
                    continue
                traced.append(r["name"])
                if r["mode"] == "active":
                    expected.append(r["then"][0]["add_label"])
                    if r["stop"]:
                        break
            assert [a.labels[0] for a in fast.actions] == expected, (raw, f)  # type: ignore[union-attr]
            assert full.actions == fast.actions
            assert [t.rule_name for t in fast.trace] == traced
            assert [t.rule_name for t in full.trace if t.matched] == traced
