"""Per-account words that subscribe or unsubscribe when they are a whole message.

Stored in ``accounts.options["newsletter"]`` as ``subscribe_keywords`` / ``unsubscribe_keywords``;
a missing list means the defaults below, an empty one means none. Matching is on the whole
text, trimmed, case-folded and without trailing punctuation ("Stop!", "СТОП.", "구독 취소"),
so "please don't stop" never unsubscribes anybody.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_SUBSCRIBE = ("subscribe", "подписаться", "구독")
DEFAULT_UNSUBSCRIBE = ("stop", "unsubscribe", "отписаться", "стоп", "구독 취소", "수신거부")
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 64


def normalise(text: str) -> str:
    """The form both sides are compared in; "" when nothing is left."""
    folded = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    end = len(folded)
    while end and unicodedata.category(folded[end - 1]).startswith("P"):
        end -= 1
    return folded[:end].rstrip()


@dataclass(frozen=True, slots=True)
class Keywords:
    subscribe: frozenset[str]
    unsubscribe: frozenset[str]

    @classmethod
    def of(cls, options: Mapping[str, Any] | None) -> Keywords:
        raw = (options or {}).get("newsletter")
        raw = raw if isinstance(raw, Mapping) else {}
        return cls(
            subscribe=_set(raw.get("subscribe_keywords"), DEFAULT_SUBSCRIBE),
            unsubscribe=_set(raw.get("unsubscribe_keywords"), DEFAULT_UNSUBSCRIBE),
        )

    def match(self, text: str) -> tuple[str, str] | None:
        """``("opt_out" | "opt_in", keyword)`` when the whole text is a keyword.

        A word in both lists unsubscribes: the cautious reading.
        """
        said = normalise(text)
        if not said:
            return None
        if said in self.unsubscribe:
            return "opt_out", said
        if said in self.subscribe:
            return "opt_in", said
        return None

    def as_options(self) -> dict[str, list[str]]:
        return {
            "subscribe_keywords": sorted(self.subscribe),
            "unsubscribe_keywords": sorted(self.unsubscribe),
        }


def _set(value: Any, default: Iterable[str]) -> frozenset[str]:
    if not isinstance(value, list):
        value = list(default)
    return frozenset(w for w in (normalise(str(v)) for v in value) if w)
