"""Rules as data: the ``Rule`` model, and the YAML document ``{"rules": [...]}``.

A rule file is the admin's text, so ``dump_yaml`` keeps Unicode readable and field order as
written (name, mode, when, if, then, stop), and ``load_yaml(dump_yaml(rules)) == rules``.
Everything unknown is an error (``extra="forbid"``): a misspelt key must never silently make
a rule match more than intended.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from rules._fields import Channel
from rules.action_specs import ActionSpec
from rules.conditions import Condition, leaf_keys
from rules.errors import RuleError, from_validation, problem

__all__ = [
    "ActionSpec",
    "Channel",
    "Condition",
    "Mode",
    "Rule",
    "RuleSet",
    "Trigger",
    "dump_yaml",
    "load_yaml",
]


class Trigger(StrEnum):
    MESSAGE_RECEIVED = "message_received"
    CONVERSATION_OPENED = "conversation_opened"
    NO_REPLY = "no_reply"  # with ``minutes``; scheduled and evaluated by the inbox
    SLA_BREACHED = "sla_breached"  # an SLA target was missed (condition ``sla_metric``)


class Mode(StrEnum):
    ACTIVE = "active"
    MONITOR = "monitor"  # evaluated and traced, never acted on
    OFF = "off"


def _mode(value: Any) -> Any:
    return "off" if value is False else value  # YAML 1.1 reads `mode: off` as false


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str = Field(min_length=1, max_length=200)
    mode: Annotated[Mode, BeforeValidator(_mode)] = Mode.ACTIVE
    when: Trigger
    minutes: int | None = Field(default=None, gt=0, le=366 * 24 * 60)
    if_: Condition | None = Field(default=None, alias="if")
    then: list[ActionSpec] = Field(default_factory=list)
    stop: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if not self.name.strip():
            raise ValueError("name must not be blank")
        if (self.when == Trigger.NO_REPLY) != (self.minutes is not None):
            raise ValueError("minutes is required with when: no_reply, and only then")
        if (
            self.when != Trigger.SLA_BREACHED
            and self.if_ is not None
            and "sla_metric" in leaf_keys(self.if_)
        ):
            raise ValueError("the sla_metric condition needs when: sla_breached")
        if not self.then and not self.stop:
            raise ValueError("then needs at least one action (or stop: true)")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The plain form stored and shown: aliases (``if``, ``not``), no empty fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[Rule] = Field(default_factory=list)


def parse_rules(raw: Any) -> list[Rule]:
    """Rules from ``{"rules": [...]}`` or a bare list; ``RuleError`` lists every problem."""
    if isinstance(raw, dict):
        extra = set(raw) - {"rules"}
        if extra:
            names = ", ".join(sorted(map(str, extra)))
            raise RuleError([problem(None, None, "", f"unknown top-level field(s) {names}")])
        raw = raw.get("rules") or []
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RuleError([problem(None, None, "rules", "expected a list of rules")])
    rules, errors = [], []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        try:
            rules.append(Rule.model_validate(item))
        except ValidationError as e:
            errors.extend(from_validation(e, i, name if isinstance(name, str) else None))
    if errors:
        raise RuleError(errors)
    return rules


def load_yaml(text: str) -> list[Rule]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RuleError([problem(None, None, "", f"not valid YAML: {e}")]) from None
    return parse_rules(data)


class _Dumper(yaml.SafeDumper):
    """Safe dumping, indented lists, and short lists of scalars on one line: ``kind: [comment]``."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(isinstance(x, str | int | float) and len(str(x)) < 40 for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None  # multi-line replies read as written
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump_yaml(rules: Sequence[Rule]) -> str:
    document = {"rules": [rule.to_dict() for rule in rules]}
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
