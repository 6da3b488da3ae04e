"""Lowering a validated rule into compiled parts, resolving names against the directory.

Everything that can be wrong only in context (a team that does not exist, a user who left, an
account id from another install) is found here and reported with the rule and the path; the
lowering goes on after an error so the admin sees every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rules._text import KeywordIndex
from rules.errors import problem

_MAX_LISTED = 10


@dataclass(frozen=True)
class Directory:
    """What rules may name: team names, user emails, and account ids, as they exist now."""

    teams: Mapping[str, int] = field(default_factory=dict)
    users: Mapping[str, int] = field(default_factory=dict)
    account_ids: frozenset[int] = frozenset()


@dataclass
class Lowering:
    """Shared by all rules of one compilation: the keyword index, regex table and errors."""

    directory: Directory
    keywords: KeywordIndex = field(default_factory=KeywordIndex)
    regexes: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    rule: int = 0
    name: str | None = None
    uses_language: bool = False

    def error(self, path: str, message: str) -> None:
        self.errors.append(problem(self.rule, self.name, path, message))

    def regex_id(self, pattern: str, path: str) -> tuple[int, re.Pattern[str]] | None:
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            self.error(path, f"bad regex: {e}")
            return None
        return self.regexes.setdefault(pattern, len(self.regexes)), compiled

    def team(self, value: int | str, path: str) -> int | None:
        return self._resolve(value, self.directory.teams, "team", path)

    def user(self, value: int | str, path: str) -> int | None:
        return self._resolve(value, self.directory.users, "user", path)

    def _resolve(
        self, value: int | str, names: Mapping[str, int], what: str, path: str
    ) -> int | None:
        if isinstance(value, int):
            if value in names.values():
                return value
            self.error(path, f"unknown {what} id {value}")
            return None
        if value in names:
            return names[value]
        folded = [i for n, i in names.items() if n.casefold() == value.casefold()]
        if len(folded) == 1:
            return folded[0]
        if what == "team":
            known = ", ".join(sorted(names)[:_MAX_LISTED]) or "none"
            self.error(path, f"unknown team {value!r} (known: {known})")
        else:  # emails are not listed back
            self.error(path, f"unknown {what} {value!r} (no active user with that email)")
        return None
