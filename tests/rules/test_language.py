"""Language detection: only when a rule asks, at most once per message, never a wild guess."""

from __future__ import annotations

import pytest

from rules import language
from rules.evaluate import evaluate
from tests.rules.helpers import compiled, facts

LANGUAGE_RULE = {
    "name": "ru",
    "when": "message_received",
    "if": {"any": [{"language": ["ru"]}, {"all": [{"kind": "comment"}, {"language": "en"}]}]},
    "then": [{"add_label": "ru"}],
}
PLAIN_RULE = {
    "name": "plain",
    "when": "message_received",
    "if": {"text_has_any": ["доставка"]},
    "then": [{"add_label": "d"}],
}


class CountingDetector:
    def __init__(self, answer: str | None) -> None:
        self.answer, self.calls = answer, 0

    def __call__(self, text: str) -> str | None:
        self.calls += 1
        return self.answer


class TestNeedsLanguage:
    def test_true_only_with_a_language_condition_in_a_live_rule(self) -> None:
        assert compiled([LANGUAGE_RULE, PLAIN_RULE]).needs_language
        assert not compiled([PLAIN_RULE]).needs_language
        assert not compiled([{**LANGUAGE_RULE, "mode": "off"}, PLAIN_RULE]).needs_language
        assert compiled([{**LANGUAGE_RULE, "mode": "monitor"}]).needs_language

    def test_never_detected_when_no_rule_asks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def explode(text: str) -> str | None:
            raise AssertionError("language detected without need")

        monkeypatch.setattr(language, "detect_language", explode)
        rules = compiled([PLAIN_RULE])
        result = evaluate(rules, facts("Где моя доставка? Жду уже неделю"))
        assert result.actions
        assert all(t.error is None for t in result.trace)
        assert evaluate(rules, facts("доставка"), explain=True).trace[0].error is None

    def test_detected_once_per_message(self, monkeypatch: pytest.MonkeyPatch) -> None:
        detector = CountingDetector("en")
        monkeypatch.setattr(language, "detect_language", detector)
        rules = compiled([LANGUAGE_RULE, {**LANGUAGE_RULE, "name": "again"}])
        f = facts("Where is my parcel?", kind="comment")
        assert len(evaluate(rules, f).actions) == 2
        assert len(evaluate(rules, f, explain=True).actions) == 2
        assert detector.calls == 1
        assert f.language() == "en"

    def test_not_detected_when_a_cheaper_test_already_failed(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        detector = CountingDetector("ru")
        monkeypatch.setattr(language, "detect_language", detector)
        rule = {**LANGUAGE_RULE, "if": {"all": [{"language": "ru"}, {"channel": "vk"}]}}
        assert not evaluate(compiled([rule]), facts("Привет всем", channel="telegram")).actions
        assert detector.calls == 0


class TestDetector:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Где моя доставка? Жду уже неделю", "ru"),
            ("Hi, can you help me with my order please?", "en"),
            ("배송 언제 와요", "ko"),
            ("", None),
            ("ok", None),
            ("12345 !!!", None),
        ],
    )
    def test_codes_or_none(self, text: str, expected: str | None) -> None:
        assert language.detect_language(text) == expected
