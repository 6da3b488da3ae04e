"""Evaluation semantics: order, modes, stop, triggers, the loop guard, and the trace."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rules.actions import (
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
    action_from_json,
    action_to_json,
)
from rules.evaluate import evaluate
from tests.rules.helpers import compiled, facts


def labelling(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "when": "message_received", "then": [{"add_label": label}], **extra}


class TestOrderAndModes:
    def test_actions_of_active_rules_in_rule_order(self) -> None:
        rules = compiled([labelling("a", "one"), labelling("b", "two")])
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("one",)), AddLabels(("two",)))
        assert [t.rule_name for t in result.trace] == ["a", "b"]

    def test_monitor_traces_what_it_would_do_and_does_nothing(self) -> None:
        rules = compiled([labelling("watch", "maybe", mode="monitor"), labelling("b", "two")])
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("two",)),)
        watch = result.trace[0]
        assert (watch.mode, watch.matched, watch.actions) == (
            "monitor",
            True,
            (AddLabels(("maybe",)),),
        )

    def test_off_rules_neither_act_nor_appear(self) -> None:
        rules = compiled([labelling("off", "x", mode="off"), labelling("on", "y")])
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("y",)),)
        assert [t.rule_name for t in result.trace] == ["on"]
        assert [t.rule_name for t in evaluate(rules, facts(), explain=True).trace] == ["on"]

    def test_stop_on_an_active_match_ends_evaluation(self) -> None:
        rules = compiled(
            [
                labelling("skipped", "a", **{"if": {"kind": "comment"}, "stop": True}),
                labelling("stopper", "b", stop=True),
                labelling("never", "c"),
            ]
        )
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("b",)),)
        assert [(t.rule_name, t.stopped) for t in result.trace] == [("stopper", True)]

    def test_stop_on_a_monitor_rule_is_recorded_but_does_not_stop(self) -> None:
        rules = compiled([labelling("m", "a", mode="monitor", stop=True), labelling("next", "b")])
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("b",)),)
        assert result.trace[0].stopped is True
        assert result.trace[1].rule_name == "next"

    def test_stop_without_actions(self) -> None:
        rules = compiled(
            [{"name": "gate", "when": "message_received", "stop": True}, labelling("x", "x")]
        )
        result = evaluate(rules, facts())
        assert result.actions == ()
        assert result.trace[0].stopped


class TestTriggers:
    RULES = [
        labelling("on message", "m"),
        labelling("on open", "o", when="conversation_opened"),
        labelling("later", "n", when="no_reply", minutes=30),
    ]

    @pytest.mark.parametrize(
        ("event", "label"),
        [("message_received", "m"), ("conversation_opened", "o"), ("no_reply", "n")],
    )
    def test_only_rules_of_the_event_run(self, event: str, label: str) -> None:
        result = evaluate(compiled(self.RULES), facts(event=event))
        assert result.actions == (AddLabels((label,)),)

    @pytest.mark.parametrize("explain", [False, True])
    def test_a_wait_that_ran_out_runs_only_the_rules_of_that_wait(self, explain: bool) -> None:
        rules = compiled(
            [
                labelling("half hour", "n30", when="no_reply", minutes=30),
                labelling("two hours", "n120", when="no_reply", minutes=120),
                labelling("off", "x", when="no_reply", minutes=45, mode="off"),
            ]
        )
        assert rules.waits() == {30, 120}
        for minutes, label in ((30, "n30"), (120, "n120")):
            f = replace(facts(event="no_reply"), minutes=minutes)
            assert evaluate(rules, f, explain=explain).actions == (AddLabels((label,)),)
        assert evaluate(rules, replace(facts(event="no_reply"), minutes=45)).actions == ()

    def test_sla_breached_rules_see_the_metric(self) -> None:
        rules = compiled(
            [
                labelling("any breach", "late", when="sla_breached"),
                labelling("first", "first", when="sla_breached")
                | {"if": {"sla_metric": "first_response"}},
            ]
        )
        first = replace(facts(event="sla_breached"), sla_metric="first_response")
        resolution = replace(first, sla_metric="resolution")
        assert evaluate(rules, first).actions == (AddLabels(("late",)), AddLabels(("first",)))
        assert evaluate(rules, resolution).actions == (AddLabels(("late",)),)
        assert evaluate(rules, facts()).actions == ()  # never on a message


class TestLoopGuard:
    @pytest.mark.parametrize(
        "overrides",
        [
            {"direction": "out"},
            {"is_echo": True},
            {"sender_type": "system"},
            {"sender_type": "bot"},
            {"sender_type": "agent"},
        ],
        ids=["outbound", "echo", "system", "bot", "agent"],
    )
    def test_nothing_fires(self, overrides: dict[str, Any]) -> None:
        rules = compiled([labelling("always", "x")])
        assert evaluate(rules, facts(**overrides)).actions == ()
        assert evaluate(rules, facts(**overrides)).trace == ()
        assert evaluate(rules, facts(**overrides), explain=True).trace == ()
        assert evaluate(rules, facts()).actions  # the same rule fires for a contact


class TestActions:
    def test_every_action_resolved(self) -> None:
        then = [
            {"reply": {"text": "Hi {{ contact.first_name }}", "private": True}},
            {"assign_agent": "ANNA@example.com"},
            {"assign_team": {"team": "delivery", "strategy": "least_open"}},
            {"add_label": ["Доставка", "  VIP  Client "]},
            {"remove_label": "new"},
            {"set_priority": "urgent"},
            {"set_status": {"status": "snoozed", "snooze_minutes": 60}},
            {"hide_comment": True},
            {"webhook": {"url": "https://hooks.example.com/x", "secret": "s3"}},
            {"subscribe": False},
        ]
        result = evaluate(
            compiled([{"name": "all", "when": "message_received", "then": then}]), facts()
        )
        assert result.actions == (
            Reply("Hi Иван", True),
            AssignAgent(11),
            AssignTeam(7, "least_open"),
            AddLabels(("доставка", "vip client")),
            RemoveLabels(("new",)),
            SetPriority("urgent"),
            SetStatus("snoozed", 60),
            HideComment(),
            CallWebhook("https://hooks.example.com/x", "s3"),
            Subscribe(False),
        )

    def test_json_is_plain_and_redacts_secrets(self) -> None:
        rules = compiled(
            [
                {
                    "name": "hook",
                    "when": "message_received",
                    "then": [{"webhook": {"url": "https://h.example/x", "secret": "s3"}}],
                }
            ]
        )
        data = evaluate(rules, facts()).to_json()
        assert data["actions"] == [
            {"type": "call_webhook", "url": "https://h.example/x", "secret": "***"}
        ]
        assert data["trace"][0] == {
            "rule_index": 0,
            "rule_name": "hook",
            "mode": "active",
            "matched": True,
            "actions": data["actions"],
            "stopped": False,
            "error": None,
        }

    def test_actions_survive_json(self) -> None:
        for action in (
            AddLabels(("a", "b")),
            SetStatus("resolved"),
            HideComment(),
            Subscribe(True),
        ):
            assert action_from_json(action_to_json(action)) == action


class TestTraceAndExplain:
    def test_explain_lists_every_rule_tested(self) -> None:
        rules = compiled(
            [
                labelling("vk only", "v", **{"if": {"channel": "vk"}}),
                labelling("all", "a"),
                labelling("comments", "c", mode="monitor", **{"if": {"kind": "comment"}}),
            ]
        )
        trace = evaluate(rules, facts(), explain=True).trace
        assert [(t.rule_name, t.matched) for t in trace] == [
            ("vk only", False),
            ("all", True),
            ("comments", False),
        ]
        assert [t.rule_name for t in evaluate(rules, facts()).trace] == ["all"]

    def test_a_failing_condition_is_traced_and_others_still_run(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(text: str) -> str | None:
            raise RuntimeError("model missing")

        monkeypatch.setattr("rules.language.detect_language", broken)
        rules = compiled(
            [labelling("lang", "ru", **{"if": {"language": "ru"}}), labelling("next", "n")]
        )
        result = evaluate(rules, facts("Привет, как дела сегодня?"))
        assert result.actions == (AddLabels(("n",)),)
        assert result.trace[0].matched is False
        assert "model missing" in (result.trace[0].error or "")

    def test_rules_without_conditions_on_every_channel(self) -> None:
        rules = compiled([labelling("any", "x")])
        for channel in ("telegram", "vk", "facebook", "instagram"):
            assert evaluate(rules, facts(channel=channel, kind="comment")).actions
