"""``RuleError``: every problem in a rule set at once, each naming the rule and the field.

An admin saving twenty rules wants all mistakes in one answer, pointed at precisely:
``{"rule": 3, "name": "Delivery", "path": "if.all[1].text_matches", "error": "bad regex: …"}``.
Pydantic's locations are rewritten into that path form (union tags and type names dropped).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

_TAGS = {"leaf", "all", "any", "not"}
_TYPE_SEGMENTS = {"int", "str", "bool", "float", "none", "list", "dict"}


class RuleError(ValueError):
    """Validation or compilation failed; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        self.errors: list[dict[str, Any]] = list(errors)
        super().__init__("; ".join(describe(e) for e in self.errors) or "invalid rules")

    def to_json(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self.errors]


def problem(rule: int | None, name: str | None, path: str, error: str) -> dict[str, Any]:
    return {"rule": rule, "name": name, "path": path, "error": error}


def describe(e: dict[str, Any]) -> str:
    who = "" if e["rule"] is None else f"rule {e['rule']}"
    if e.get("name"):
        who += f" ({e['name']})"
    where = f" at {e['path']}" if e["path"] else ""
    return f"{who}{where}: {e['error']}".strip()


def format_path(loc: Sequence[int | str]) -> str:
    """``('if', 'all', 'all', 1, 'leaf', 'kind')`` → ``if.all[1].kind``."""
    out = ""
    prev: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS and part != prev and part != "leaf":
            prev = part  # a union tag: the field of the same name follows
            continue
        elif part == "leaf" or part in _TYPE_SEGMENTS or "[" in part:
            continue
        else:
            out += f".{part}" if out else part
        prev = part
    return out


def from_validation(
    exc: ValidationError, rule: int | None, name: str | None
) -> list[dict[str, Any]]:
    """Pydantic errors as problems, deduplicated (a union reports a mistake once per member)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for err in exc.errors(include_url=False):
        path = format_path(err["loc"])
        if err["type"] == "extra_forbidden":
            message = f"unknown field {str(err['loc'][-1])!r}"
        elif err["type"] == "missing":
            message = "required"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        if (path, message) not in seen:
            seen.add((path, message))
            out.append(problem(rule, name, path, message))
    return out
