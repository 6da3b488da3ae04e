"""Per (event, channel, kind): which rules can match at all, and what is left to test.

Built by ``compile_rules`` for the known channels and kinds (or on first use for others) and
cached in ``CompiledRules``. Rules excluded by their channel or kind
leaves disappear from the plan; rules that need a keyword are filed under it and only looked
at when the message contains it. The rest is a short list of specialised predicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from rules._ir import AllOf, AnyOf, Node, NotOf, Predicate, Test, build, specialise, split_guard

if TYPE_CHECKING:
    from rules.compile import CompiledRule

_INDEX = attrgetter("rule.index")


@dataclass(frozen=True, slots=True)
class Step:
    rule: CompiledRule
    pred: Predicate | None  # None: the guard (or nothing) was all there was to test


@dataclass(frozen=True, slots=True)
class Plan:
    ungated: tuple[Step, ...] = ()
    gated: dict[int, tuple[Step, ...]] = field(default_factory=dict)
    reads_keywords: bool = False

    @property
    def empty(self) -> bool:
        return not self.ungated and not self.gated

    def steps(self, hits: set[int]) -> Sequence[Step]:
        """The candidate rules for a message with these keyword hits, in rule order."""
        if not hits or not self.gated:
            return self.ungated
        extra = [s for k in hits if (g := self.gated.get(k)) is not None for s in g]
        if not extra:
            return self.ungated
        return sorted((*self.ungated, *extra), key=_INDEX)


def make_plan(rules: Sequence[CompiledRule], known: dict[str, str]) -> Plan:
    ungated: list[Step] = []
    gated: dict[int, list[Step]] = {}
    reads_keywords = False
    for rule in rules:
        node = specialise(rule.tree, known)
        if node is False:
            continue
        guard, rest = split_guard(node)
        step = Step(rule, None if rest is True else build(rest))
        reads_keywords = reads_keywords or guard is not None or _reads_keywords(rest)
        if guard is None:
            ungated.append(step)
        else:
            gated.setdefault(guard, []).append(step)
    return Plan(tuple(ungated), {k: tuple(v) for k, v in gated.items()}, reads_keywords)


def _reads_keywords(node: Node) -> bool:
    if isinstance(node, Test):
        return node.keyword is not None
    if isinstance(node, NotOf):
        return _reads_keywords(node.item)
    if isinstance(node, AllOf | AnyOf):
        return any(_reads_keywords(item) for item in node.items)
    return False
