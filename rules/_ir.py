"""The compiled form of a condition tree, and how it becomes one fast predicate.

A rule's ``if`` is lowered once into these nodes (names resolved, regexes and keywords
registered). For each (event, channel, kind) the tree is *specialised*: leaves on channel and
kind are decided there and then, so a VK-only rule costs nothing for a Telegram message.
What is left becomes nested closures, cheapest test first (``and``/``or`` short-circuit, so a
regex runs only when the cheap tests around it have passed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rules._context import Ctx

Predicate = Callable[[Ctx], bool]

# costs order siblings: plain fact < keyword hit < clock < regex < language detection
FACT, KEYWORD, CLOCK, REGEX, LANGUAGE = 1, 2, 3, 5, 20


@dataclass(frozen=True, slots=True)
class Test:
    """A leaf. ``static`` names a fact known per plan (channel, kind) and its allowed values."""

    pred: Predicate
    cost: int = FACT
    static: tuple[str, frozenset[str]] | None = None
    keyword: int | None = None  # the KeywordIndex leaf this test reads


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Node


Node = Test | AllOf | AnyOf | NotOf | bool


def specialise(node: Node, known: dict[str, str]) -> Node:
    """Decide the ``static`` leaves from ``known`` facts and fold the constants away."""
    if isinstance(node, bool):
        return node
    if isinstance(node, Test):
        if node.static is not None and node.static[0] in known:
            return known[node.static[0]] in node.static[1]
        return node
    if isinstance(node, NotOf):
        inner = specialise(node.item, known)
        return (not inner) if isinstance(inner, bool) else NotOf(inner)
    conjunction = isinstance(node, AllOf)
    kept: list[Node] = []
    for item in node.items:
        value = specialise(item, known)
        if isinstance(value, bool):
            if value is not conjunction:  # False in all(), True in any()
                return value
            continue
        kept.append(value)
    if not kept:
        return conjunction
    if len(kept) == 1:
        return kept[0]
    return AllOf(tuple(kept)) if conjunction else AnyOf(tuple(kept))


def cost(node: Node) -> int:
    if isinstance(node, bool):
        return 0
    if isinstance(node, Test):
        return node.cost
    if isinstance(node, NotOf):
        return cost(node.item)
    return sum(cost(item) for item in node.items)


def build(node: Node) -> Predicate:
    """One closure for the tree; children ordered cheapest first."""
    if isinstance(node, bool):
        return _always if node else _never
    if isinstance(node, Test):
        return node.pred
    if isinstance(node, NotOf):
        inner = build(node.item)
        return lambda c: not inner(c)
    preds = [build(item) for item in sorted(node.items, key=cost)]
    if isinstance(node, AllOf):
        return _all(preds)
    return _any(preds)


def split_guard(node: Node) -> tuple[int | None, Node]:
    """A keyword the rule cannot match without, and the rest of the tree.

    Rules gated by a keyword are only looked at when that keyword is in the message.
    """
    if isinstance(node, Test) and node.keyword is not None:
        return node.keyword, True
    if isinstance(node, AllOf):
        for i, item in enumerate(node.items):
            if isinstance(item, Test) and item.keyword is not None:
                rest = node.items[:i] + node.items[i + 1 :]
                return item.keyword, rest[0] if len(rest) == 1 else AllOf(rest)
    return None, node


def _always(c: Ctx) -> bool:
    return True


def _never(c: Ctx) -> bool:
    return False


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 2:
        a, b = preds
        return lambda c: a(c) and b(c)
    if len(preds) == 3:
        a, b, d = preds
        return lambda c: a(c) and b(c) and d(c)
    items = tuple(preds)

    def every(c: Ctx) -> bool:
        for p in items:  # noqa: SIM110 - a plain loop is about twice as fast as all(genexpr)
            if not p(c):
                return False
        return True

    return every


def _any(preds: list[Predicate]) -> Predicate:
    if len(preds) == 2:
        a, b = preds
        return lambda c: a(c) or b(c)
    if len(preds) == 3:
        a, b, d = preds
        return lambda c: a(c) or b(c) or d(c)
    items = tuple(preds)

    def some(c: Ctx) -> bool:
        for p in items:  # noqa: SIM110 - see every()
            if p(c):
                return True
        return False

    return some
