"""What the engine decided: plain frozen values with ids resolved and replies rendered.

The inbox applies them in order; the engine never does. Several rules may emit overlapping
actions (two ``AddLabels``, two assignments): they are kept in rule order, and applying them
in that order gives "later rule wins", which is what an admin reading the list expects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    private: bool = False  # for a comment: a private message instead of a public reply


@dataclass(frozen=True, slots=True)
class AssignAgent:
    user_id: int


@dataclass(frozen=True, slots=True)
class AssignTeam:
    team_id: int
    strategy: str = "round_robin"  # round_robin | least_open


@dataclass(frozen=True, slots=True)
class AddLabels:
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemoveLabels:
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetPriority:
    priority: str


@dataclass(frozen=True, slots=True)
class SetStatus:
    status: str
    snooze_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class HideComment:
    pass


@dataclass(frozen=True, slots=True)
class CallWebhook:
    url: str
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class Subscribe:
    on: bool


Action = (
    Reply
    | AssignAgent
    | AssignTeam
    | AddLabels
    | RemoveLabels
    | SetPriority
    | SetStatus
    | HideComment
    | CallWebhook
    | Subscribe
)

TYPE_NAMES: dict[type[Any], str] = {
    Reply: "reply",
    AssignAgent: "assign_agent",
    AssignTeam: "assign_team",
    AddLabels: "add_labels",
    RemoveLabels: "remove_labels",
    SetPriority: "set_priority",
    SetStatus: "set_status",
    HideComment: "hide_comment",
    CallWebhook: "call_webhook",
    Subscribe: "subscribe",
}
_BY_NAME = {name: cls for cls, name in TYPE_NAMES.items()}


def action_to_json(action: Action, *, redact: bool = True) -> dict[str, Any]:
    """``{"type": "add_labels", "labels": [...]}``.

    Traces are stored and shown in the API, so a webhook secret is written as ``"***"`` unless
    ``redact=False`` (for a queue that must execute the action later).
    """
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(action).items()}
    if redact and isinstance(action, CallWebhook):
        data["secret"] = "***" if action.secret else None
    return {"type": TYPE_NAMES[type(action)], **data}


def action_from_json(data: dict[str, Any]) -> Action:
    """The inverse of ``action_to_json`` (a redacted webhook secret stays redacted)."""
    cls = _BY_NAME[data["type"]]
    values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
    if "labels" in values:
        values["labels"] = tuple(values["labels"])
    action: Action = cls(**values)
    return action
