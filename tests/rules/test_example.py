"""The documented example rule set (example_rules.yaml) loads, compiles and does what it says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rules.actions import AddLabels, AssignTeam, HideComment, Reply
from rules.compile import Directory, compile_rules
from rules.evaluate import Evaluation, evaluate
from rules.facts import Facts
from rules.schema import dump_yaml, load_yaml
from tests.rules.helpers import CALENDAR, facts

EXAMPLE = (Path(__file__).parent / "example_rules.yaml").read_text(encoding="utf-8")
DIRECTORY = Directory(
    teams={"Delivery": 7}, users={"anna@example.com": 11}, account_ids=frozenset()
)
SATURDAY = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)


Runner = Callable[[Facts], Evaluation]


@pytest.fixture(scope="module")
def run() -> Runner:
    rules = load_yaml(EXAMPLE)
    assert load_yaml(dump_yaml(rules)) == rules
    compiled = compile_rules(rules, DIRECTORY)

    def _run(f: Facts) -> Evaluation:
        return evaluate(compiled, f)

    return _run


def test_greets_new_telegram_users(run: Runner) -> None:
    f = facts("/start", event="conversation_opened", contact={"is_new": True})
    result = run(f)
    assert result.actions[0] == Reply(
        "Здравствуйте, Иван! Спасибо, что написали — ответим в течение часа.", False
    )
    assert result.actions[1] == AddLabels(("new customer",))


def test_routes_vk_delivery_comments(run: Runner) -> None:
    for text in ("Где моя ДОСТАВКА?", "заказ №123456 так и не пришёл"):
        result = run(facts(text, channel="vk", kind="comment"))
        assert result.actions[:2] == (AssignTeam(7, "least_open"), AddLabels(("доставка",)))
        assert isinstance(result.actions[2], Reply)
        assert result.actions[2].private
    assert not run(facts("Где моя доставка?", channel="telegram", kind="comment")).actions


def test_hides_facebook_spam(run: Runner) -> None:
    result = run(facts("Лучшее казино!!!", channel="facebook", kind="comment"))
    assert result.actions == (HideComment(), AddLabels(("spam",)))


def test_answers_outside_business_hours_once(run: Runner) -> None:
    night = facts("Здравствуйте, вы работаете?", calendar=CALENDAR, now=SATURDAY)
    assert isinstance(run(night).actions[0], Reply)
    answered = facts(
        "Есть кто?",
        calendar=CALENDAR,
        now=SATURDAY,
        conversation={"labels": frozenset({"after-hours-answered"})},
    )
    assert run(answered).actions == ()
    assert run(facts("Здравствуйте", calendar=CALENDAR)).actions == ()
