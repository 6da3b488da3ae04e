"""A cheap necessary condition for a regex: literals one of which must be in the text.

``\\b(заказ|order)\\s*#?\\d{4,}`` cannot match a text that contains neither "заказ" nor
"order". Testing ``literal in text.casefold()`` costs a fraction of a regex search, and most
regexes of a large rule set fail on most messages, so each regex leaf checks its literals
first. The literals come from the parsed pattern (``re._parser``; anything unexpected means
"no prefilter", never a wrong answer).

Exactness under ``IGNORECASE``: the regex matches a character to a literal when their simple
lowercase forms agree or they are in one of ``re``'s extra case classes; casefolding both
sides preserves every such pair except the Turkish i's (capital dotted I folds to two
characters, dotless i to itself), so the four i's end a literal run instead of joining it.
The text is casefolded without NFC normalisation, because the regex sees the text as it is.
"""

from __future__ import annotations

import importlib
from typing import Any

UNSAFE = frozenset("iI\u0131\u0130")  # i, I, dotless i, capital dotted I
MAX_ALTERNATIVES = 16

try:  # private but stable since 3.11; losing it only loses the speed-up
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _parser = None

Literals = frozenset[str]


def required_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Casefolded literals, one of which every match contains; ``None`` when unknown."""
    if _parser is None:
        return None
    try:
        found = _sequence(list(_parser.parse(pattern, flags)))
    except Exception:  # an unusual parse tree: no prefilter rather than a wrong one
        return None
    if not found or "" in found:
        return None
    return found


def _better(a: Literals | None, b: Literals | None) -> Literals | None:
    """The more selective of two necessary sets: longer shortest literal, then fewer."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: list[Any]) -> Literals | None:
    best: Literals | None = None
    run: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and chr(arg) not in UNSAFE:
            run.append(chr(arg).casefold())
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        if name == "SUBPATTERN":
            best = _better(best, _sequence(list(arg[-1])))
        elif name == "BRANCH":
            best = _better(best, _branches(arg[1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            best = _better(best, _sequence(list(arg[2])))
        elif name == "ATOMIC_GROUP":
            best = _better(best, _sequence(list(arg)))
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def _branches(branches: list[Any]) -> Literals | None:
    """Every alternative must contribute, or the alternation gives no guarantee."""
    union: set[str] = set()
    for branch in branches:
        found = _sequence(list(branch))
        if found is None:
            return None
        union |= found
    return frozenset(union) if len(union) <= MAX_ALTERNATIVES else None
