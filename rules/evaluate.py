"""Evaluate compiled rules against one message's facts: actions to apply, and a trace.

Semantics, in order:

- **Loop guard.** Only a contact's inbound message can fire rules: our own replies, agents,
  bots, system messages and platform echoes yield nothing (no actions, no trace), so a rule
  can never answer itself.
- Only rules whose ``when`` is ``facts.event`` run, in rule order (for ``no_reply`` with
  ``facts.minutes``, only those of that wait). ``off`` rules never run and are never traced.
- A matching ``active`` rule adds its actions; with ``stop`` it ends the evaluation.
- A matching ``monitor`` rule adds nothing: its trace entry holds what it *would* do, and its
  ``stop`` is recorded (``stopped``) but does not stop later rules.
- The trace has one entry per matching rule, and per rule whose test raised (``error``). A
  reply template that fails to render is left out of that rule's actions, with ``error`` set.
- ``explain=True`` (dry runs) also traces every rule that did not match (``matched=False``);
  it tests each rule in full rather than through the per-channel plan, so it is slower.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules._context import Ctx
from rules._effects import produce
from rules.actions import Action, action_to_json
from rules.compile import CompiledRule, CompiledRules
from rules.facts import Facts
from rules.schema import Mode


@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule_index: int
    rule_name: str
    mode: str  # active | monitor
    matched: bool
    actions: tuple[Action, ...]  # done (active) or would-do (monitor)
    stopped: bool
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_index": self.rule_index,
            "rule_name": self.rule_name,
            "mode": self.mode,
            "matched": self.matched,
            "actions": [action_to_json(a) for a in self.actions],
            "stopped": self.stopped,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    actions: tuple[Action, ...] = ()
    trace: tuple[TraceEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain data for storage and the API (webhook secrets redacted)."""
        return {
            "actions": [action_to_json(a) for a in self.actions],
            "trace": [t.to_json() for t in self.trace],
        }


NOTHING = Evaluation()


def evaluate(compiled: CompiledRules, facts: Facts, *, explain: bool = False) -> Evaluation:
    """What the rules do for this message (see the module docstring for the semantics)."""
    message = facts.message
    if message.direction != "in" or message.sender_type != "contact" or message.is_echo:
        return NOTHING
    if explain:
        return _explain(compiled, facts)
    plan = compiled.plan(facts.event, message.channel, message.kind, facts.minutes)
    if plan.empty:
        return NOTHING
    ctx = Ctx(facts, compiled.keywords if plan.reads_keywords else None)
    actions: list[Action] = []
    trace: list[TraceEntry] = []
    for step in plan.steps(ctx.hits):
        rule = step.rule
        if step.pred is not None:
            try:
                if not step.pred(ctx):
                    continue
            except Exception as e:  # one broken test must not cost the other rules
                trace.append(_failed(rule, e))
                continue
        entry = _matched(rule, ctx)
        trace.append(entry)
        if rule.mode is Mode.ACTIVE:
            actions.extend(entry.actions)
            if rule.stop:
                break
    return Evaluation(tuple(actions), tuple(trace))


def _matched(rule: CompiledRule, ctx: Ctx) -> TraceEntry:
    if rule.constant is not None:
        done, error = rule.constant, None
    else:
        done, error = produce(rule.effects, ctx)
    return TraceEntry(rule.index, rule.name, rule.mode.value, True, done, rule.stop, error)


def _failed(rule: CompiledRule, e: Exception) -> TraceEntry:
    error = f"condition failed: {type(e).__name__}: {e}"
    return TraceEntry(rule.index, rule.name, rule.mode.value, False, (), False, error)


def _explain(compiled: CompiledRules, facts: Facts) -> Evaluation:
    ctx = Ctx(facts, compiled.keywords if len(compiled.keywords) else None)
    actions: list[Action] = []
    trace: list[TraceEntry] = []
    for rule, pred in compiled.unspecialised(facts.event, facts.minutes):
        try:
            matched = pred(ctx)
        except Exception as e:
            trace.append(_failed(rule, e))
            continue
        if not matched:
            trace.append(TraceEntry(rule.index, rule.name, rule.mode.value, False, (), False))
            continue
        entry = _matched(rule, ctx)
        trace.append(entry)
        if rule.mode is Mode.ACTIVE:
            actions.extend(entry.actions)
            if rule.stop:
                break
    return Evaluation(tuple(actions), tuple(trace))
