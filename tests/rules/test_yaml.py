"""Rule files: YAML in and out, Unicode kept readable, and YAML 1.1's traps defused."""

from __future__ import annotations

import pytest

from rules.errors import RuleError
from rules.schema import Mode, dump_yaml, load_yaml

EXAMPLE = """
rules:
  - name: Приветствие в Telegram
    when: conversation_opened
    if:
      all:
        - channel: telegram
        - contact_is_new: true
    then:
      - reply: "Здравствуйте, {{ contact.first_name }}! Чем помочь?"
  - name: 배송 문의
    when: message_received
    if:
      all:
        - channel: [vk]
        - kind: comment
        - text_has_any: [доставка, 배송, where is my order]
        - any:
            - time_between: [22:00, 08:00]
            - not: {business_hours: inside}
    then:
      - assign_team: {team: Delivery, strategy: least_open}
      - add_label: [Доставка]
      - set_status: {status: snoozed, snooze_minutes: 30}
    stop: true
  - name: Спам
    mode: off
    when: message_received
    if: {all: [{kind: comment}, {text_has_any: [казино]}]}
    then: [{hide_comment: true}]
"""


def test_round_trip_keeps_rules_equal_and_text_readable() -> None:
    rules = load_yaml(EXAMPLE)
    text = dump_yaml(rules)
    assert load_yaml(text) == rules
    assert "Приветствие в Telegram" in text
    assert "배송 문의" in text
    assert "\\u" not in text
    assert text.index("name:") < text.index("when:") < text.index("if:") < text.index("then:")


def test_yaml_traps_read_as_meant() -> None:
    rules = load_yaml(EXAMPLE)
    assert rules[2].mode is Mode.OFF  # `off` is false in YAML 1.1
    time_leaf = rules[1].if_.all[3].any[0]  # type: ignore[union-attr]
    assert time_leaf.time_between == ("22:00", "08:00")  # unquoted 22:00 is 1320 in YAML 1.1
    no = load_yaml("rules: [{name: n, when: message_received, if: {language: [no]}, stop: true}]")
    assert no[0].if_.language == ["no"]  # type: ignore[union-attr]


def test_scalars_are_stored_in_full_form() -> None:
    dumped = dump_yaml(load_yaml(EXAMPLE))
    assert "team: Delivery" in dumped
    assert "channel: [telegram]" in dumped


def test_empty_document() -> None:
    assert load_yaml("") == []
    assert load_yaml("rules: []") == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules: [", "not valid YAML"),
        ("rules: [{name: x, when: message_received, then: [{add_label: x}], typo: 1}]", "typo"),
        ("!!python/object:os.system {}", "not valid YAML"),
        (
            "rules: [{name: x, when: message_received, if: {text_has_any: [yes]}, stop: true}]",
            "quotes",
        ),
    ],
)
def test_bad_documents(text: str, needle: str) -> None:
    with pytest.raises(RuleError, match=needle):
        load_yaml(text)
