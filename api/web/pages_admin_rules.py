"""``/admin/rules``: the rule set in order, each editable as YAML, plus import/export and a
"test a message" form. Summaries are computed here so the list reads without opening a rule."""

from __future__ import annotations

import json
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web.page_deps import PageAdmin
from api.web.templating import render
from inbox.accounts import service as accounts
from inbox.automation import store

router = APIRouter(include_in_schema=False)

CHANNELS = ("telegram", "vk", "facebook", "instagram")
NEW_RULE = """name: New rule
mode: monitor
when: message_received
if:
  all:
    - kind: direct
    - text_has_any: [price]
then:
  - add_label: [pricing]
"""
_FIELDS = ("name", "mode", "when", "minutes", "if", "then", "stop")


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def summarise_condition(node: Any) -> str:
    """``all(channel: [vk], kind: [comment], text_has_any: [доставка])``."""
    if not isinstance(node, dict):
        return _value(node)
    parts = []
    for key, value in node.items():
        if key in ("all", "any") and isinstance(value, list):
            parts.append(f"{key}(" + ", ".join(summarise_condition(v) for v in value) + ")")
        elif key == "not":
            parts.append(f"not({summarise_condition(value)})")
        else:
            parts.append(f"{key}: {_value(value)}")
    return ", ".join(parts)


def summarise_actions(actions: list[Any]) -> list[str]:
    out: list[str] = []
    for action in actions:
        if isinstance(action, dict):
            out.extend(f"{k}: {_value(v)}" for k, v in action.items())
        else:
            out.append(_value(action))
    return out


def definition(rule: dict[str, Any]) -> dict[str, Any]:
    """The rule as the API takes it back: without id, position and timestamps."""
    return {k: rule[k] for k in _FIELDS if k in rule}


def as_yaml(rule: dict[str, Any]) -> str:
    return yaml.safe_dump(definition(rule), allow_unicode=True, sort_keys=False, width=100)


@router.get("/admin/rules")
async def rules_page(request: Request, session: SessionDep, _admin: PageAdmin) -> HTMLResponse:
    rows = await store.list_rules(await session.connection())
    rules = [
        {
            "id": r.id,
            "name": d.get("name", ""),
            "mode": d.get("mode", "active"),
            "when": d.get("when", ""),
            "minutes": d.get("minutes"),
            "stop": bool(d.get("stop")),
            "if_summary": summarise_condition(d["if"]) if d.get("if") else "",
            "then_summary": summarise_actions(d.get("then") or []),
            "yaml": as_yaml(d),
        }
        for r in rows
        for d in [r.definition]
    ]
    return render(
        request,
        "admin/rules.html",
        {
            "rules": rules,
            "definitions": {str(r.id): definition(r.definition) for r in rows},
            "accounts": await accounts.list_accounts(session),
            "channels": CHANNELS,
            "modes": ("active", "monitor", "off"),
            "new_rule": NEW_RULE,
        },
    )
