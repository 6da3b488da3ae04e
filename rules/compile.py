"""Compile once per change: validate against the directory, resolve names, precompile all.

``validate`` is what an API calls before saving (raw JSON/YAML data in, rules or a
``RuleError`` listing every problem out); ``compile_rules`` is what a worker calls when the
rule set changes. Per-message work is left to ``rules.evaluate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from rules._effects import Effect, ReplyTemplate, lower_action
from rules._fields import Channel, Kind
from rules._ir import Node, Predicate, build
from rules._leaves import lower
from rules._lowering import Directory, Lowering
from rules._plan import Plan, make_plan
from rules._text import KeywordIndex
from rules.actions import Action
from rules.errors import RuleError
from rules.schema import Mode, Rule, Trigger, parse_rules

__all__ = ["CompiledRule", "CompiledRules", "Directory", "RuleError", "compile_rules", "validate"]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int  # position in the sequence compiled
    name: str
    mode: Mode
    when: Trigger
    minutes: int | None  # no_reply: the wait; such a rule runs only for its own wait
    stop: bool
    tree: Node  # the condition; True when the rule has no ``if``
    effects: tuple[Effect, ...]
    constant: tuple[Action, ...] | None  # the actions when no reply needs rendering
    uses_language: bool
    source: Rule


@dataclass(eq=False)
class CompiledRules:
    """The runnable rule set. Plans per (event, channel, kind) are built on first use.

    A ``no_reply`` event may name the wait that ran out (``minutes``): then only the rules
    with that wait run, so a 30-minute and a 2-hour rule each fire at their own time.
    """

    rules: tuple[CompiledRule, ...]
    keywords: KeywordIndex
    needs_language: bool
    _plans: dict[tuple[str, str, str, int | None], Plan] = field(default_factory=dict, repr=False)
    _full: dict[tuple[str, int | None], tuple[tuple[CompiledRule, Predicate], ...]] = field(
        default_factory=dict, repr=False
    )

    def runnable(self, event: str, minutes: int | None = None) -> list[CompiledRule]:
        return [
            r
            for r in self.rules
            if r.mode is not Mode.OFF
            and r.when == event
            and (minutes is None or r.minutes == minutes)
        ]

    def waits(self) -> frozenset[int]:
        """The ``minutes`` of the runnable ``no_reply`` rules: what the inbox must schedule."""
        return frozenset(
            r.minutes
            for r in self.rules
            if r.mode is not Mode.OFF and r.when == Trigger.NO_REPLY and r.minutes is not None
        )

    def plan(self, event: str, channel: str, kind: str, minutes: int | None = None) -> Plan:
        key = (event, channel, kind, minutes)
        plan = self._plans.get(key)
        if plan is None:
            runnable = self.runnable(event, minutes)
            plan = self._plans[key] = make_plan(runnable, {"channel": channel, "kind": kind})
        return plan

    def unspecialised(
        self, event: str, minutes: int | None = None
    ) -> tuple[tuple[CompiledRule, Predicate], ...]:
        """Every runnable rule of ``event`` with its whole predicate (for explaining)."""
        found = self._full.get((event, minutes))
        if found is None:
            found = self._full[(event, minutes)] = tuple(
                (r, build(r.tree)) for r in self.runnable(event, minutes)
            )
        return found


def compile_rules(
    rules: Sequence[Rule], directory: Directory, *, warm: bool = True
) -> CompiledRules:
    """Compile ``rules`` in order; ``RuleError`` lists every unresolved name or bad value.

    ``warm`` builds the per-(event, channel, kind) plans now (~8 ms per thousand rules each),
    so the first message after a change does not pay for them.
    """
    env = Lowering(directory)
    compiled = []
    for index, rule in enumerate(rules):
        env.rule, env.name, env.uses_language = index, rule.name, False
        tree = True if rule.if_ is None else lower(rule.if_, "if", env)
        effects = tuple(
            e
            for i, spec in enumerate(rule.then)
            if (e := lower_action(spec, env, f"then[{i}]")) is not None
        )
        templated = any(isinstance(e, ReplyTemplate) for e in effects)
        constant = (
            None if templated else tuple(e for e in effects if not isinstance(e, ReplyTemplate))
        )
        compiled.append(
            CompiledRule(
                index=index,
                name=rule.name,
                mode=rule.mode,
                when=rule.when,
                minutes=rule.minutes,
                stop=rule.stop,
                tree=tree,
                effects=effects,
                constant=constant,
                uses_language=env.uses_language,
                source=rule,
            )
        )
    if env.errors:
        raise RuleError(env.errors)
    needs_language = any(r.uses_language and r.mode is not Mode.OFF for r in compiled)
    result = CompiledRules(tuple(compiled), env.keywords, needs_language)
    if warm:
        for event, minutes in {(r.when, r.minutes) for r in compiled if r.mode is not Mode.OFF}:
            for channel in get_args(Channel):
                for kind in get_args(Kind):
                    result.plan(event, channel, kind, minutes)
    return result


def validate(raw: Any, directory: Directory) -> list[Rule]:
    """Rules from raw JSON/YAML data (``{"rules": [...]}`` or a list), checked to compile."""
    rules = parse_rules(raw)
    compile_rules(rules, directory, warm=False)
    return rules
