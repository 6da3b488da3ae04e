"""One function per condition key: the leaf's value in, a ``Test`` (closure + cost) out.

The closures read the per-evaluation ``Ctx``; anything costly is cached there. Values are
turned into frozensets here, once, so a test is a single membership check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rules._calendar_io import parse_time
from rules._context import Ctx
from rules._fields import NONE, WEEKDAYS
from rules._ir import CLOCK, KEYWORD, LANGUAGE, REGEX, AllOf, AnyOf, Node, NotOf, Test
from rules._lowering import Lowering
from rules._prefilter import required_literals
from rules.conditions import All, Any_, Condition, Leaf, Not

LeafCompiler = Callable[[Any, Lowering, str], Node]


def lower(cond: Condition, path: str, env: Lowering) -> Node:
    """The condition tree as compiled nodes (``path`` names it in errors: ``if.all[1]``)."""
    if isinstance(cond, All):
        return AllOf(tuple(lower(c, f"{path}.all[{i}]", env) for i, c in enumerate(cond.all)))
    if isinstance(cond, Any_):
        items = [lower(c, f"{path}.any[{i}]", env) for i, c in enumerate(cond.any)]
        return AnyOf(merge_keywords(cond.any, items, env))
    if isinstance(cond, Not):
        return NotOf(lower(cond.not_, f"{path}.not", env))
    assert isinstance(cond, Leaf)
    return LEAVES[cond.key](cond.value, env, f"{path}.{cond.key}")


def merge_keywords(
    conds: Sequence[Condition], items: list[Node], env: Lowering
) -> tuple[Node, ...]:
    """``any`` of several keyword lists is one keyword list: one lookup, and a usable guard."""
    lists = [c.value for c in conds if isinstance(c, Leaf) and c.key == "text_has_any"]
    if len(lists) < 2:
        return tuple(items)
    rest = [n for n in items if not (isinstance(n, Test) and n.keyword is not None)]
    merged = _text_has_any([k for words in lists for k in words], env, "")
    return (merged, *rest)


def _static(field: str) -> LeafCompiler:
    def compile_(value: list[str], env: Lowering, path: str) -> Node:
        allowed = frozenset(value)
        return Test(lambda c: getattr(c.message, field) in allowed, static=(field, allowed))

    return compile_


def _account(value: list[int], env: Lowering, path: str) -> Node:
    for account in value:
        if account not in env.directory.account_ids:
            env.error(path, f"unknown account id {account}")
    allowed = frozenset(value)
    return Test(lambda c: c.message.account_id in allowed)


def _text_has_any(value: list[str], env: Lowering, path: str) -> Node:
    leaf = env.keywords.add(value)
    return Test(lambda c: leaf in c.hits, cost=KEYWORD, keyword=leaf)


def _text_matches(value: str, env: Lowering, path: str) -> Node:
    found = env.regex_id(value, path)
    if found is None:
        return False
    key, regex = found
    search = regex.search
    literals = tuple(required_literals(value, regex.flags) or ())

    def possible(c: Ctx) -> bool:
        """The cheap necessary test: one of the literals is in the text."""
        text = c.casefolded()
        for literal in literals:  # a loop: about twice as fast as any(genexpr)
            if literal in text:
                return True
        return not literals

    def matches(c: Ctx) -> bool:
        seen = c.regex.get(key)
        if seen is None:
            seen = c.regex[key] = possible(c) and search(c.message.text) is not None
        return seen

    return Test(matches, cost=REGEX)


def _has_attachments(value: bool, env: Lowering, path: str) -> Node:
    return Test(lambda c: bool(c.message.attachment_types) == value)


def _attachment_type(value: list[str], env: Lowering, path: str) -> Node:
    allowed = frozenset(v.strip().casefold() for v in value)
    return Test(lambda c: any(t.casefold() in allowed for t in c.message.attachment_types))


def _language(value: list[str], env: Lowering, path: str) -> Node:
    env.uses_language = True
    allowed = frozenset(value)
    return Test(lambda c: c.facts.language() in allowed, cost=LANGUAGE)


def _contact_is_new(value: bool, env: Lowering, path: str) -> Node:
    return Test(lambda c: bool(c.contact.is_new) == value)


def _subscribed(value: bool, env: Lowering, path: str) -> Node:
    return Test(lambda c: bool(c.contact.subscribed) == value)


def _contact_labels(value: list[str], env: Lowering, path: str) -> Node:
    wanted = frozenset(value)
    return Test(lambda c: not wanted.isdisjoint(c.contact.labels))


def _conversation_labels(value: list[str], env: Lowering, path: str) -> Node:
    wanted = frozenset(value)
    return Test(lambda c: not wanted.isdisjoint(c.conversation.labels))


def _status(value: list[str], env: Lowering, path: str) -> Node:
    allowed = frozenset(value)
    return Test(lambda c: c.conversation.status in allowed)


def _priority(value: list[str], env: Lowering, path: str) -> Node:
    allowed = frozenset(None if v == NONE else v for v in value)
    return Test(lambda c: c.conversation.priority in allowed)


def _assignee(value: int | str, env: Lowering, path: str) -> Node:
    if value == NONE:
        return Test(lambda c: c.conversation.assignee_id is None)
    user = env.user(value, path)
    return Test(lambda c: c.conversation.assignee_id == user)


def _team(value: int | str, env: Lowering, path: str) -> Node:
    if value == NONE:
        return Test(lambda c: c.conversation.team_id is None)
    team = env.team(value, path)
    return Test(lambda c: c.conversation.team_id == team)


def _business_hours(value: str, env: Lowering, path: str) -> Node:
    inside = value == "inside"
    return Test(lambda c: c.is_open() == inside, cost=CLOCK)


def _weekday(value: list[str], env: Lowering, path: str) -> Node:
    days = frozenset(WEEKDAYS.index(d) for d in value)
    return Test(lambda c: c.local_now().weekday() in days, cost=CLOCK)


def _time_between(value: tuple[str, str], env: Lowering, path: str) -> Node:
    start, end = parse_time(value[0], path), parse_time(value[1], path)
    if start < end:
        return Test(lambda c: start <= c.local_now().time() < end, cost=CLOCK)

    def overnight(c: Ctx) -> bool:  # 22:00-08:00; equal ends mean the whole day
        now = c.local_now().time()
        return now >= start or now < end

    return Test(overnight, cost=CLOCK)


def _sla_metric(value: list[str], env: Lowering, path: str) -> Node:
    allowed = frozenset(value)
    return Test(lambda c: c.facts.sla_metric in allowed)


LEAVES: dict[str, LeafCompiler] = {
    "channel": _static("channel"),
    "kind": _static("kind"),
    "account": _account,
    "text_has_any": _text_has_any,
    "text_matches": _text_matches,
    "has_attachments": _has_attachments,
    "attachment_type": _attachment_type,
    "language": _language,
    "contact_is_new": _contact_is_new,
    "subscribed": _subscribed,
    "contact_labels_any": _contact_labels,
    "conversation_labels_any": _conversation_labels,
    "status": _status,
    "priority": _priority,
    "assignee": _assignee,
    "team": _team,
    "business_hours": _business_hours,
    "weekday": _weekday,
    "time_between": _time_between,
    "sla_metric": _sla_metric,
}
