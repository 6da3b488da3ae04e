"""``text_has_any``: whole words in any script, casefolded; phrases; one index for all rules.

Whole-word matching is deliberate: «доставка» must not fire on "редоставка", and Korean "배송"
(delivery) must not fire on "배송비" (delivery fee), a different word. The price is that
inflected forms (доставки, 배송을) are separate keywords; ``text_matches`` covers stems.
"""

from __future__ import annotations

import pytest

from rules._text import KeywordIndex, fold, words
from tests.rules.helpers import facts, matches


def has_any(keywords: list[str], text: str) -> bool:
    return matches({"text_has_any": keywords}, facts(text))


class TestWholeWords:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Где моя доставка?", True),
            ("ДОСТАВКА!", True),
            ("доставка", True),
            ("(доставка)", True),
            ("доставка,когда", True),
            ("доставкаы", False),
            ("редоставка", False),
            ("доставки", False),
        ],
    )
    def test_russian(self, text: str, expected: bool) -> None:
        assert has_any(["доставка"], text) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("배송 언제 와요", True),
            ("언제 배송?", True),
            ("배송비 얼마예요", False),  # delivery fee: another word
            ("배송을 기다려요", False),  # particle attached: list 배송을 to match it
        ],
    )
    def test_korean(self, text: str, expected: bool) -> None:
        assert has_any(["배송"], text) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("My ORDER is late", True), ("reorder please", False), ("orders", False)],
    )
    def test_english_case_insensitive(self, text: str, expected: bool) -> None:
        assert has_any(["Order"], text) is expected

    def test_casefold_beyond_lowercase(self) -> None:
        assert has_any(["straße"], "STRASSE gesperrt")
        assert has_any(["Ёлка"], "купить ёлку или ЁЛКА")

    def test_numbers_are_words(self) -> None:
        assert has_any(["2026"], "до 2026 года")
        assert not has_any(["2026"], "заказ 20261")


class TestPhrases:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Hi, where is my order?", True),
            ("WHERE  IS\nMY ORDER", True),
            ("where is my orders", False),
            ("my order: where is it", False),
            ("somewhere is my order", False),
        ],
    )
    def test_english_phrase(self, text: str, expected: bool) -> None:
        assert has_any(["where is my order"], text) is expected

    def test_phrase_and_words_in_one_list(self) -> None:
        keywords = ["когда будет доставка", "refund"]
        assert has_any(keywords, "Скажите, когда будет доставка?")
        assert has_any(keywords, "I want a refund")
        assert not has_any(keywords, "когда будет ответ")

    def test_punctuated_keywords(self) -> None:
        assert has_any(["e-mail"], "send it by e-mail please")
        assert not has_any(["e-mail"], "e mail")
        assert has_any(["#promo"], "look at #promo today")
        assert not has_any(["#promo"], "promo today")

    def test_keyword_without_word_characters(self) -> None:
        assert has_any(["🔥"], "скидки 🔥🔥")
        assert not has_any(["🔥"], "скидки")


class TestIndex:
    def test_same_list_shares_a_leaf_and_hits_are_exact(self) -> None:
        index = KeywordIndex()
        a = index.add(["Доставка", "delivery"])
        b = index.add(["delivery", "доставка"])
        c = index.add(["배송", "where is my order"])
        assert a == b != c
        text = fold("WHERE is my order? 배송")
        assert index.hits(text, words(text)) == {c}
        text = fold("delivery")
        assert index.hits(text, words(text)) == {a}

    def test_words_split_on_any_script(self) -> None:
        assert words(fold("Привет,мир! 안녕 hello_world 42")) == {
            "привет",
            "мир",
            "안녕",
            "hello_world",
            "42",
        }
