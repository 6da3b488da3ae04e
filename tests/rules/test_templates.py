"""Reply templates: rendered per message in a sandbox; failures cost the reply, not the rest."""

from __future__ import annotations

from typing import Any

import pytest

from rules.actions import AddLabels, Reply
from rules.evaluate import evaluate
from tests.rules.helpers import compiled, facts


def reply_rule(text: str, *more: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": "greet", "when": "message_received", "then": [{"reply": text}, *more]}]


class TestRendering:
    def test_contact_name_in_cyrillic(self) -> None:
        rules = compiled(reply_rule("Здравствуйте, {{ contact.first_name }}! ({{ contact.name }})"))
        result = evaluate(rules, facts())
        assert result.actions == (Reply("Здравствуйте, Иван! (Иван Петров)", False),)

    def test_every_variable(self) -> None:
        text = (
            "{{ contact.username }}|{{ conversation.id }}|{{ conversation.channel }}|"
            "{{ conversation.kind }}|{{ message.text }}|{{ now.strftime('%H:%M') }}"
        )
        result = evaluate(compiled(reply_rule(text)), facts("где заказ?", channel="vk"))
        assert result.actions == (Reply("ivan|10|vk|direct|где заказ?|12:00", False),)

    def test_hangul_name_and_missing_username(self) -> None:
        rules = compiled(reply_rule("안녕하세요 {{ contact.first_name }}님{{ contact.username }}"))
        f = facts(contact={"display_name": "김민지", "username": None})
        assert evaluate(rules, f).actions == (Reply("안녕하세요 김민지님", False),)

    def test_monitor_rule_renders_its_would_be_reply(self) -> None:
        rules = compiled([{**reply_rule("Hi {{ contact.first_name }}")[0], "mode": "monitor"}])
        result = evaluate(rules, facts())
        assert result.actions == ()
        assert result.trace[0].actions == (Reply("Hi Иван", False),)


class TestSandbox:
    @pytest.mark.parametrize(
        "template",
        [
            "{{ ''.__class__.__mro__ }}",
            "{{ contact.__class__ }}",
            "{{ now.__class__.__init__.__globals__ }}",
            "{{ 'x' * 100000 }}",
            "{% for i in range(100000) %}{{ i }}{% endfor %}",
            "{{ contact.nickname }}",
            "{{ contact.update({'name': 'x'}) }}",
        ],
        ids=["mro", "class", "globals", "huge string", "huge loop", "unknown attr", "mutation"],
    )
    def test_refused_safely(self, template: str) -> None:
        rules = compiled(reply_rule(template, {"add_label": "seen"}))
        result = evaluate(rules, facts())
        assert result.actions == (AddLabels(("seen",)),)  # the rest of the rule still acts
        entry = result.trace[0]
        assert entry.matched
        assert entry.error is not None
        assert entry.error.startswith("reply not rendered")

    def test_empty_render_is_not_sent(self) -> None:
        result = evaluate(compiled(reply_rule("{% if false %}x{% endif %}  ")), facts())
        assert result.actions == ()
        assert result.trace[0].error == "reply rendered empty"
