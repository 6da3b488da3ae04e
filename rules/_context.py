"""One evaluation's working state: the facts, plus what is computed at most once and lazily.

Leaf predicates are closures over this object; anything that costs more than an attribute
read (words of the text, keyword hits, regex results, local time, business hours, template
variables) is computed on first use and kept here, so a thousand rules share the work.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rules._text import fold, words
from rules.facts import Facts

if TYPE_CHECKING:
    from rules._text import KeywordIndex

_EMPTY: frozenset[str] = frozenset()


class Ctx:
    __slots__ = (
        "_casefolded",
        "_local",
        "_open",
        "_variables",
        "contact",
        "conversation",
        "facts",
        "folded",
        "hits",
        "message",
        "regex",
        "tokens",
    )

    def __init__(self, facts: Facts, keywords: KeywordIndex | None) -> None:
        self.facts = facts
        self.message = facts.message
        self.contact = facts.contact
        self.conversation = facts.conversation
        self.regex: dict[int, bool] = {}
        self._local: datetime | None = None
        self._casefolded: str | None = None
        self._open: bool | None = None
        self._variables: dict[str, Any] | None = None
        if keywords:
            self.folded = fold(facts.message.text)
            self.tokens = words(self.folded)
            self.hits = keywords.hits(self.folded, self.tokens)
        else:
            self.folded, self.tokens, self.hits = "", _EMPTY, set()

    def casefolded(self) -> str:
        """The raw text casefolded (no NFC): what regex prefilters search."""
        if self._casefolded is None:
            self._casefolded = self.message.text.casefold()
        return self._casefolded

    def local_now(self) -> datetime:
        """``now`` in the calendar's timezone (UTC without a calendar)."""
        if self._local is None:
            calendar = self.facts.calendar
            zone: tzinfo = calendar.zone if calendar is not None else UTC
            self._local = self.facts.now.astimezone(zone)
        return self._local

    def is_open(self) -> bool:
        """Inside business hours; always true without a calendar."""
        if self._open is None:
            calendar = self.facts.calendar
            self._open = calendar is None or calendar.is_open(self.facts.now)
        return self._open

    def variables(self) -> dict[str, Any]:
        """What reply templates see: plain dicts, so the sandbox exposes nothing else."""
        if self._variables is None:
            contact, message = self.contact, self.message
            name = contact.display_name.strip()
            self._variables = {
                "contact": {
                    "name": name,
                    "first_name": name.split()[0] if name else "",
                    "username": contact.username or "",
                },
                "conversation": {
                    "id": self.conversation.id,
                    "channel": message.channel,
                    "kind": message.kind,
                },
                "message": {"text": message.text},
                "now": self.local_now(),
            }
        return self._variables
