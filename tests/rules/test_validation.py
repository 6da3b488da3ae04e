"""Saving rules: every mistake reported at once, naming the rule and the field path."""

from __future__ import annotations

from typing import Any

import pytest

from rules.compile import Directory, compile_rules, validate
from rules.errors import RuleError
from rules.schema import Rule, parse_rules
from tests.rules.helpers import DIRECTORY


def errors_of(raw: Any, directory: Directory = DIRECTORY) -> list[dict[str, Any]]:
    with pytest.raises(RuleError) as caught:
        validate(raw, directory)
    assert str(caught.value)  # a readable summary as well
    return caught.value.errors


def one(condition: Any = None, then: Any = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Delivery", "when": "message_received"}
    data["then"] = then if then is not None else [{"add_label": "x"}]
    if condition is not None:
        data["if"] = condition
    return data | extra


@pytest.mark.parametrize(
    ("raw", "path", "needle"),
    [
        (one({"chanel": "vk"}), "if.chanel", "unknown field 'chanel'"),
        (one(colour="red"), "colour", "unknown field"),
        (
            one({"all": [{"kind": "comment"}, {"text_matches": "(oops"}]}),
            "if.all[1].text_matches",
            "bad regex",
        ),
        (one({"not": {"channel": "whatsapp"}}), "if.not.channel[0]", "telegram"),
        (one({"any": []}), "if.any", "at least 1"),
        (one({"kind": "comment", "channel": "vk"}), "if", "exactly one key"),
        (one(7), "if", "a condition is a mapping"),
        (one({"time_between": ["25:00", "08:00"]}), "if.time_between[0]", "'25:00'"),
        (one({"language": ["russian"]}), "if.language[0]", "two-letter"),
        (one(then=[{"reply": "Hi {{ contact.name"}]), "then[0].reply.text", "template syntax"),
        (
            one(then=[{"reply": "Hi {{ user.name }}"}]),
            "then[0].reply.text",
            "unknown template variable",
        ),
        (one(then=[{"set_status": "snoozed"}]), "then[0].set_status", "snooze_minutes"),
        (one(then=[{"webhook": "http://example.com/hook"}]), "then[0].webhook.url", "https"),
        (one(then=[{"add_label": "x", "hide_comment": True}]), "then[0]", "exactly one key"),
        (one(then=[]), "", "at least one action"),
        (one(when="no_reply"), "", "minutes is required"),
        (one({"not": {"sla_metric": "resolution"}}), "", "needs when: sla_breached"),
        (one(when="sometimes"), "when", "message_received"),
        (one(name=""), "name", "at least 1"),
    ],
)
def test_schema_errors_name_the_path(raw: dict[str, Any], path: str, needle: str) -> None:
    errors = errors_of([raw])
    assert any(e["path"] == path and needle in e["error"] for e in errors), errors
    assert {e["rule"] for e in errors} == {0}


@pytest.mark.parametrize(
    ("raw", "path", "needle"),
    [
        (
            one({"team": "Delivry"}),
            "if.team",
            "unknown team 'Delivry' (known: Delivery, Moderation)",
        ),
        (one({"team": 99}), "if.team", "unknown team id 99"),
        (one({"assignee": "nobody@example.com"}), "if.assignee", "unknown user"),
        (one({"account": [1, 42]}), "if.account", "unknown account id 42"),
        (one(then=[{"assign_team": "Billing"}]), "then[0].assign_team.team", "unknown team"),
        (one(then=[{"assign_agent": 404}]), "then[0].assign_agent", "unknown user id 404"),
    ],
)
def test_directory_errors_name_the_path(raw: dict[str, Any], path: str, needle: str) -> None:
    errors = errors_of({"rules": [one(), raw]})
    assert errors == [{"rule": 1, "name": "Delivery", "path": path, "error": errors[0]["error"]}]
    assert needle in errors[0]["error"]


def test_all_errors_of_all_rules_at_once() -> None:
    raw = [
        one({"all": [{"team": "Nope"}, {"text_matches": "["}]}),
        one(),
        {"name": "second", "when": "message_received", "then": [{"assign_agent": "x@y.z"}]},
    ]
    errors = errors_of(raw)
    assert [(e["rule"], e["path"]) for e in errors] == [(0, "if.all[1].text_matches")]
    # schema errors come first; fix them and the directory errors appear, all of them
    raw[0] = one({"all": [{"team": "Nope"}, {"text_matches": "x"}]})
    errors = errors_of(raw)
    assert [(e["rule"], e["name"], e["path"]) for e in errors] == [
        (0, "Delivery", "if.all[0].team"),
        (2, "second", "then[0].assign_agent"),
    ]


def test_compile_rejects_a_regex_that_skipped_validation() -> None:
    good = parse_rules([one({"text_matches": "ok"})])[0]
    bad = good.model_copy(update={"if_": good.if_.model_copy(update={"text_matches": "("})})
    with pytest.raises(RuleError) as caught:
        compile_rules([bad], DIRECTORY)
    assert caught.value.errors[0]["path"] == "if.text_matches"


def test_validate_returns_rules_and_accepts_the_document_shape() -> None:
    rules = validate({"rules": [one({"team": "Delivery"})]}, DIRECTORY)
    assert len(rules) == 1
    assert isinstance(rules[0], Rule)
    assert validate([], DIRECTORY) == []


@pytest.mark.parametrize(
    ("raw", "needle"),
    [({"rules": [], "extra": 1}, "unknown top-level"), ("rules", "expected a list")],
)
def test_document_shape_errors(raw: Any, needle: str) -> None:
    errors = errors_of(raw)
    assert needle in errors[0]["error"]
    assert errors[0]["rule"] is None
