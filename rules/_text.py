"""Keywords on word boundaries in any script, found for all rules in one pass over the text.

A message is casefolded (after NFC) and split into words with ``\\w+``, which knows Cyrillic,
Hangul, Greek, CJK ideographs… as well as Latin. A keyword matches a *whole word*:
«доставка» matches "Где моя ДОСТАВКА?" but not "доставкаы"; Korean "배송" matches "배송 언제
와요" but not "배송비" or "배송을", because Korean particles attach to the noun without a space.
List the forms you mean (доставка, доставки, доставку) or use ``text_matches`` for stems.
Scripts written without spaces (Thai, Japanese, Chinese sentences) have no word boundaries to
find, so whole-word keywords rarely match there: use ``text_matches``.

All ``text_has_any`` leaves of all rules share one ``KeywordIndex``. Single-word keywords map
word → leaf ids, so one evaluation costs a dict lookup per distinct word of the message, no
matter how many rules or keywords exist. A phrase ("where is my order", "e-mail", "#promo") is
checked with its own boundary regex, and only when all its words occur in the message.
Keywords without any word character (emoji) are searched for in every message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """The comparable form of a text or keyword: NFC, then casefolded (ß → ss, Ё → ё)."""
    return unicodedata.normalize("NFC", text).casefold()


def words(folded: str) -> frozenset[str]:
    return frozenset(WORD.findall(folded))


def _phrase_regex(keyword: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in keyword.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


@dataclass(frozen=True, slots=True)
class _Phrase:
    leaf: int
    words: frozenset[str]
    regex: re.Pattern[str]


@dataclass
class KeywordIndex:
    _leaves: dict[frozenset[str], int] = field(default_factory=dict)
    _words: dict[str, list[int]] = field(default_factory=dict)
    _phrases: dict[str, list[_Phrase]] = field(default_factory=dict)
    _symbols: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self._leaves)

    def add(self, keywords: Iterable[str]) -> int:
        """The id of the leaf "any of ``keywords``" (the same set gets the same id)."""
        folded = frozenset(fold(k).strip() for k in keywords) - {""}
        leaf = self._leaves.get(folded)
        if leaf is not None:
            return leaf
        leaf = self._leaves[folded] = len(self._leaves)
        for keyword in folded:
            parts = WORD.findall(keyword)
            if len(parts) == 1 and parts[0] == keyword:
                self._words.setdefault(keyword, []).append(leaf)
            elif parts:  # anchor the phrase on its longest (likely rarest) word
                phrase = _Phrase(leaf, frozenset(parts), _phrase_regex(keyword))
                self._phrases.setdefault(max(parts, key=len), []).append(phrase)
            else:
                self._symbols.append((leaf, _phrase_regex(keyword)))
        return leaf

    def hits(self, folded: str, tokens: frozenset[str]) -> set[int]:
        """Ids of the leaves with at least one keyword in the message."""
        found: set[int] = set()
        by_word, phrases = self._words, self._phrases
        for token in tokens:
            leaves = by_word.get(token)
            if leaves is not None:
                found.update(leaves)
            if phrases:
                for phrase in phrases.get(token, ()):
                    if (
                        phrase.leaf not in found
                        and phrase.words <= tokens
                        and phrase.regex.search(folded)
                    ):
                        found.add(phrase.leaf)
        for leaf, regex in self._symbols:
            if leaf not in found and regex.search(folded):
                found.add(leaf)
        return found
