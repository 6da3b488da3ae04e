"""A rule's ``then`` compiled: plain actions built once, replies kept as parsed templates.

Only replies depend on the message; every other action is a constant made at compile time, so
a matching rule without a reply costs no allocation at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Template

from rules import templates
from rules._context import Ctx
from rules._lowering import Lowering
from rules.action_specs import ActionSpec
from rules.actions import (
    Action,
    AddLabels,
    AssignAgent,
    AssignTeam,
    CallWebhook,
    HideComment,
    RemoveLabels,
    Reply,
    SetPriority,
    SetStatus,
    Subscribe,
)


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    template: Template
    private: bool


Effect = Action | ReplyTemplate


def lower_action(spec: ActionSpec, env: Lowering, path: str) -> Effect | None:
    """The action with names resolved; ``None`` (and an error in ``env``) when it cannot be."""
    key, value = spec.key, spec.value
    path = f"{path}.{key}"
    if key == "reply":
        try:
            return ReplyTemplate(templates.parse(value.text), value.private)
        except ValueError as e:
            env.error(f"{path}.text", str(e))
            return None
    if key == "assign_agent":
        user = env.user(value, path)
        return None if user is None else AssignAgent(user)
    if key == "assign_team":
        team = env.team(value.team, f"{path}.team")
        return None if team is None else AssignTeam(team, value.strategy)
    if key == "set_status":
        return SetStatus(value.status, value.snooze_minutes)
    if key == "webhook":
        return CallWebhook(value.url, value.secret)
    if key == "add_label":
        return AddLabels(tuple(value))
    if key == "remove_label":
        return RemoveLabels(tuple(value))
    if key == "set_priority":
        return SetPriority(value)
    if key == "hide_comment":
        return HideComment()
    if key == "subscribe":
        return Subscribe(bool(value))
    raise AssertionError(f"action {key!r} has no compiler")


def produce(effects: Sequence[Effect], ctx: Ctx) -> tuple[tuple[Action, ...], str | None]:
    """The actions of a matched rule; a reply that fails to render is left out and reported."""
    done: list[Action] = []
    error = None
    for effect in effects:
        if not isinstance(effect, ReplyTemplate):
            done.append(effect)
            continue
        try:
            text = templates.render(effect.template, ctx.variables())
        except Exception as e:  # any template failure must cost one reply, not the message
            error = f"reply not rendered: {type(e).__name__}: {e}"
            continue
        if not text:
            error = "reply rendered empty"
            continue
        done.append(Reply(text, effect.private))
    return tuple(done), error
