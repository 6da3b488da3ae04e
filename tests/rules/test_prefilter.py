"""Regex prefilter literals: never a false "cannot match", including under IGNORECASE."""

# ruff: noqa: RUF001 - Cyrillic and Hangul test texts are deliberate

from __future__ import annotations

import random
import re

import pytest

from rules._prefilter import UNSAFE, required_literals


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(заказ|order|주문)\s*#?\d{4,}", {"заказ", "order", "주문"}),
        (r"https?://\S+", {"http"}),
        (r"\bдостав\w*", {"достав"}),
        (r"(?:abc)+x", {"abc"}),
        (r"x{0,3}yz", {"yz"}),
        (r"PRICE", {"pr"}),  # the run stops at an i
        (r"Straße", {"strasse"}),
    ],
)
def test_literals_found(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern, re.IGNORECASE) == expected


@pytest.mark.parametrize("pattern", [r"\d{5,}", r"a|", r"(a|b)(c|d)", r"x*", r"[abc]+", r"\w+"])
def test_no_guarantee_means_no_prefilter(pattern: str) -> None:
    assert required_literals(pattern, re.IGNORECASE) is None


def test_casefolding_keeps_every_ignorecase_pair_outside_the_turkish_is() -> None:
    """Every pair re's IGNORECASE unifies must agree after casefold (a sampled sweep)."""
    sample = [chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0x370, 0x530)]
    sample += [chr(c) for c in range(0x1C80, 0x1C89)] + ["\u1e9b", "\ufb05", "\u212a", "\u2126"]
    haystack = "".join(sample)
    for literal in sample:
        if literal in UNSAFE or not literal.isprintable():
            continue
        regex = re.compile(re.escape(literal), re.IGNORECASE)
        for other in regex.findall(haystack):
            assert literal.casefold() in other.casefold(), (literal, other)


def test_random_patterns_never_filter_out_a_match() -> None:
    rng = random.Random(7)
    atoms = ["ab", "Да", "İn", "ıx", "SS", "ß", "배송", r"\d", r"\s*", "(?:x|y)", "[a-z]", "."]
    alphabet = "abxyДдаİıinSsßẞ배송 12"
    for _ in range(400):
        pattern = "".join(rng.choices(atoms, k=rng.randint(1, 4)))
        literals = required_literals(pattern, re.IGNORECASE)
        regex = re.compile(pattern, re.IGNORECASE)
        for _ in range(30):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 12)))
            if regex.search(text) and literals is not None:
                assert any(lit in text.casefold() for lit in literals), (pattern, text)
